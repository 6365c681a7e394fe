"""What the clinic promises about time: how soon a screening decision, an assignment and a
reply to a message come. Set per clinic in the environment (see settings); shown to patients as
a date in their own time zone, and used for the therapist inbox's "overdue" flag."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

WEEKEND = (5, 6)  # Saturday, Sunday


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days (Monday to Friday) after ``start``."""
    current = start
    left = max(0, days)
    while left:
        current += timedelta(days=1)
        if current.weekday() not in WEEKEND:
            left -= 1
    return current


def business_days_after(moment: datetime, days: int) -> datetime:
    """The same clock time, ``days`` business days later (in the clinic's zone)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    target = add_business_days(local.date(), days)
    return local.replace(year=target.year, month=target.month, day=target.day)


def reply_due(sent_at: datetime) -> datetime:
    """When a patient's message should have a reply by (the clinic's reply target)."""
    return business_days_after(sent_at, settings.REPLY_TARGET_BUSINESS_DAYS)


def decision_expected(submitted_at: datetime) -> datetime:
    return business_days_after(submitted_at, settings.SCREENING_DECISION_BUSINESS_DAYS)


def assignment_expected(since: datetime) -> datetime:
    return business_days_after(since, settings.ASSIGNMENT_BUSINESS_DAYS)
