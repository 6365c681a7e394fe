"""Pain intensity numeric rating scale: 0 (no pain) to 10 (worst pain imaginable).

Two single-item scales: average and worst pain in the last week. No severity bands are shipped
(conventions differ between sources). Change: percent change from baseline with the IMMPACT
thresholds (30% moderately important, 50% substantial; Dworkin et al. 2008). No Jacobson-Truax
index: a single item has no internal consistency to base it on. Local codes (no guessed LOINC).
The wording is data (plain strings, not in the gettext catalogue). French: a generic scale with
Paceway's own wording, of which no published French version exists, so French speakers see the
English items with a note (``FRENCH``) until the clinical lead approves a French wording.
"""

from django.utils.translation import gettext_lazy as _

from .base import ENGLISH_ONLY_NOTE_FR, LOCAL_SYSTEM, Instrument, Item, LanguageVersion, Scale, numeric_options

OPTIONS = numeric_options(0, 10, "no pain", "worst pain imaginable")
ANCHORS = ("No pain", "Worst pain imaginable")

ITEMS = (
    Item("nrs-average", "Your pain on average in the last week", OPTIONS, system=LOCAL_SYSTEM, anchors=ANCHORS),
    Item("nrs-worst", "Your worst pain in the last week", OPTIONS, system=LOCAL_SYSTEM, anchors=ANCHORS),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="unavailable",
    note=ENGLISH_ONLY_NOTE_FR,
    verification=(
        "Generic 0-10 numeric rating scale in Paceway's own words: there is no published French text of this "
        "wording to transcribe. Kept in English until the clinical lead approves a French wording."
    ),
)

PAIN_NRS = Instrument(
    slug="pain-nrs",
    name="Pain NRS",
    title=_("Pain intensity (0 to 10)"),
    period="Choose the number that best describes your pain.",
    items=ITEMS,
    panel_code="pain-nrs",
    panel_system=LOCAL_SYSTEM,
    scales=(
        Scale(
            key="nrs-average",
            label="NRS average",
            rule="single",
            items=("nrs-average",),
            minimum=0,
            maximum=10,
            code="nrs-average",
            system=LOCAL_SYSTEM,
            percent_thresholds=(30, 50),
        ),
        Scale(
            key="nrs-worst",
            label="NRS worst",
            rule="single",
            items=("nrs-worst",),
            minimum=0,
            maximum=10,
            code="nrs-worst",
            system=LOCAL_SYSTEM,
            percent_thresholds=(30, 50),
        ),
    ),
    licence="Public domain (generic numeric rating scale).",
    reference="Dworkin RH et al. (IMMPACT). J Pain 2008;9(2):105-121.",
    languages=(FRENCH,),
)
