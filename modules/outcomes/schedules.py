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


@dataclass(frozen=True)
class Occasion:
    key: str  # "baseline", "week-2", "post", "follow-up"
    questionnaire: str
    day: int


def chronic_pain_schedule(weeks: int = 8, weekly: str = WEEKLY_CHECK_IN) -> tuple[Occasion, ...]:
    occasions = [Occasion("baseline", "baseline", 0)]
    occasions += [Occasion(f"week-{w}", weekly, 7 * w) for w in range(1, weeks)]
    occasions.append(Occasion("post", "post-treatment", 7 * weeks))
    occasions.append(Occasion("follow-up", "follow-up", 7 * weeks + 91))
    return tuple(occasions)


PROGRAM_SCHEDULES: dict[str, tuple[Occasion, ...]] = {"chronic-pain": chronic_pain_schedule()}
DEFAULT_PROGRAM = "chronic-pain"
