"""Pain intensity numeric rating scale: 0 (no pain) to 10 (worst pain imaginable).

Two single-item scales: average and worst pain in the last week. No severity bands are shipped
(conventions differ between sources). Change: percent change from baseline with the IMMPACT
thresholds (30% moderately important, 50% substantial; Dworkin et al. 2008). No Jacobson-Truax
index: a single item has no internal consistency to base it on. Local codes (no guessed LOINC).
French: a generic scale in Paceway's own words (no published wording to transcribe), so, like
Paceway's other own items, it is interface text translated in the gettext catalogue (``FRENCH``).
"""

from django.utils.translation import gettext_lazy as _

from .base import LOCAL_SYSTEM, Instrument, Item, LanguageVersion, Scale, numeric_options

OPTIONS = numeric_options(0, 10, _("no pain"), _("worst pain imaginable"))
ANCHORS = (_("No pain"), _("Worst pain imaginable"))

ITEMS = (
    Item("nrs-average", _("Your pain on average in the last week"), OPTIONS, system=LOCAL_SYSTEM, anchors=ANCHORS),
    Item("nrs-worst", _("Your worst pain in the last week"), OPTIONS, system=LOCAL_SYSTEM, anchors=ANCHORS),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="paceway",
    source="Paceway's own wording of a generic 0-10 scale: translated with the interface (gettext catalogue).",
    licence="Public domain (generic numeric rating scale).",
    verification=(
        "Not a validated text: a generic numeric rating scale, of which no published French wording exists to "
        "transcribe; reviewed like any interface text. The numbers and so the scores are the same in both languages."
    ),
)

PAIN_NRS = Instrument(
    slug="pain-nrs",
    name="Pain NRS",
    title=_("Pain intensity (0 to 10)"),
    period=_("Choose the number that best describes your pain."),
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
