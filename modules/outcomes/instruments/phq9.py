"""PHQ-9 (Kroenke, Spitzer and Williams 2001). Depression, last 2 weeks, items 0-3.

Licence: "No permission required to reproduce, translate, display or distribute" (Pfizer).
Translations must be the validated versions (phqscreeners.com), not ad-hoc ones.
Item 9 (44260-8) above 0 is a risk screen: it calls for a clinician's follow-up risk assessment.
Change: caseness >= 10; reliable change 6 points (NHS Talking Therapies).
"""

from django.utils.translation import gettext_lazy as _

from .base import AnswerOption, Band, Instrument, Item, Scale

FREQUENCY = (
    AnswerOption(0, _("Not at all"), "LA6568-5"),
    AnswerOption(1, _("Several days"), "LA6569-3"),
    AnswerOption(2, _("More than half the days"), "LA6570-1"),
    AnswerOption(3, _("Nearly every day"), "LA6571-9"),
)
DIFFICULTY = (
    AnswerOption(0, _("Not difficult at all"), "LA6572-7"),
    AnswerOption(1, _("Somewhat difficult"), "LA6573-5"),
    AnswerOption(2, _("Very difficult"), "LA6575-0"),
    AnswerOption(3, _("Extremely difficult"), "LA6574-3"),
)

RISK_ITEM = "44260-8"
ITEMS = (
    Item("44250-9", _("Little interest or pleasure in doing things"), FREQUENCY),
    Item("44255-8", _("Feeling down, depressed, or hopeless"), FREQUENCY),
    Item("44259-0", _("Trouble falling or staying asleep, or sleeping too much"), FREQUENCY),
    Item("44254-1", _("Feeling tired or having little energy"), FREQUENCY),
    Item("44251-7", _("Poor appetite or overeating"), FREQUENCY),
    Item(
        "44258-2",
        _("Feeling bad about yourself, or that you are a failure or have let yourself or your family down"),
        FREQUENCY,
    ),
    Item(
        "44252-5",
        _("Trouble concentrating on things, such as reading the newspaper or watching television"),
        FREQUENCY,
    ),
    Item(
        "44253-3",
        _(
            "Moving or speaking so slowly that other people could have noticed. Or the opposite: being so "
            "fidgety or restless that you have been moving around a lot more than usual"
        ),
        FREQUENCY,
    ),
    Item(
        RISK_ITEM,
        _("Thoughts that you would be better off dead, or of hurting yourself in some way"),
        FREQUENCY,
        risk_if_above=0,
    ),
    Item(
        "69722-7",
        _(
            "If you checked off any problems, how difficult have these problems made it for you to do your "
            "work, take care of things at home, or get along with other people?"
        ),
        DIFFICULTY,
        scored=False,
        required=False,
    ),
)

PHQ9 = Instrument(
    slug="phq-9",
    name="PHQ-9",
    title=_("Patient Health Questionnaire (PHQ-9)"),
    period=_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    items=ITEMS,
    panel_code="44249-1",
    scales=(
        Scale(
            key="phq9",
            label="PHQ-9",
            rule="sum",
            items=tuple(item.code for item in ITEMS if item.scored),
            minimum=0,
            maximum=27,
            code="44261-6",
            bands=(
                Band(0, 4, "minimal", _("Minimal")),
                Band(5, 9, "mild", _("Mild")),
                Band(10, 14, "moderate", _("Moderate")),
                Band(15, 19, "moderately-severe", _("Moderately severe")),
                Band(20, 27, "severe", _("Severe")),
            ),
            caseness=10,
            reliable_change=6,
        ),
    ),
    licence="Pfizer: no permission required to reproduce, translate, display or distribute.",
    reference="Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-613.",
)
