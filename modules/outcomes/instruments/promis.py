"""PROMIS short forms for the IMMPACT domains of physical functioning, pain interference and sleep.

Licence: PROMIS instruments are (c) PROMIS Health Organization (PHO) and are available without
charge for use in clinical care under the HealthMeasures terms of use (healthmeasures.net):
items are reproduced unchanged, in order, with their response options; only official
translations may be used. Recorded per instrument in ``licence``.

Scoring shipped here: the raw summed score (each item 1-5, so 6-30 for a 6-item form and 4-20 for
the 4-item form), which is what the official scoring tables are indexed by. The raw-to-T-score
tables are *not* shipped: the clinical lead adds them from the HealthMeasures scoring manual of
the exact version used (a data change: a lookup beside the scale). Until then no severity bands
and no reliable-change parameters are given; trajectories are shown as raw scores. Item ids
are the PROMIS ones, under the local code system (no guessed LOINC codes).

Item wording and response options must be checked against the official PDF of the form version
named in ``version`` before clinical use (they are transcribed here). The wording is data (plain
strings, not in the gettext catalogue).

French: HealthMeasures distributes the official PROMIS translations; the French texts of these
exact short forms could not be obtained verbatim when this was written, so French speakers see
the English items with a note (``FRENCH``). Only an official translation may replace it.
"""

from django.utils.translation import gettext_lazy as _

from .base import ENGLISH_ONLY_NOTE_FR, LOCAL_SYSTEM, AnswerOption, Instrument, Item, LanguageVersion, Scale

LICENCE = (
    "PROMIS (c) PROMIS Health Organization. Free for use in clinical care under the HealthMeasures terms of use: "
    "items unchanged, official translations only."
)

FRENCH = LanguageVersion(
    language="fr",
    availability="unavailable",
    source="Wanted: the official PROMIS French (Canada) translations of these short forms, from HealthMeasures.",
    licence=LICENCE,
    note=ENGLISH_ONLY_NOTE_FR,
    verification=(
        "The official translations are distributed by HealthMeasures on request; their texts were not available "
        "verbatim in the sources searched (December 2026), so none is shipped."
    ),
)


def _options(prefix: str, labels: tuple[tuple[int, object], ...]) -> tuple[AnswerOption, ...]:
    return tuple(
        AnswerOption(value, label, code=f"{prefix}-{value}", system=LOCAL_SYSTEM)  # type: ignore[arg-type]
        for value, label in labels
    )


# Pain Interference: 1 Not at all ... 5 Very much (higher = more interference).
INTERFERENCE = _options(
    "promis-pi",
    ((1, "Not at all"), (2, "A little bit"), (3, "Somewhat"), (4, "Quite a bit"), (5, "Very much")),
)
PI_ITEMS = tuple(
    Item(f"promis-{item_id}", text, INTERFERENCE, system=LOCAL_SYSTEM)
    for item_id, text in (
        ("PAININ9", "How much did pain interfere with your day to day activities?"),
        ("PAININ22", "How much did pain interfere with work around the home?"),
        ("PAININ31", "How much did pain interfere with your ability to participate in social activities?"),
        ("PAININ34", "How much did pain interfere with your household chores?"),
        ("PAININ12", "How much did pain interfere with the things you usually do for fun?"),
        ("PAININ36", "How much did pain interfere with your enjoyment of social activities?"),
    )
)
PAIN_INTERFERENCE = Instrument(
    slug="promis-pain-interference-6b",
    name="PROMIS Pain Interference 6b",
    title=_("How pain affects your activities"),
    period="In the past 7 days...",
    items=PI_ITEMS,
    panel_code="promis-pi-6b",
    panel_system=LOCAL_SYSTEM,
    scales=(
        Scale(
            key="promis-pi",
            label=_("Pain interference (PROMIS, raw score)"),
            rule="sum",
            items=tuple(i.code for i in PI_ITEMS),
            minimum=6,
            maximum=30,
            code="promis-pi-6b-raw",
            system=LOCAL_SYSTEM,
        ),
    ),
    licence=LICENCE,
    languages=(FRENCH,),
    reference="PROMIS Item Bank v1.1 Pain Interference, Short Form 6b. Amtmann D et al. Pain 2010;150:173-182.",
    version="v1.0 6b",
)

# Physical Function: higher = better function.
ABLE = _options(
    "promis-pf-able",
    (
        (5, "Without any difficulty"),
        (4, "With a little difficulty"),
        (3, "With some difficulty"),
        (2, "With much difficulty"),
        (1, "Unable to do"),
    ),
)
LIMIT = _options(
    "promis-pf-limit",
    ((5, "Not at all"), (4, "Very little"), (3, "Somewhat"), (2, "Quite a lot"), (1, "Cannot do")),
)
PF_ITEMS = (
    Item("promis-PFA11", "Are you able to do chores such as vacuuming or yard work?", ABLE, system=LOCAL_SYSTEM),
    Item("promis-PFA21", "Are you able to go up and down stairs at a normal pace?", ABLE, system=LOCAL_SYSTEM),
    Item("promis-PFA23", "Are you able to go for a walk of at least 15 minutes?", ABLE, system=LOCAL_SYSTEM),
    Item("promis-PFA53", "Are you able to run errands and shop?", ABLE, system=LOCAL_SYSTEM),
    Item(
        "promis-PFC12",
        "Does your health now limit you in doing two hours of physical labor?",
        LIMIT,
        system=LOCAL_SYSTEM,
    ),
    Item(
        "promis-PFB1",
        "Does your health now limit you in doing moderate work around the house like vacuuming, sweeping floors "
        "or carrying in groceries?",
        LIMIT,
        system=LOCAL_SYSTEM,
    ),
)
PHYSICAL_FUNCTION = Instrument(
    slug="promis-physical-function-6b",
    name="PROMIS Physical Function 6b",
    title=_("What you are able to do"),
    period="Please answer each question.",
    items=PF_ITEMS,
    panel_code="promis-pf-6b",
    panel_system=LOCAL_SYSTEM,
    scales=(
        Scale(
            key="promis-pf",
            label=_("Physical function (PROMIS, raw score)"),
            rule="sum",
            items=tuple(i.code for i in PF_ITEMS),
            minimum=6,
            maximum=30,
            code="promis-pf-6b-raw",
            system=LOCAL_SYSTEM,
            higher_is_worse=False,
        ),
    ),
    licence=LICENCE,
    languages=(FRENCH,),
    reference="PROMIS Item Bank v2.0 Physical Function, Short Form 6b. Rose M et al. J Clin Epidemiol 2014;67:516-526.",
    version="v2.0 6b",
)

# Sleep Disturbance 4a: every item scored so that higher = more disturbance.
QUALITY = _options(
    "promis-sd-quality",
    ((5, "Very poor"), (4, "Poor"), (3, "Fair"), (2, "Good"), (1, "Very good")),
)
AMOUNT = ((1, "Not at all"), (2, "A little bit"), (3, "Somewhat"), (4, "Quite a bit"), (5, "Very much"))
AMOUNT_REVERSED = tuple((6 - value, label) for value, label in AMOUNT)
SD_ITEMS = (
    Item("promis-Sleep109", "My sleep quality was...", QUALITY, system=LOCAL_SYSTEM),
    Item(
        "promis-Sleep116",
        "My sleep was refreshing.",
        _options("promis-sd-rev", AMOUNT_REVERSED),
        system=LOCAL_SYSTEM,
    ),
    Item("promis-Sleep20", "I had a problem with my sleep.", _options("promis-sd", AMOUNT), system=LOCAL_SYSTEM),
    Item("promis-Sleep44", "I had difficulty falling asleep.", _options("promis-sd", AMOUNT), system=LOCAL_SYSTEM),
)
SLEEP_DISTURBANCE = Instrument(
    slug="promis-sleep-disturbance-4a",
    name="PROMIS Sleep Disturbance 4a",
    title=_("Your sleep"),
    period="In the past 7 days...",
    items=SD_ITEMS,
    panel_code="promis-sd-4a",
    panel_system=LOCAL_SYSTEM,
    scales=(
        Scale(
            key="promis-sleep",
            label=_("Sleep disturbance (PROMIS, raw score)"),
            rule="sum",
            items=tuple(i.code for i in SD_ITEMS),
            minimum=4,
            maximum=20,
            code="promis-sd-4a-raw",
            system=LOCAL_SYSTEM,
        ),
    ),
    licence=LICENCE,
    languages=(FRENCH,),
    reference="PROMIS Item Bank v1.0 Sleep Disturbance, Short Form 4a. Buysse DJ et al. Sleep 2010;33:781-792.",
    version="v1.0 4a",
)
