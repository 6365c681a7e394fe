"""paceway.mail_once: the one "send this e-mail once" service behind reminders and message
notices (recorded first, wishes and quiet hours respected, sent after commit)."""

from __future__ import annotations

import logging
from datetime import time

import pytest
from django.core import mail

from modules.program.models import ReminderPreference, ReminderSent
from paceway import mail_once

pytestmark = pytest.mark.django_db(transaction=True)  # as the scheduler runs it: no outer transaction


def _reminder(patient, period="p1", **kwargs):
    return mail_once.send_once(
        recipient=patient,
        wishes=ReminderPreference.objects.get_or_create(patient=patient)[0],
        reason="homework",
        record=lambda: ReminderSent.objects.create(patient=patient, reason="homework", period=period),
        compose=lambda: ("A reminder", "Something is waiting."),
        **kwargs,
    )


def test_it_sends_once_per_key(personas):
    assert _reminder(personas.patient) is True
    assert _reminder(personas.patient) is False  # a second scheduler run
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [personas.patient.email]


def test_it_holds_in_quiet_hours_without_recording(personas):
    ReminderPreference.objects.create(patient=personas.patient, quiet_start=time(0, 0), quiet_end=time(23, 59, 59))
    assert _reminder(personas.patient) is False
    assert ReminderSent.objects.count() == 0 and mail.outbox == []


def test_it_logs_a_failed_send_by_user_id_only_and_does_not_retry(personas, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("paceway.mail_once.send_mail", broken)
    with caplog.at_level(logging.WARNING, logger="paceway.mail_once"):
        assert _reminder(personas.patient) is False
    assert ReminderSent.objects.count() == 1  # at most once: recorded, not tried again
    assert str(personas.patient.pk) in caplog.text and "ConnectionRefusedError" in caplog.text
    assert personas.patient.email not in caplog.text


def test_it_sends_nothing_to_an_inactive_account(personas):
    personas.stranger.is_active = False
    personas.stranger.save()
    assert _reminder(personas.stranger) is False and mail.outbox == []
