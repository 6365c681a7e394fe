"""When each questionnaire is due, per program. Data, like the instruments.

Days are counted from the patient's start: the start date of the active enrolment (which may lie
ahead of the day of enrolment), otherwise the first response (the baseline). A questionnaire is
*due* from ``OPEN_BEFORE`` days before its day until ``GRACE`` days after it, *overdue* after that
(until the next one of the same kind opens), and *done* when a response to it exists in that window.
"""

from __future__ import annotations

from dataclasses import dataclass

from .instruments import WEEKLY_CHECK_IN

OPEN_BEFORE = 1
GRACE = 2


# Not needed for an occasion to count as answered: PEG's first item already asks about average pain.
NOT_REQUIRED_FOR_REUSE = frozenset({"pain-nrs"})

# One baseline: the intake's PEG, PHQ-9 and GAD-7 count as the baseline when answered at most this
# many days before the program starts; and week 1 is not asked when the same questions were
# answered within the PHQ-9's and GAD-7's two-week recall period before it opens.
BASELINE_REUSE_DAYS = 28
RECALL_PERIOD_DAYS = 14


@dataclass(frozen=True)
class Occasion:
    key: str  # "baseline", "week-2", "post", "follow-up"
    questionnaire: str
    day: int
    # Answers to the same instruments (in any questionnaire, e.g. the intake) from up to this many
    # days before the occasion opens count for it, so nothing is asked twice within that window.
    reuse_within_days: int = 0


def chronic_pain_schedule(weeks: int = 8, weekly: str = WEEKLY_CHECK_IN) -> tuple[Occasion, ...]:
    occasions = [Occasion("baseline", "baseline", 0, reuse_within_days=BASELINE_REUSE_DAYS)]
    occasions.append(Occasion("week-1", weekly, 7, reuse_within_days=RECALL_PERIOD_DAYS))
    occasions += [Occasion(f"week-{w}", weekly, 7 * w) for w in range(2, weeks)]
    occasions.append(Occasion("post", "post-treatment", 7 * weeks))
    occasions.append(Occasion("follow-up", "follow-up", 7 * weeks + 91))
    return tuple(occasions)


PROGRAM_SCHEDULES: dict[str, tuple[Occasion, ...]] = {"chronic-pain": chronic_pain_schedule()}
DEFAULT_PROGRAM = "chronic-pain"
