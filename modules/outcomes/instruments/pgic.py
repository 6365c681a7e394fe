"""Patient global impression of change (PGIC), 7 points. Asked at post-treatment and follow-up.

1 very much improved ... 7 very much worse. It is itself a change measure: no baseline change
rules. Bands group the usual responder definition (much or very much improved). Local codes.
The wording is data (plain strings, not in the gettext catalogue). French: Paceway's own item on
the generic PGIC answers; no published French version of it exists, so French speakers see the
English item with a note (``FRENCH``) until the clinical lead approves a French wording.
"""

from django.utils.translation import gettext_lazy as _

from .base import ENGLISH_ONLY_NOTE_FR, LOCAL_SYSTEM, AnswerOption, Band, Instrument, Item, LanguageVersion, Scale

OPTIONS = tuple(
    AnswerOption(value, label, code=f"pgic-{value}", system=LOCAL_SYSTEM)
    for value, label in (
        (1, "Very much improved"),
        (2, "Much improved"),
        (3, "Minimally improved"),
        (4, "No change"),
        (5, "Minimally worse"),
        (6, "Much worse"),
        (7, "Very much worse"),
    )
)

ITEMS = (
    Item(
        "pgic",
        "Since the start of the program, how would you describe the change (if any) in your pain and how you are "
        "managing it?",
        OPTIONS,
        system=LOCAL_SYSTEM,
    ),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="unavailable",
    note=ENGLISH_ONLY_NOTE_FR,
    verification=(
        "Paceway's own question with the generic 7-point PGIC answers: no published French text of this "
        "wording exists to transcribe. Kept in English until the clinical lead approves a French wording."
    ),
)

PGIC = Instrument(
    slug="pgic",
    name="PGIC",
    title=_("Your impression of change"),
    period="Compared with before you started the program:",
    items=ITEMS,
    panel_code="pgic",
    panel_system=LOCAL_SYSTEM,
    scales=(
        Scale(
            key="pgic",
            label="PGIC",
            rule="single",
            items=("pgic",),
            minimum=1,
            maximum=7,
            code="pgic-score",
            system=LOCAL_SYSTEM,
            bands=(
                Band(1, 2, "improved", _("Much or very much improved")),
                Band(3, 5, "little-change", _("Little or no change")),
                Band(6, 7, "worse", _("Much or very much worse")),
            ),
        ),
    ),
    licence="Public domain (generic global impression scale).",
    reference="Guy W. ECDEU Assessment Manual 1976 (CGI); Farrar JT et al. Pain 2001.",
    languages=(FRENCH,),
)
