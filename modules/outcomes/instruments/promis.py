"""PROMIS short forms for the IMMPACT domains of physical functioning, pain interference and sleep.

Licence (HealthMeasures terms of use, healthmeasures.net): PROMIS instruments are (c) 2008-2024
PROMIS Health Organization (PHO). Individual clinicians and health-care organisations may use
them without charge in clinical care, as may non-commercial research. The items, response options
and their order must not be changed (no rewording, no dropped or added items), and only official
translations may be used (any other translation needs the PHO). Software that sells or licenses
the instruments, or a commercial use, needs a licence from the PHO. Paceway is used in care
without charge for the instruments, so no licence fee applies; a paid service built on it must
check the commercial terms. Recorded per instrument in ``licence``.

Which forms (checked against the PROMIS item banks, see ``WORDING``):
- Pain interference: the six items shipped since the first version (PAININ9, 22, 31, 34, 12, 36)
  are the *Short Form v1.0 Pain Interference 6a*, not 6b (6b is PAININ3, 8, 9, 10, 14, 26). The
  name, version and scoring table now say 6a. The slug still ends in "6b" because stored
  responses and the French siblings refer to it; it is an identifier, never shown.
- Physical function: Short Form 6b (PFA11, PFA21, PFA23, PFA53, PFC12, PFB1).
- Sleep disturbance: Short Form v1.0 Sleep Disturbance 4a (Sleep109, Sleep116, Sleep20, Sleep44).

Item wording and response options must be checked against the official PDF of the form version
named in ``version`` before clinical use (they are transcribed here). The wording is data (plain
strings, not in the gettext catalogue).

French: HealthMeasures distributes the official PROMIS translations; the French texts of these
exact short forms could not be obtained verbatim when this was written, so French speakers see
the English items with a note (``FRENCH``). Only an official translation may replace it.

Scoring: the raw sum (each item 1-5; 6-30 or 4-20) is kept (scale ``promis-*``, not charted) and
looked up in the raw-score-to-T-score table of the form (scale ``promis-*-t``, charted and
analysed), which gives each T-score its standard error (SE). Reliable change on a T-score uses
those SEs (``change.compare``): a change is reliable when |T2 - T1| > 1.96 * sqrt(SE1^2 + SE2^2).
For group means, the published minimal important differences are in ``MID`` below (for reading
the evaluation; never used to flag one patient).

Where each table comes from (``TScoreTable.source``; ``verified`` says if every row was checked):
- Sleep Disturbance 4a: the published table of the PROMIS scoring manual (also the Sleep
  Disturbance table of the PROMIS-29 profile, same four items), verified.
- Pain Interference 6a and Physical Function 6b: the published PDF tables could not be reached
  from here. The rows are the manual's own method (expected a posteriori T-score for each summed
  score, Lord-Wingersky recursion, standard normal prior, quadrature -4..4 in 81 points) applied
  to the PROMIS item calibrations of these forms. The same computation reproduces, row for row,
  the published PROMIS-29 tables for Pain Interference 4a and Physical Function 4a (whose items
  are 4 of these 6), and the Physical Function 6b example raw 17 -> T 36.8; the 6-item rows
  themselves are marked ``verified=False`` until the clinical lead compares them with the
  HealthMeasures scoring manual (a data change if a row differs).
"""

from django.utils.translation import gettext_lazy as _

from .base import (
    ENGLISH_ONLY_NOTE_FR,
    LOCAL_SYSTEM,
    AnswerOption,
    Instrument,
    Item,
    LanguageVersion,
    Scale,
    TScoreTable,
)

LICENCE = (
    "PROMIS (c) 2008-2024 PROMIS Health Organization (PHO). HealthMeasures terms of use: free of charge for "
    "clinicians and health-care organisations in clinical care and for non-commercial research; items, response "
    "options and their order unchanged; official translations only; commercial use or distribution in software "
    "that is sold needs a PHO licence."
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

# How the item wording and response options were checked (the official PDF forms could not be
# reached from here): against the PROMIS item-bank exports of the Assessment Center (item id,
# context, wording, options and calibrations), as carried in Stanford CHOIR's PROMIS banks, and
# the form compositions listed by PROMIS scoring code. Every item, option and order matched.
WORDING = (
    "Wording and options checked item by item against the PROMIS Assessment Center item-bank exports "
    "(not against the printed PDF form); check against the official PDF before changing anything."
)

# Minimal important differences for group means (T-score points), for reading the evaluation.
MID = {
    "promis-pi-t": "2 to 3 in chronic pain samples (Chen CX et al. Pain 2018;159:775-782); "
    "3.5 to 5.5 in low back pain (Amtmann D et al. J Pain Res 2016;9:251-255).",
}

DERIVED = (
    "Computed here by the scoring manual's method (EAP summed-score T, Lord-Wingersky, N(0,1) prior, "
    "quadrature -4..4, 81 points) from the PROMIS item calibrations of this form; the method reproduces the "
    "published PROMIS-29 4a tables row for row. Not yet compared with the HealthMeasures manual table."
)

PI_6A_TABLE = TScoreTable(
    rows=(
        (6, 41.1, 6.0), (7, 48.6, 2.4), (8, 50.7, 1.8), (9, 52.2, 1.6), (10, 53.4, 1.6), (11, 54.5, 1.6),
        (12, 55.6, 1.5), (13, 56.6, 1.5), (14, 57.6, 1.5), (15, 58.6, 1.5), (16, 59.5, 1.5), (17, 60.4, 1.4),
        (18, 61.2, 1.4), (19, 62.1, 1.4), (20, 63.0, 1.5), (21, 63.8, 1.5), (22, 64.8, 1.5), (23, 65.7, 1.5),
        (24, 66.7, 1.5), (25, 67.6, 1.5), (26, 68.7, 1.5), (27, 69.8, 1.5), (28, 71.0, 1.6), (29, 72.6, 2.0),
        (30, 76.2, 3.5),
    ),
    source="PROMIS Short Form v1.0 Pain Interference 6a. " + DERIVED,
    verified=False,
)  # fmt: skip
PF_6B_TABLE = TScoreTable(
    rows=(
        (6, 21.6, 3.6), (7, 25.4, 2.6), (8, 27.5, 2.2), (9, 29.1, 2.1), (10, 30.4, 2.0), (11, 31.5, 1.9),
        (12, 32.5, 1.8), (13, 33.4, 1.8), (14, 34.3, 1.8), (15, 35.1, 1.8), (16, 36.0, 1.8), (17, 36.8, 1.8),
        (18, 37.6, 1.8), (19, 38.5, 1.8), (20, 39.3, 1.8), (21, 40.2, 1.8), (22, 41.1, 1.8), (23, 42.1, 1.8),
        (24, 43.1, 1.9), (25, 44.2, 1.9), (26, 45.4, 2.0), (27, 46.8, 2.2), (28, 48.6, 2.6), (29, 50.9, 2.9),
        (30, 58.7, 6.2),
    ),
    source="PROMIS Short Form v2.0 Physical Function 6b (item calibrations as issued with the v1.2 form; they "
    "reproduce the v2.0 PROMIS-29 Physical Function 4a table). " + DERIVED,
    verified=False,
)  # fmt: skip
SD_4A_TABLE = TScoreTable(
    rows=(
        (4, 32.0, 5.2), (5, 37.5, 4.0), (6, 41.1, 3.7), (7, 43.8, 3.5), (8, 46.2, 3.5), (9, 48.4, 3.4),
        (10, 50.5, 3.4), (11, 52.4, 3.4), (12, 54.3, 3.4), (13, 56.1, 3.4), (14, 57.9, 3.3), (15, 59.8, 3.3),
        (16, 61.7, 3.3), (17, 63.8, 3.4), (18, 66.0, 3.4), (19, 68.8, 3.7), (20, 73.3, 4.6),
    ),
    source="PROMIS Short Form v1.0 Sleep Disturbance 4a: published conversion table of the PROMIS Sleep "
    "Disturbance scoring manual (the same as the PROMIS-29 profile's Sleep Disturbance table).",
    verified=True,
)  # fmt: skip


def _t_scale(raw: Scale, table: TScoreTable, label: object) -> Scale:
    """The T-score scale beside a raw-sum scale: same items, the table's range, one decimal."""
    return Scale(
        key=f"{raw.key}-t",
        label=label,  # type: ignore[arg-type]
        rule="tscore",
        items=raw.items,
        minimum=20,
        maximum=80,
        code=f"{raw.code[: -len('-raw')]}-tscore",
        system=LOCAL_SYSTEM,
        higher_is_worse=raw.higher_is_worse,
        decimals=1,
        tscores=table,
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
PI_RAW = Scale(
    key="promis-pi",
    label=_("Pain interference (PROMIS, raw score)"),
    rule="sum",
    items=tuple(i.code for i in PI_ITEMS),
    minimum=6,
    maximum=30,
    code="promis-pi-6a-raw",
    system=LOCAL_SYSTEM,
    shown=False,
)
PAIN_INTERFERENCE = Instrument(
    slug="promis-pain-interference-6b",  # an identifier kept from the first version: the form is 6a
    name="PROMIS Short Form v1.0 - Pain Interference 6a",
    title=_("How pain affects your activities"),
    period="In the past 7 days...",
    items=PI_ITEMS,
    panel_code="promis-pi-6b",
    panel_system=LOCAL_SYSTEM,
    scales=(PI_RAW, _t_scale(PI_RAW, PI_6A_TABLE, _("Pain interference (PROMIS T-score)"))),
    licence=LICENCE,
    languages=(FRENCH,),
    reference="PROMIS Short Form v1.0 Pain Interference 6a (item bank v1.1). Amtmann D et al. Pain "
    "2010;150:173-182. " + WORDING,
    version="v1.0 6a",
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
PF_RAW = Scale(
    key="promis-pf",
    label=_("Physical function (PROMIS, raw score)"),
    rule="sum",
    items=tuple(i.code for i in PF_ITEMS),
    minimum=6,
    maximum=30,
    code="promis-pf-6b-raw",
    system=LOCAL_SYSTEM,
    higher_is_worse=False,
    shown=False,
)
PHYSICAL_FUNCTION = Instrument(
    slug="promis-physical-function-6b",
    name="PROMIS Short Form v2.0 - Physical Function 6b",
    title=_("What you are able to do"),
    period="Please answer each question.",
    items=PF_ITEMS,
    panel_code="promis-pf-6b",
    panel_system=LOCAL_SYSTEM,
    scales=(PF_RAW, _t_scale(PF_RAW, PF_6B_TABLE, _("Physical function (PROMIS T-score)"))),
    licence=LICENCE,
    languages=(FRENCH,),
    reference="PROMIS Short Form v2.0 Physical Function 6b. Rose M et al. J Clin Epidemiol 2014;67:516-526. " + WORDING,
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
SD_RAW = Scale(
    key="promis-sleep",
    label=_("Sleep disturbance (PROMIS, raw score)"),
    rule="sum",
    items=tuple(i.code for i in SD_ITEMS),
    minimum=4,
    maximum=20,
    code="promis-sd-4a-raw",
    system=LOCAL_SYSTEM,
    shown=False,
)
SLEEP_DISTURBANCE = Instrument(
    slug="promis-sleep-disturbance-4a",
    name="PROMIS Short Form v1.0 - Sleep Disturbance 4a",
    title=_("Your sleep"),
    period="In the past 7 days...",
    items=SD_ITEMS,
    panel_code="promis-sd-4a",
    panel_system=LOCAL_SYSTEM,
    scales=(SD_RAW, _t_scale(SD_RAW, SD_4A_TABLE, _("Sleep disturbance (PROMIS T-score)"))),
    licence=LICENCE,
    languages=(FRENCH,),
    reference="PROMIS Short Form v1.0 Sleep Disturbance 4a. Buysse DJ et al. Sleep 2010;33:781-792. " + WORDING,
    version="v1.0 4a",
)
