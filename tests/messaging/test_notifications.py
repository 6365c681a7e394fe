from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from messaging import notifications, services
from messaging.models import Message, NotificationSent
from messaging.tasks import notify_unread

from .helpers import send

# As the Celery task runs it, with no transaction around it: each e-mail goes out once its row is
# committed (paceway.mail_once), so the counts below are e-mails handed to the mail server.
pytestmark = pytest.mark.django_db(transaction=True)


def age(minutes: int) -> None:
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_it_sends_one_contentless_email_per_unread_period(personas, settings):
    settings.SITE_URL = "https://paceway.example.org"
    send(personas.therapist, personas.patient, body="Secret-words one")
    send(personas.therapist, personas.patient, body="Secret-words two")
    age(1)
    assert notifications.send_unread_notifications() == 0  # not yet: a few minutes first
    age(10)
    assert notify_unread() == 1
    assert notify_unread() == 0  # duplicate scheduler run
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [personas.patient.email]
    assert "Secret-words" not in email.subject + email.body
    assert "https://paceway.example.org/messages/" in email.body
    # Another message while the first e-mail is still unread: batched, no new e-mail.
    send(personas.therapist, personas.patient, body="three")
    age(10)
    assert notify_unread() == 0
    # After reading, a new message earns a new e-mail.
    services.mark_read(user=personas.patient, patient=personas.patient, seq=3)
    send(personas.therapist, personas.patient, body="four")
    age(10)
    assert notify_unread() == 1 and len(mail.outbox) == 2
    assert NotificationSent.objects.count() == 2


def test_it_notifies_the_therapist_of_patient_messages(personas):
    send(personas.patient, personas.patient, body="hello")
    age(10)
    assert notify_unread() == 1
    assert mail.outbox[0].to == [personas.therapist.email]
    assert f"/messages/{personas.patient.pk}/" in mail.outbox[0].body


def test_read_messages_send_nothing(personas):
    send(personas.therapist, personas.patient, body="hello")
    services.mark_read(user=personas.patient, patient=personas.patient, seq=1)
    age(10)
    assert notify_unread() == 0 and mail.outbox == []


def test_a_failed_email_is_tried_again(personas, monkeypatch):
    send(personas.therapist, personas.patient, body="hello")
    age(10)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("paceway.mail_once.send_mail", broken)
    assert notify_unread() == 0 and NotificationSent.objects.count() == 0
    monkeypatch.undo()
    assert notify_unread() == 1


def test_it_respects_the_patients_settings(personas):
    from modules.program.models import ReminderPreference as model

    now = timezone.localtime()
    start = (now - timedelta(hours=1)).time().replace(microsecond=0)
    end = (now + timedelta(hours=1)).time().replace(microsecond=0)
    model.objects.create(patient=personas.patient, quiet_start=start, quiet_end=end)
    send(personas.therapist, personas.patient, body="hello")
    age(10)
    assert notify_unread() == 0 and mail.outbox == []
    model.objects.filter(patient=personas.patient).update(quiet_start=None, quiet_end=None)
    assert notify_unread() == 1


def test_task_arguments_carry_nothing(personas):
    from messaging.beat_schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["messaging-notify-unread"]
    assert entry["task"] == notify_unread.name and not entry.get("args")


def test_a_patient_can_turn_message_emails_off(personas, clients):
    from modules.program.models import ReminderPreference

    clients["patient"].post(
        "/program/settings/", {"module_opened": "on", "homework": "on", "inactivity": "on", "questionnaires": "on"}
    )
    assert ReminderPreference.objects.get(patient=personas.patient).messages is False
    send(personas.therapist, personas.patient, body="hello")
    age(10)
    assert notify_unread() == 0 and mail.outbox == []
