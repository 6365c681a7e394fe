"""The instruments and questionnaires Paceway ships. Register new ones here (a data change)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .base import (
    LOCAL_SYSTEM,
    LOINC,
    AnswerOption,
    Band,
    Instrument,
    Item,
    JacobsonTruax,
    LanguageVersion,
    Questionnaire,
    Scale,
    TScoreTable,
    Wording,
)
from .cssrs import CSSRS_SCREEN, SCREENER
from .gad7 import GAD7
from .nrs import PAIN_NRS
from .peg import PEG
from .pgic import PGIC
from .phq9 import PHQ9, RISK_ITEM
from .promis import PAIN_INTERFERENCE, PHYSICAL_FUNCTION, SLEEP_DISTURBANCE
from .treatment import HEALTH_CARE_USE, UNWANTED_EFFECTS

INSTRUMENTS: dict[str, Instrument] = {
    i.slug: i
    for i in (
        PHQ9, GAD7, PEG, PAIN_NRS, PGIC, PAIN_INTERFERENCE, PHYSICAL_FUNCTION, SLEEP_DISTURBANCE,
        UNWANTED_EFFECTS, HEALTH_CARE_USE,
    )
}  # fmt: skip

# Not shipped: the Pain Catastrophizing Scale and the Pain Self-Efficacy Questionnaire (including
# its 2-item form) are under licence (see the clinical reference, section 3); add them as data
# once the service holds a licence.
IMMPACT_DOMAINS = (PAIN_INTERFERENCE, PHYSICAL_FUNCTION, SLEEP_DISTURBANCE)

WEEKLY_CHECK_IN = "weekly-check-in"

_COMPOSITES = (
    Questionnaire(
        WEEKLY_CHECK_IN,
        _("Weekly check-in"),
        (PEG, PAIN_NRS, PHQ9, GAD7),
        _("Short questionnaires about your pain, mood and worry over the past week or two."),
    ),
    Questionnaire(
        "baseline",
        _("Before you start"),
        (PEG, PAIN_NRS, PHQ9, GAD7, *IMMPACT_DOMAINS, HEALTH_CARE_USE),
        _("These questions give you and your therapist a starting point to measure progress against."),
    ),
    Questionnaire(
        "post-treatment",
        _("End of program"),
        (PEG, PAIN_NRS, PHQ9, GAD7, *IMMPACT_DOMAINS, PGIC, UNWANTED_EFFECTS, HEALTH_CARE_USE),
        _("The same questions as at the start, and how you feel things have changed."),
    ),
    Questionnaire(
        "follow-up",
        _("Three-month follow-up"),
        (PEG, PAIN_NRS, PHQ9, GAD7, *IMMPACT_DOMAINS, PGIC, UNWANTED_EFFECTS, HEALTH_CARE_USE),
        _("How things are three months after the program."),
    ),
)

# Every questionnaire a patient can fill in: each instrument alone, plus the composites.
QUESTIONNAIRES: dict[str, Questionnaire] = {
    **{slug: Questionnaire(slug, inst.title, (inst,)) for slug, inst in INSTRUMENTS.items()},
    **{q.slug: q for q in _COMPOSITES},
}

SCALES: dict[str, tuple[Instrument, Scale]] = {
    scale.key: (instrument, scale) for instrument in INSTRUMENTS.values() for scale in instrument.scales
}


# The follow-up screen after a positive risk item: filled in only through an alert (not listed in
# QUESTIONNAIRES, so it cannot be opened on its own at /outcomes/q/<slug>/).
FOLLOW_UP_SCREENERS: dict[str, Questionnaire] = {SCREENER.slug: SCREENER}


def get_questionnaire(slug: str) -> Questionnaire | None:
    return QUESTIONNAIRES.get(slug)


__all__ = [
    "CSSRS_SCREEN",
    "FOLLOW_UP_SCREENERS",
    "GAD7",
    "HEALTH_CARE_USE",
    "IMMPACT_DOMAINS",
    "INSTRUMENTS",
    "LOCAL_SYSTEM",
    "LOINC",
    "PAIN_INTERFERENCE",
    "PAIN_NRS",
    "PEG",
    "PGIC",
    "PHQ9",
    "PHYSICAL_FUNCTION",
    "QUESTIONNAIRES",
    "RISK_ITEM",
    "SCALES",
    "SCREENER",
    "SLEEP_DISTURBANCE",
    "UNWANTED_EFFECTS",
    "WEEKLY_CHECK_IN",
    "AnswerOption",
    "Band",
    "Instrument",
    "Item",
    "JacobsonTruax",
    "LanguageVersion",
    "Questionnaire",
    "Scale",
    "TScoreTable",
    "Wording",
    "get_questionnaire",
]
