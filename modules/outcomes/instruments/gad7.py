"""GAD-7 (Spitzer et al. 2006). Anxiety, last 2 weeks, items 0-3 (same answer codes as PHQ-9).

Licence: "No permission required to reproduce, translate, display or distribute" (Pfizer).
The wording is data (plain strings, not in the gettext catalogue). French: the Canadian French
version, transcribed verbatim; its source and what is left to check are in ``FRENCH``. Its
answer options are its own: "Plus de la moitié des jours", where the Canadian French PHQ-9
says "Plus de sept jours", so the two instruments do not share their options.
Change: caseness >= 8; reliable change 4 points (NHS Talking Therapies).
"""

from django.utils.translation import gettext_lazy as _

from .base import AnswerOption, Band, Instrument, Item, LanguageVersion, Scale, wording

PFIZER_LICENCE = "Pfizer: no permission required to reproduce, translate, display or distribute."

FREQUENCY = (
    AnswerOption(0, wording("Not at all", "Jamais"), "LA6568-5"),
    AnswerOption(1, wording("Several days", "Plusieurs jours"), "LA6569-3"),
    AnswerOption(2, wording("More than half the days", "Plus de la moitié des jours"), "LA6570-1"),
    AnswerOption(3, wording("Nearly every day", "Presque tous les jours"), "LA6571-9"),
)

ITEMS = (
    Item(
        "69725-0",
        wording("Feeling nervous, anxious, or on edge", "Sentiment de nervosité, d’anxiété ou de tension"),
        FREQUENCY,
    ),
    Item(
        "68509-9",
        wording(
            "Not being able to stop or control worrying",
            "Incapable d’arrêter de vous inquiéter ou de contrôler vos inquiétudes",
        ),
        FREQUENCY,
    ),
    Item(
        "69733-4",
        wording("Worrying too much about different things", "Inquiétudes excessives à propos de tout et de rien"),
        FREQUENCY,
    ),
    Item("69734-2", wording("Trouble relaxing", "Difficulté à se détendre"), FREQUENCY),
    Item(
        "69735-9",
        wording(
            "Being so restless that it is hard to sit still", "Agitation telle qu’il est difficile de rester tranquille"
        ),
        FREQUENCY,
    ),
    Item(
        "69689-8",
        wording("Becoming easily annoyed or irritable", "Devenir facilement contrarié(e) ou irritable"),
        FREQUENCY,
    ),
    Item(
        "69736-7",
        wording(
            "Feeling afraid, as if something awful might happen",
            "Avoir peur que quelque chose d’épouvantable puisse arriver",
        ),
        FREQUENCY,
    ),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="published",
    source=(
        "GAD-7, Canadian French version (Pfizer; phqscreeners.com 'French (Canada)'). Transcribed from the "
        "Douglas Research Centre's Open Data Capture GAD-7 (github.com/DouglasNeuroInformatics/OpenDataCapture, "
        "packages/instrument-library/src/forms/GAD_7/index.ts, commit 734d975a6ed356d19db6da0d708a74df335efddf): "
        "instructions, answer options and items 1-7; typographic apostrophes as in the Université de Montréal "
        "form (https://medfam.umontreal.ca/wp-content/uploads/sites/16/GAD-7-fran%C3%A7ais.pdf, as extracted in "
        "github.com/harmonydata/harmony_r README.md, commit 823da4d3145a323b1730956ba32b3cbfa7cbe035)."
    ),
    licence=PFIZER_LICENCE,
    verification=(
        "Items 1-3 and 5-7: word for word the same in Open Data Capture and in the Université de Montréal form "
        "(apostrophes aside; item 4 was not extracted from that form, so it rests on Open Data Capture and "
        "three other independent copies of this version that agree). Instructions and options: Open Data Capture, "
        "and word for word the same in those copies. An independent instrument specification in a public "
        "repository compares the two French texts in circulation and names this one (14 derniers jours, "
        "dérangé(e), 'Mis au point par les Drs' footer; Université de Montréal, CMF Granby, RecoMédicales) the "
        "Canadian French version, distinct from Pfizer's 'French for France' (2 dernières semaines, gêné(e)). "
        "Not compared with the phqscreeners.com PDF itself (not reachable when "
        "written): the clinical lead checks it against the Pfizer French (Canada) PDF before clinical use."
    ),
)

GAD7 = Instrument(
    slug="gad-7",
    name="GAD-7",
    title=_("Generalized Anxiety Disorder scale (GAD-7)"),
    period=wording(
        "Over the last 2 weeks, how often have you been bothered by the following problems?",
        "Au cours des 14 derniers jours, à quelle fréquence avez-vous été dérangé(e) par les problèmes suivants?",
    ),
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
    licence=PFIZER_LICENCE,
    reference="Spitzer RL, Kroenke K, Williams JB, Lowe B. Arch Intern Med 2006;166:1092-1097.",
    languages=(FRENCH,),
)
