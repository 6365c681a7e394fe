"""Paceway's own short questions for two IMMPACT domains without a free validated form in use
here: unwanted effects of treatment, and health-care and medicine use. Written for Paceway (no
licence needed). Descriptive: no scale, no change rules; the answers are kept in the response.
Not validated instruments: their wording is Paceway's interface text, translated in the gettext
catalogue like the rest of the interface (``PACEWAY_FRENCH``).
"""

from django.utils.translation import gettext_lazy as _

from .base import LOCAL_SYSTEM, AnswerOption, Instrument, Item, LanguageVersion, numeric_options

LICENCE = "Paceway items, written for this program: free to use."
PACEWAY_FRENCH = LanguageVersion(
    language="fr",
    availability="paceway",
    source="Paceway's own items: translated with the interface (gettext catalogue).",
    licence=LICENCE,
    verification="Not a validated instrument; reviewed like any interface text.",
)

EFFECTS = tuple(
    AnswerOption(value, label, code=f"ue-{value}", system=LOCAL_SYSTEM)
    for value, label in (
        (0, _("No")),
        (1, _("Yes, but it did not bother me much")),
        (2, _("Yes, and it bothered me")),
    )
)
YES_NO = tuple(
    AnswerOption(value, label, code=f"yn-{value}", system=LOCAL_SYSTEM)
    for value, label in ((0, _("No")), (1, _("Yes")))
)

UNWANTED_EFFECTS = Instrument(
    slug="unwanted-effects",
    name="Unwanted effects",
    title=_("Unwanted effects of the program"),
    period=_("Since you started the program:"),
    items=(
        Item(
            "ue-any",
            _(
                "Have you had unwanted effects that you think the program caused (for example more pain after an "
                "exercise, worse mood, or stress from the homework)?"
            ),
            EFFECTS,
            system=LOCAL_SYSTEM,
        ),
    ),
    scales=(),
    panel_code="unwanted-effects",
    panel_system=LOCAL_SYSTEM,
    licence=LICENCE,
    reference="IMMPACT core domain: adverse events (Dworkin et al. Pain 2005;113:9-19).",
    languages=(PACEWAY_FRENCH,),
)

VISITS = numeric_options(0, 20, "", _("20 or more"))
HEALTH_CARE_USE = Instrument(
    slug="health-care-use",
    name="Health-care and medicine use",
    title=_("Health care and medicines for your pain"),
    period=_("In the last 3 months:"),
    items=(
        Item(
            "hcu-doctor",
            _("How many times did you see a family doctor or nurse practitioner about your pain?"),
            VISITS,
            system=LOCAL_SYSTEM,
        ),
        Item(
            "hcu-emergency",
            _("How many times did you go to an emergency department because of pain?"),
            VISITS,
            system=LOCAL_SYSTEM,
        ),
        Item(
            "hcu-other",
            _(
                "How many visits did you have with other health professionals about your pain "
                "(physiotherapy, pain clinic, specialist, psychology)?"
            ),
            VISITS,
            system=LOCAL_SYSTEM,
        ),
        Item(
            "hcu-opioid",
            _(
                "In the last week, did you take an opioid pain medicine (for example codeine, "
                "tramadol, oxycodone, morphine)?"
            ),
            YES_NO,
            system=LOCAL_SYSTEM,
        ),
    ),
    scales=(),
    panel_code="health-care-use",
    panel_system=LOCAL_SYSTEM,
    licence=LICENCE,
    reference="IMMPACT: health-care and medicine use (Dworkin et al. Pain 2005;113:9-19).",
    languages=(PACEWAY_FRENCH,),
)
