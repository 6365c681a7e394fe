"""Validating and scoring answers: pure functions, no database, fast enough for 4^9 vectors.

Answers arrive as (item code, value) pairs so that a duplicated item can be seen. Items are
found by code, never by position. Anything missing, duplicated, unknown, from another
instrument or out of range is an :class:`AnswerErrors`, never a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .instruments import Band, Questionnaire, Scale

MAX_ANSWERS = 200


class AnswerErrors(Exception):
    """Field errors keyed by item code ("__all__" for the whole payload)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid answers")
        self.errors = errors


@dataclass(frozen=True)
class ScaleScore:
    scale: Scale
    total: float  # unrounded (a mean is the exact quotient): compute with this
    band: Band | None

    @property
    def stored(self) -> Decimal:
        """The total as stored and shown: rounded to the scale's decimals (display only)."""
        return Decimal(str(round(self.total, self.scale.decimals)))


@dataclass(frozen=True)
class Result:
    answers: dict[str, int]
    scores: tuple[ScaleScore, ...]
    risk_items: tuple[str, ...]  # codes of items answered positive on a risk screen

    @property
    def risk(self) -> bool:
        return bool(self.risk_items)


def _as_int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 4:
            return int(text)
    return None


def validate(questionnaire: Questionnaire, pairs: Iterable[tuple[object, object]]) -> dict[str, int]:
    errors: dict[str, list[str]] = {}
    answers: dict[str, int] = {}
    items = questionnaire.items_by_code
    count = 0
    for raw_code, raw_value in pairs:
        count += 1
        if count > MAX_ANSWERS:
            errors.setdefault("__all__", []).append(str(_("Too many answers.")))
            break
        code = raw_code if isinstance(raw_code, str) else str(raw_code)
        entry = items.get(code)
        if entry is None:
            errors.setdefault(code[:40], []).append(str(_("This question is not part of this questionnaire.")))
            continue
        item = entry[1]
        if code in answers or code in errors:
            errors.setdefault(code, []).append(str(_("This question was answered more than once.")))
            continue
        if not item.required and (raw_value is None or raw_value == ""):
            continue
        value = _as_int(raw_value)
        if value is None or value not in item.values:
            errors.setdefault(code, []).append(str(_("Choose one of the answers offered.")))
            continue
        answers[code] = value
    for code in questionnaire.required_codes:
        if code not in answers and code not in errors:
            errors[code] = [str(_("Please answer this question."))]
    if errors:
        raise AnswerErrors(errors)
    return answers


def score_scale(scale: Scale, answers: Mapping[str, int]) -> ScaleScore:
    try:
        values = [answers[code] for code in scale.items]
    except KeyError as exc:  # scoring is only ever called on validated answers
        raise ValueError(f"{scale.key}: item {exc.args[0]} missing") from None
    if scale.rule == "sum":
        total: float = sum(values)
    elif scale.rule == "mean":
        total = sum(values) / len(values)  # unrounded: percent change is computed from this
    elif scale.rule == "tscore":
        assert scale.tscores is not None  # Scale checks the pair
        total = scale.tscores.t_score(sum(values))
    else:
        total = values[0]
    return ScaleScore(scale, total, scale.band_for(total))


def exact_total(scale: Scale, stored: float) -> float:
    """The unrounded total behind a stored (rounded) one, for computing change and percentages.

    A sum or single item is an integer and is stored exactly. A mean of n integer items is k / n
    for an integer k, stored rounded to ``scale.decimals`` places (error at most half a unit in
    the last place), so k = round(stored * n) exactly while n * 0.5 * 10**-decimals < 0.5, i.e.
    n < 10**decimals (PEG: 3 items, 2 decimals). Example: PEG 6.67 is 20/3, and 20/3 -> 14/3 is
    a fall of exactly 30%, where 6.67 -> 4.67 would be 29.99%.
    """
    if scale.rule != "mean":
        return stored
    n = len(scale.items)
    if n >= 10**scale.decimals:
        raise ValueError(f"{scale.key}: {n} items cannot be recovered from {scale.decimals} decimals")
    return round(stored * n) / n


def score(questionnaire: Questionnaire, answers: Mapping[str, int]) -> Result:
    scores = tuple(score_scale(scale, answers) for scale in questionnaire.scales)
    risk = tuple(code for code, limit in questionnaire.risk_items if answers.get(code, 0) > limit)
    return Result(dict(answers), scores, risk)


def validate_and_score(questionnaire: Questionnaire, pairs: Iterable[tuple[object, object]]) -> Result:
    return score(questionnaire, validate(questionnaire, pairs))
