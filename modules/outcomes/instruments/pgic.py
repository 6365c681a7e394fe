"""Patient global impression of change (PGIC), 7 points. Asked at post-treatment and follow-up.

1 very much improved ... 7 very much worse. It is itself a change measure: no baseline change
rules. Bands group the usual responder definition (much or very much improved). Local codes.
French: Paceway's own item on the generic 7-point answers (no published wording of it exists to
transcribe), so, like Paceway's other own items, it is interface text translated in the gettext
catalogue, in plain words (``FRENCH``).
"""

from django.utils.translation import gettext_lazy as _

from .base import LOCAL_SYSTEM, AnswerOption, Band, Instrument, Item, LanguageVersion, Scale

OPTIONS = tuple(
    AnswerOption(value, label, code=f"pgic-{value}", system=LOCAL_SYSTEM)
    for value, label in (
        (1, _("Very much improved")),
        (2, _("Much improved")),
        (3, _("Minimally improved")),
        (4, _("No change")),
        (5, _("Minimally worse")),
        (6, _("Much worse")),
        (7, _("Very much worse")),
    )
)

ITEMS = (
    Item(
        "pgic",
        _(
            "Since the start of the program, how would you describe the change (if any) in your pain and how you "
            "are managing it?"
        ),
        OPTIONS,
        system=LOCAL_SYSTEM,
    ),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="paceway",
    source="Paceway's own question on the generic 7-point answers: translated with the interface (gettext).",
    licence="Public domain (generic global impression scale).",
    verification=(
        "Not a validated text: no published French wording of this question exists to transcribe; reviewed like "
        "any interface text. The answer values and so the scores are the same in both languages."
    ),
)

PGIC = Instrument(
    slug="pgic",
    name="PGIC",
    title=_("Your impression of change"),
    period=_("Compared with before you started the program:"),
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
