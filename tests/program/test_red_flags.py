"""The "when to call your doctor now" box: in week 1 and beside every pacing exercise."""

from __future__ import annotations

from pathlib import Path

import time_machine

from modules.program import selectors, services
from modules.program.loader import load_program
from modules.program.models import PACING_EXERCISES

from .conftest import noon

BOX = "When to call your doctor now"
REAL = Path(__file__).resolve().parents[2] / "modules" / "program" / "content" / "chronic-pain"


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_it_is_on_the_first_module_and_not_on_later_ones(clients, enrolment):
    assert BOX in clients["patient"].get("/program/modules/first/").content.decode()
    assert BOX in clients["patient"].get("/program/modules/first/lesson/").content.decode()
    enrolment.plans.update(open_early=True)
    assert BOX not in clients["patient"].get("/program/modules/second/").content.decode()


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_it_is_beside_the_pacing_logs(clients, enrolment):
    for kind in PACING_EXERCISES:
        assert BOX in clients["patient"].get(f"/program/exercises/{kind}/").content.decode()
    assert BOX not in clients["patient"].get("/program/exercises/smart_goal/").content.decode()


def test_every_module_of_the_real_program_with_a_pacing_exercise_shows_it(personas):
    program = load_program(REAL).program
    enrolment = services.enrol_patient(actor=personas.therapist, patient=personas.patient, program=program)
    overview = selectors.program_overview(enrolment)
    assert overview.states[0].shows_red_flags  # week 1
    pacing = [s for s in overview.states if any(step.exercise in PACING_EXERCISES for step in s.steps)]
    assert pacing and all(s.shows_red_flags for s in pacing)
    assert not all(s.shows_red_flags for s in overview.states)
