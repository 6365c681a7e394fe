"""Reminder e-mails: module opened, mid-week homework, inactivity nudge.

Each reminder is keyed (patient, reason, period) in ReminderSent before the e-mail goes out, so a
scheduler that fires twice, or a task that is retried, sends at most once. E-mails carry no health
data: only that something is waiting, and a link.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paceway import mail_once
from paceway.task import task

from . import selectors
from .models import Enrolment, ReminderPreference, ReminderReason, ReminderSent

HOMEWORK_AFTER_DAYS = 3
INACTIVE_AFTER_DAYS = 7


def _subject_and_body(reason: str) -> tuple[str, str]:
    link = settings.SITE_URL + reverse("modules:home")
    settings_link = settings.SITE_URL + reverse("modules:settings")
    subjects = {
        ReminderReason.MODULE_OPENED: _("Something new is waiting for you in Paceway"),
        ReminderReason.HOMEWORK: _("A reminder from Paceway"),
        ReminderReason.INACTIVITY: _("Something is waiting for you in Paceway"),
    }
    body = _(
        "Hello,\n\nSomething is waiting for you in Paceway. Log in to see it:\n%(link)s\n\n"
        "You can change or turn off these reminders at any time:\n%(settings)s\n"
    ) % {"link": link, "settings": settings_link}
    return str(subjects[ReminderReason(reason)]), body


def send_once(*, patient: Any, reason: str, period: str, pref: ReminderPreference | None = None) -> bool:
    """One reminder e-mail per (patient, reason, period), after commit (``paceway.mail_once``)."""
    return mail_once.send_once(
        recipient=patient,
        wishes=pref or selectors.reminder_preference(patient),
        reason=reason,
        record=lambda: ReminderSent.objects.create(patient=patient, reason=reason, period=period),
        compose=lambda: _subject_and_body(reason),
    )


def _active_enrolments() -> Any:
    return Enrolment.objects.filter(ended_at__isnull=True, patient__is_active=True).select_related("program", "patient")


@task(acks_late=True)
def send_module_opened_reminders() -> int:
    """A module that opened (and is not started) gets one e-mail, keyed by the patient's plan row."""
    sent = 0
    today = timezone.localdate()
    for enrolment in _active_enrolments():
        overview = selectors.program_overview(enrolment, today=today)
        for state in overview.states:
            if state.is_open and not state.is_complete and state.steps_done == 0 and state.index > 1:
                sent += send_once(
                    patient=enrolment.patient, reason=ReminderReason.MODULE_OPENED, period=f"plan-{state.plan.pk}"
                )
    return sent


@task(acks_late=True)
def send_homework_reminders() -> int:
    """Mid-week: the current module has been open a few days and is not finished."""
    sent = 0
    today = timezone.localdate()
    for enrolment in _active_enrolments():
        current = selectors.program_overview(enrolment, today=today).current
        if current is None or not current.is_open or current.is_complete:
            continue
        opened = max(current.opens_on, enrolment.start_date)
        if today >= opened + timedelta(days=HOMEWORK_AFTER_DAYS):
            sent += send_once(
                patient=enrolment.patient,
                reason=ReminderReason.HOMEWORK,
                period=f"plan-{current.plan.pk}-from-{opened.isoformat()}",
            )
    return sent


@task(acks_late=True)
def send_inactivity_nudges() -> int:
    """Not seen for a week: one nudge per quiet spell (keyed by when they were last active)."""
    sent = 0
    now = timezone.now()
    for enrolment in _active_enrolments():
        last = enrolment.last_active_at or timezone.make_aware(datetime.combine(enrolment.start_date, time.min))
        if now - last >= timedelta(days=INACTIVE_AFTER_DAYS):
            sent += send_once(
                patient=enrolment.patient,
                reason=ReminderReason.INACTIVITY,
                period=f"since-{timezone.localtime(last).date().isoformat()}",
            )
    return sent
