"""Change rules, pure: change from baseline, reliable change, caseness, recovery, percent change.

- Caseness (NHS Talking Therapies): PHQ-9 >= 10, GAD-7 >= 8 (``Scale.caseness``).
- Reliable improvement / deterioration: a fall / rise of at least the service threshold
  (PHQ-9 6, GAD-7 4; ``Scale.reliable_change``). Without one, the Jacobson-Truax index with the
  parameters documented beside the instrument (``Scale.jacobson_truax``): reliable when |RCI| > 1.96.
- Recovery: a case at baseline and not a case at the latest measure. Reliable recovery: recovery
  and reliable improvement. Not applicable (None) when the baseline is not a case.
- Percent change (PEG, NRS): improvement thresholds of 30% and 50% of the baseline (IMMPACT).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .instruments import JacobsonTruax, Scale

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
    recovery: bool | None
    reliable_recovery: bool | None
    improvement_thresholds_met: tuple[int, ...]  # e.g. (30,) or (30, 50)


def compare(scale: Scale, baseline: float, latest: float) -> Change:
    change = latest - baseline
    improvement = -change if scale.higher_is_worse else change
    index = rci(scale.jacobson_truax, baseline, latest) if scale.jacobson_truax else None
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
    case_pre, case_post = is_case(scale, baseline), is_case(scale, latest)
    recovery = reliable_recovery = None
    if case_pre:
        recovery = not case_post
        reliable_recovery = bool(recovery and improved)
    return Change(
        scale=scale,
        baseline=baseline,
        latest=latest,
        change=change,
        percent_change=percent,
        rci=index,
        reliable_improvement=improved,
        reliable_deterioration=worse,
        case_at_baseline=case_pre,
        case_at_latest=case_post,
        recovery=recovery,
        reliable_recovery=reliable_recovery,
        improvement_thresholds_met=met,
    )


def reliable_change_threshold(scale: Scale) -> float | None:
    """The smallest change that counts as reliable, in score points (for chart markers)."""
    if scale.reliable_change is not None:
        return scale.reliable_change
    if scale.jacobson_truax is not None:
        jt = scale.jacobson_truax
        return RCI_CRITICAL * math.sqrt(2) * jt.s_pre * math.sqrt(1 - jt.r_xx)
    return None
