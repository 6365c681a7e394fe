"""Change rules, pure: change from baseline, reliable change, caseness, recovery, percent change.

One measure (:func:`compare`):

- Caseness (NHS Talking Therapies): PHQ-9 >= 10, GAD-7 >= 8 (``Scale.caseness``).
- Reliable improvement / deterioration: a fall / rise of at least the service threshold
  (PHQ-9 6, GAD-7 4; ``Scale.reliable_change``). Without one, the Jacobson-Truax index with the
  parameters documented beside the instrument (``Scale.jacobson_truax``): reliable when |RCI| > 1.96.
  A T-score scale (PROMIS) uses the standard errors of its scoring table instead, the IRT form of
  the same index: RCI = (T2 - T1) / sqrt(SE1^2 + SE2^2), reliable when |RCI| > 1.96.
- Percent change (PEG, NRS): improvement thresholds of 30% and 50% of the baseline (IMMPACT),
  computed from unrounded values; a fall of exactly 30% or 50% reaches the threshold.

The pair PHQ-9 + GAD-7 (:func:`paired`), the NHS Talking Therapies rule, which is the verdict
every page shows for mood and anxiety (a per-measure result only beside it, labelled as such):

- a case at the start when at or above caseness on *either* measure;
- recovery: a case at the start and below caseness on *both* at the end (None: not a case);
- reliable improvement: a reliable improvement on at least one measure and no reliable
  deterioration on the other; reliable deterioration the same way round; one of each is
  no reliable change;
- reliable recovery: recovery and reliable improvement.

Recovery is defined for the pair only: a single measure has no recovery verdict of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .instruments import GAD7, PHQ9, JacobsonTruax, Scale

PHQ9_SCALE = PHQ9.scales[0]
GAD7_SCALE = GAD7.scales[0]

RCI_CRITICAL = 1.96


def rci(jt: JacobsonTruax, pre: float, post: float) -> float:
    se = jt.s_pre * math.sqrt(1 - jt.r_xx)
    s_diff = math.sqrt(2 * se * se)
    return (post - pre) / s_diff


def is_case(scale: Scale, value: float) -> bool | None:
    if scale.caseness is None:
        return None
    return value >= scale.caseness


@dataclass(frozen=True)
class Change:
    scale: Scale
    baseline: float
    latest: float
    change: float  # latest - baseline
    percent_change: float | None  # (latest - baseline) / baseline * 100; None when baseline is 0
    rci: float | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    case_at_baseline: bool | None
    case_at_latest: bool | None
    improvement_thresholds_met: tuple[int, ...]  # e.g. (30,) or (30, 50)


def irt_rci(scale: Scale, pre: float, post: float) -> float:
    """The reliable change index of two T-scores from the SEs of the scale's scoring table."""
    assert scale.tscores is not None
    s_diff = math.hypot(scale.tscores.standard_error(pre), scale.tscores.standard_error(post))
    return (post - pre) / s_diff


def compare(scale: Scale, baseline: float, latest: float) -> Change:
    change = latest - baseline
    improvement = -change if scale.higher_is_worse else change
    if scale.jacobson_truax:
        index: float | None = rci(scale.jacobson_truax, baseline, latest)
    elif scale.tscores is not None:
        index = irt_rci(scale, baseline, latest)
    else:
        index = None
    if scale.reliable_change is not None:
        improved: bool | None = improvement >= scale.reliable_change
        worse: bool | None = -improvement >= scale.reliable_change
    elif index is not None:
        signed = -index if scale.higher_is_worse else index
        improved, worse = signed > RCI_CRITICAL, signed < -RCI_CRITICAL
    else:
        improved = worse = None
    percent = None
    met: tuple[int, ...] = ()
    if scale.percent_thresholds and baseline:
        percent = change / baseline * 100
        fall = -percent if scale.higher_is_worse else percent
        # A small tolerance so that exactly 30% (e.g. 10 -> 7) counts despite float rounding.
        met = tuple(t for t in scale.percent_thresholds if fall + 1e-9 >= t)
    return Change(
        scale=scale,
        baseline=baseline,
        latest=latest,
        change=change,
        percent_change=percent,
        rci=index,
        reliable_improvement=improved,
        reliable_deterioration=worse,
        case_at_baseline=is_case(scale, baseline),
        case_at_latest=is_case(scale, latest),
        improvement_thresholds_met=met,
    )


Verdict = Literal["reliable-improvement", "reliable-deterioration", "no-reliable-change"]

IMPROVEMENT: Verdict = "reliable-improvement"
DETERIORATION: Verdict = "reliable-deterioration"
NO_CHANGE: Verdict = "no-reliable-change"


@dataclass(frozen=True)
class PairedChange:
    """The NHS Talking Therapies verdict on PHQ-9 and GAD-7 taken together (see the module doc)."""

    phq9: Change  # per-measure results: show only beside the paired verdict, labelled as such
    gad7: Change
    case_at_start: bool
    case_at_end: bool
    verdict: Verdict
    recovery: bool | None  # None when not a case at the start
    reliable_recovery: bool | None

    @property
    def reliable_improvement(self) -> bool:
        return self.verdict == IMPROVEMENT

    @property
    def reliable_deterioration(self) -> bool:
        return self.verdict == DETERIORATION


def paired(phq9: Change, gad7: Change) -> PairedChange:
    """Judge the pair from each measure's own change (start and end from the same two sittings).

    A measure cannot improve and deteriorate reliably at once, so "a reliable improvement on one
    and no reliable deterioration on the other" is "some improvement and no deterioration at all".
    """
    if phq9.scale.key != "phq9" or gad7.scale.key != "gad7":
        raise ValueError("paired() takes the PHQ-9 change, then the GAD-7 change")
    improved = bool(phq9.reliable_improvement or gad7.reliable_improvement)
    worse = bool(phq9.reliable_deterioration or gad7.reliable_deterioration)
    verdict = IMPROVEMENT if improved and not worse else DETERIORATION if worse and not improved else NO_CHANGE
    case_start = bool(phq9.case_at_baseline or gad7.case_at_baseline)
    case_end = bool(phq9.case_at_latest or gad7.case_at_latest)
    recovery = (not case_end) if case_start else None
    reliable_recovery = (recovery and verdict == IMPROVEMENT) if case_start else None
    return PairedChange(phq9, gad7, case_start, case_end, verdict, recovery, reliable_recovery)


def paired_scores(phq9_start: float, gad7_start: float, phq9_end: float, gad7_end: float) -> PairedChange:
    """:func:`paired` from four totals."""
    return paired(compare(PHQ9_SCALE, phq9_start, phq9_end), compare(GAD7_SCALE, gad7_start, gad7_end))


def reliable_change_threshold(scale: Scale, baseline: float | None = None) -> float | None:
    """The smallest change that counts as reliable, in score points (for chart lines). On a T-score
    scale it depends on both scores' SEs: this is the one from ``baseline`` taking its SE twice (a
    guide line; the verdict on each point is :func:`compare`'s)."""
    if scale.reliable_change is not None:
        return scale.reliable_change
    if scale.jacobson_truax is not None:
        jt = scale.jacobson_truax
        return RCI_CRITICAL * math.sqrt(2) * jt.s_pre * math.sqrt(1 - jt.r_xx)
    if scale.tscores is not None and baseline is not None:
        return RCI_CRITICAL * math.sqrt(2) * scale.tscores.standard_error(baseline)
    return None
