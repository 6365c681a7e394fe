"""The questionnaire schedule starts on the active enrolment's start date, not the day of enrolment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import time_machine
from django.utils import timezone

from modules.outcomes import selectors
from modules.program import services as program_services
from modules.program.loader import load_program

MINI = Path(__file__).parent.parent / "program" / "content" / "mini"


def test_it_starts_the_schedule_on_a_future_start_date(personas):
    program = load_program(MINI).program
    today = timezone.localdate()
    start = today + timedelta(days=10)
    program_services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=start
    )
    items = {d.key: d for d in selectors.due_questionnaires(personas.patient)}
    assert items["baseline"].due_on == start and items["baseline"].status == "upcoming"
    assert items["week-1"].due_on == start + timedelta(days=7)
    assert items["post"].due_on == start + timedelta(days=56)


def test_it_follows_the_active_enrolment_not_the_first(personas):
    program = load_program(MINI).program
    first = timezone.localdate() - timedelta(days=100)
    with time_machine.travel(timezone.now() - timedelta(days=100), tick=False):
        old = program_services.enrol_patient(
            actor=personas.therapist, patient=personas.patient, program=program, start_date=first
        )
    old.ended_at = timezone.now() - timedelta(days=5)
    old.save(update_fields=["ended_at"])
    start = timezone.localdate() + timedelta(days=3)
    program_services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=start
    )
    assert selectors.due_questionnaires(personas.patient)[0].due_on == start


def test_without_an_enrolment_the_first_response_is_the_start(personas):
    assert selectors.due_questionnaires(personas.patient)[0].due_on == timezone.localdate()
