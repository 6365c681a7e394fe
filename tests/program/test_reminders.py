from __future__ import annotations

from datetime import time, timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from modules.program import services, tasks
from modules.program.models import Enrolment, ReminderPreference, ReminderSent, Step

from .conftest import noon


def _finish_module_one(enrolment, patient):
    for step in Step.objects.filter(module__program=enrolment.program, module__number=1):
        services.complete_step(actor=patient, enrolment=enrolment, step=step)


def test_module_opened_is_sent_once_even_if_the_scheduler_fires_twice(
    enrolment, personas, django_capture_on_commit_callbacks
):
    with time_machine.travel(noon(2026, 1, 6), tick=False):
        _finish_module_one(enrolment, personas.patient)
    with time_machine.travel(noon(2026, 1, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_module_opened_reminders() == 1
        assert tasks.send_module_opened_reminders() == 0
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.filter(reason="module_opened").count() == 1


def test_the_email_carries_no_health_data(enrolment, personas, django_capture_on_commit_callbacks):
    with time_machine.travel(noon(2026, 1, 9), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_homework_reminders() == 1
        assert tasks.send_homework_reminders() == 0
    message = mail.outbox[0]
    text = (message.subject + message.body).lower()
    assert "http://" in text or "https://" in text
    for word in ("pain", "module 1", "lesson", "diary", "mood", "first"):
        assert word not in text
    assert message.to == [personas.patient.email]


def test_inactivity_nudge_once_per_quiet_spell(enrolment, personas, django_capture_on_commit_callbacks):
    Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=noon(2026, 1, 6))
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(noon(2026, 1, 12), tick=False):
            assert tasks.send_inactivity_nudges() == 0
        with time_machine.travel(noon(2026, 1, 14), tick=False):
            assert tasks.send_inactivity_nudges() == 1
            assert tasks.send_inactivity_nudges() == 0
        Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=noon(2026, 1, 15))
        with time_machine.travel(noon(2026, 1, 23), tick=False):
            assert tasks.send_inactivity_nudges() == 1
    assert len(mail.outbox) == 2


def test_opt_outs_and_quiet_hours_are_respected(enrolment, personas, django_capture_on_commit_callbacks):
    ReminderPreference.objects.create(
        patient=personas.patient, homework=False, quiet_start=time(22, 0), quiet_end=time(8, 0)
    )
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(noon(2026, 1, 9), tick=False):
            assert tasks.send_homework_reminders() == 0
        Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=noon(2026, 1, 1))
        late = timezone.make_aware(timezone.datetime(2026, 1, 14, 23, 30))
        with time_machine.travel(late, tick=False):
            assert tasks.send_inactivity_nudges() == 0  # quiet hours: held, not recorded
        with time_machine.travel(late + timedelta(hours=10), tick=False):
            assert tasks.send_inactivity_nudges() == 1
    assert len(mail.outbox) == 1
    assert not ReminderSent.objects.filter(reason="homework").exists()


def test_the_patient_edits_settings(enrolment, clients, personas):
    response = clients["patient"].post(
        "/program/settings/", {"module_opened": "on", "quiet_start": "21:00", "quiet_end": "07:30"}
    )
    assert response.status_code == 302
    pref = ReminderPreference.objects.get(patient=personas.patient)
    assert pref.module_opened and not pref.homework and not pref.inactivity
    assert pref.quiet_start == time(21, 0)
    bad = clients["patient"].post("/program/settings/", {"quiet_start": "21:00"})
    assert bad.status_code == 400


def test_the_beat_schedule_names_real_tasks():
    from modules.program.beat_schedule import BEAT_SCHEDULE

    for entry in BEAT_SCHEDULE.values():
        module, name = str(entry["task"]).rsplit(".", 1)
        assert callable(getattr(tasks, name)) and module == "modules.program.tasks"
