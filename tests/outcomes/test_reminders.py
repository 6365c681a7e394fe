"""Questionnaire reminders: once per patient, questionnaire and period; opt-out; quiet hours; no health data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from modules.outcomes import services, tasks
from modules.outcomes.beat_schedule import BEAT_SCHEDULE
from modules.program.models import Enrolment, Program, ReminderPreference, ReminderSent

from .helpers import weekly


def noon(year: int, month: int, day: int) -> datetime:
    """Midday in the project's time zone (America/Toronto)."""
    return datetime(year, month, day, 17, 0, tzinfo=UTC)


@pytest.fixture
def enrolled(personas):
    program = Program.objects.create(slug="chronic-pain", version=1, title="Program", content_hash="x")
    Enrolment.objects.create(
        patient=personas.patient,
        program=program,
        start_date=date(2026, 1, 5),
        enrolled_by=personas.therapist,
        enrolled_at=noon(2026, 1, 5),
    )
    return personas.patient


def test_it_sends_once_even_if_the_scheduler_fires_twice(enrolled, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(noon(2026, 1, 5), tick=False):
            assert tasks.send_questionnaire_reminders() == 1  # the baseline
            assert tasks.send_questionnaire_reminders() == 0
        with time_machine.travel(noon(2026, 1, 6), tick=False):
            assert tasks.send_questionnaire_reminders() == 0  # same questionnaire, same period
        with time_machine.travel(noon(2026, 1, 12), tick=False):
            assert tasks.send_questionnaire_reminders() == 1  # week 1: a new period
            assert tasks.send_questionnaire_reminders() == 0
    assert len(mail.outbox) == 2
    assert [m.to for m in mail.outbox] == [[personas.patient.email]] * 2
    periods = set(ReminderSent.objects.filter(reason="questionnaires").values_list("period", flat=True))
    assert periods == {"baseline:2026-01-05", "week-1:2026-01-12"}
    assert "/outcomes/q/baseline/" in mail.outbox[0].body
    assert "/outcomes/q/weekly-check-in/" in mail.outbox[1].body


def test_nothing_is_sent_once_the_questionnaire_is_done_or_to_the_unenrolled(
    enrolled, personas, django_capture_on_commit_callbacks
):
    with time_machine.travel(noon(2026, 1, 5), tick=False):
        services.submit_response(
            actor=personas.patient,
            patient=personas.patient,
            questionnaire="weekly-check-in",
            answers=list(weekly().items()),
        )
    # Week 1 is covered by the answers of day 0 (one baseline, nothing asked twice within two weeks).
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(noon(2026, 1, 13), tick=False):
        assert tasks.send_questionnaire_reminders() == 0
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(noon(2026, 1, 20), tick=False):
        assert tasks.send_questionnaire_reminders() == 1  # week 2 is due; the stranger is not enrolled
        services.submit_response(
            actor=personas.patient,
            patient=personas.patient,
            questionnaire="weekly-check-in",
            answers=list(weekly().items()),
        )
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(noon(2026, 1, 20) + timedelta(hours=2)):
        assert tasks.send_questionnaire_reminders() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [personas.patient.email]


def test_the_opt_out_is_respected(enrolled, personas, django_capture_on_commit_callbacks):
    ReminderPreference.objects.create(patient=personas.patient, questionnaires=False)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(noon(2026, 1, 5), tick=False):
        assert tasks.send_questionnaire_reminders() == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_the_patient_turns_questionnaire_reminders_off_in_settings(enrolled, clients, personas):
    page = clients["patient"].get("/program/settings/")
    assert b'name="questionnaires"' in page.content
    response = clients["patient"].post("/program/settings/", {"module_opened": "on", "homework": "on"})
    assert response.status_code == 302
    pref = ReminderPreference.objects.get(patient=personas.patient)
    assert not pref.questionnaires and pref.module_opened and pref.homework


def test_quiet_hours_hold_the_reminder_until_they_are_over(enrolled, personas, django_capture_on_commit_callbacks):
    ReminderPreference.objects.create(patient=personas.patient, quiet_start=time(22, 0), quiet_end=time(8, 0))
    late = datetime(2026, 1, 5, 23, 30, tzinfo=timezone.get_current_timezone())
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(late, tick=False):
            assert tasks.send_questionnaire_reminders() == 0  # held, not recorded
        assert not ReminderSent.objects.exists()
        with time_machine.travel(late + timedelta(hours=4), tick=False):
            assert tasks.send_questionnaire_reminders() == 0  # 03:30: still quiet
        with time_machine.travel(late + timedelta(hours=10), tick=False):
            assert tasks.send_questionnaire_reminders() == 1  # 09:30
            assert tasks.send_questionnaire_reminders() == 0
    assert len(mail.outbox) == 1


def test_the_email_carries_no_health_data(enrolled, personas, django_capture_on_commit_callbacks):
    with time_machine.travel(noon(2026, 1, 5), tick=False):
        services.submit_response(
            actor=personas.patient,
            patient=personas.patient,
            questionnaire="weekly-check-in",
            answers=list(weekly(phq=[3] * 8 + [0], gad=3, peg=9).items()),  # PHQ-9 24, GAD-7 21
        )
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(noon(2026, 1, 19), tick=False):
        assert tasks.send_questionnaire_reminders() == 1
    message = mail.outbox[0]
    text = (message.subject + "\n" + message.body).lower()
    assert "a short check-in is waiting" in text
    assert settings.SITE_URL + "/outcomes/q/weekly-check-in/" in message.body
    for word in (
        "phq",
        "gad",
        "peg",
        "pain",
        "mood",
        "worry",
        "depress",
        "anxi",
        "suicid",
        "score",
        "risk",
        "pat one",
        "24",
        "21",
    ):
        assert word not in text, word
    assert message.to == [personas.patient.email]


def test_an_smtp_failure_is_logged_and_not_retried_into_a_duplicate(
    enrolled, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.outcomes.helpers.BrokenEmailBackend"
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(noon(2026, 1, 5), tick=False):
        assert tasks.send_questionnaire_reminders() == 1
        assert tasks.send_questionnaire_reminders() == 0
    assert "not sent (ConnectionRefusedError)" in caplog.text
    assert "@" not in caplog.text


def test_the_beat_schedule_names_the_reminder_task():
    entry = BEAT_SCHEDULE["outcomes-questionnaire-reminders"]
    assert entry["task"] == tasks.send_questionnaire_reminders.name
