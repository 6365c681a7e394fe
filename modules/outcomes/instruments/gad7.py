"""GAD-7 (Spitzer et al. 2006). Anxiety, last 2 weeks, items 0-3 (same answer codes as PHQ-9).

Licence: "No permission required to reproduce, translate, display or distribute" (Pfizer).
The wording is data (plain strings, not in the gettext catalogue). French: the Pfizer
"French (Canada)" text could not be found verbatim when this was written (only France-French
and ad-hoc variants, which differ from one another), so the English items are shown to French
speakers with a note; see ``FRENCH``. Add it with ``wording(en, fr)`` once transcribed from the
phqscreeners.com PDF.
Change: caseness >= 8; reliable change 4 points (NHS Talking Therapies).
"""

from django.utils.translation import gettext_lazy as _

from .base import ENGLISH_ONLY_NOTE_FR, AnswerOption, Band, Instrument, Item, LanguageVersion, Scale

# The PHQ-9's answer options, in English only (the PHQ-9's carry their French wording).
FREQUENCY = (
    AnswerOption(0, "Not at all", "LA6568-5"),
    AnswerOption(1, "Several days", "LA6569-3"),
    AnswerOption(2, "More than half the days", "LA6570-1"),
    AnswerOption(3, "Nearly every day", "LA6571-9"),
)

ITEMS = (
    Item("69725-0", "Feeling nervous, anxious, or on edge", FREQUENCY),
    Item("68509-9", "Not being able to stop or control worrying", FREQUENCY),
    Item("69733-4", "Worrying too much about different things", FREQUENCY),
    Item("69734-2", "Trouble relaxing", FREQUENCY),
    Item("69735-9", "Being so restless that it is hard to sit still", FREQUENCY),
    Item("69689-8", "Becoming easily annoyed or irritable", FREQUENCY),
    Item("69736-7", "Feeling afraid, as if something awful might happen", FREQUENCY),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="unavailable",
    source="Wanted: Pfizer GAD-7 'French (Canada)' (phqscreeners.com).",
    licence="Pfizer: no permission required to reproduce, translate, display or distribute.",
    note=ENGLISH_ONLY_NOTE_FR,
    verification=(
        "Not found verbatim in the sources searched (December 2026): the French texts found were France-French "
        "or ad-hoc and disagree with one another, so none is shipped."
    ),
)

GAD7 = Instrument(
    slug="gad-7",
    name="GAD-7",
    title=_("Generalized Anxiety Disorder scale (GAD-7)"),
    period="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=ITEMS,
    panel_code="69737-5",
    scales=(
        Scale(
            key="gad7",
            label="GAD-7",
            rule="sum",
            items=tuple(item.code for item in ITEMS),
            minimum=0,
            maximum=21,
            code="70274-6",
            bands=(
                Band(0, 4, "minimal", _("Minimal")),
                Band(5, 9, "mild", _("Mild")),
                Band(10, 14, "moderate", _("Moderate")),
                Band(15, 21, "severe", _("Severe")),
            ),
            caseness=8,
            reliable_change=4,
        ),
    ),
    licence="Pfizer: no permission required to reproduce, translate, display or distribute.",
    reference="Spitzer RL, Kroenke K, Williams JB, Lowe B. Arch Intern Med 2006;166:1092-1097.",
    languages=(FRENCH,),
)
