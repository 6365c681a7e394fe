from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from modules.program import selectors, services
from modules.program.models import Step, TailoringEvent

from .conftest import noon


def _states(enrolment, today):
    overview = selectors.program_overview(enrolment, today=today)
    return {s.module.slug: s for s in overview.states}


def _finish(enrolment, number, patient):
    for step in Step.objects.filter(module__program=enrolment.program, module__number=number):
        services.complete_step(actor=patient, enrolment=enrolment, step=step)


def test_it_opens_module_one_on_the_start_date(enrolment):
    assert not _states(enrolment, date(2026, 1, 4))["first"].is_open
    assert _states(enrolment, date(2026, 1, 5))["first"].is_open
    assert not _states(enrolment, date(2026, 1, 5))["second"].is_open


def test_it_needs_both_the_date_and_the_previous_module(enrolment, personas):
    # Day 7 after start: date rule met, module 1 not done -> still locked.
    states = _states(enrolment, date(2026, 1, 12))
    assert states["second"].opens_on == date(2026, 1, 12)
    assert not states["second"].is_open
    with time_machine.travel(noon(2026, 1, 6)):
        _finish(enrolment, 1, personas.patient)
    # Module 1 done early, but module 2 waits for its date.
    assert not _states(enrolment, date(2026, 1, 11))["second"].is_open
    assert _states(enrolment, date(2026, 1, 12))["second"].is_open
    assert _states(enrolment, date(2026, 1, 19))["third"].opens_on == date(2026, 1, 19)
    assert not _states(enrolment, date(2026, 1, 19))["third"].is_open


def test_the_rules_are_configurable_per_program(enrolment, personas):
    enrolment.program.__class__.objects.filter(pk=enrolment.program.pk).update(
        require_previous_complete=False, days_between_modules=3
    )
    enrolment.refresh_from_db()
    states = _states(enrolment, date(2026, 1, 8))
    assert states["second"].is_open and not states["third"].is_open
    assert _states(enrolment, date(2026, 1, 11))["third"].is_open


def test_a_frozen_clock_drives_the_views(enrolment, clients):
    with time_machine.travel(noon(2026, 1, 5), tick=False):
        assert clients["patient"].get("/program/modules/first/").status_code == 200
        locked = clients["patient"].get("/program/modules/second/")
        assert locked.status_code == 403
        assert b"not open yet" in locked.content


def test_tailoring_changes_the_plan_and_is_recorded(enrolment, personas):
    t, p = personas.therapist, personas.patient
    services.tailor(actor=t, enrolment=enrolment, module_slug="second", action="open_early", reason="You are ready")
    assert _states(enrolment, date(2026, 1, 5))["second"].is_open
    services.tailor(actor=t, enrolment=enrolment, module_slug="third", action="hold", reason="Let's talk first")
    with time_machine.travel(noon(2026, 1, 6)):
        _finish(enrolment, 1, p)
        _finish(enrolment, 2, p)
    states = _states(enrolment, date(2026, 2, 1))
    assert states["third"].status == "held"
    services.tailor(actor=t, enrolment=enrolment, module_slug="third", action="release", reason="Talked")
    assert _states(enrolment, date(2026, 2, 1))["third"].is_open
    services.tailor(actor=t, enrolment=enrolment, module_slug="first", action="extend", reason="More time")
    assert _states(enrolment, date(2026, 1, 5))["second"].opens_on == date(2026, 1, 19)
    services.tailor(actor=t, enrolment=enrolment, module_slug="extra", action="add", reason="Sleep is hard")
    states = _states(enrolment, date(2026, 2, 1))
    assert list(states) == ["first", "second", "third", "extra"]
    services.tailor(actor=t, enrolment=enrolment, module_slug="extra", action="move_up", reason="Sooner")
    overview = selectors.program_overview(enrolment, today=date(2026, 2, 1))
    assert [s.module.slug for s in overview.states] == ["first", "second", "extra", "third"]
    services.tailor(
        actor=t,
        enrolment=enrolment,
        module_slug="extra",
        action="note",
        reason="A note",
        note="Try the breathing first",
    )
    services.tailor(actor=t, enrolment=enrolment, module_slug="extra", action="skip", reason="Not now")
    assert "extra" not in _states(enrolment, date(2026, 2, 1))
    history = list(selectors.tailoring_history(enrolment))
    assert [e.action for e in history][::-1] == [
        "open_early",
        "hold",
        "release",
        "extend",
        "add",
        "move_up",
        "note",
        "skip",
    ]
    assert all(e.actor == t and e.reason for e in history)


def test_tailoring_needs_a_reason_and_the_assigned_therapist(enrolment, personas):
    with pytest.raises(ValidationError):
        services.tailor(actor=personas.therapist, enrolment=enrolment, module_slug="second", action="hold", reason=" ")
    for who in (personas.unassigned_therapist, personas.admin, personas.patient, personas.stranger):
        with pytest.raises(PermissionDenied):
            services.tailor(actor=who, enrolment=enrolment, module_slug="second", action="hold", reason="x")
    with pytest.raises(ValidationError):
        services.tailor(actor=personas.therapist, enrolment=enrolment, module_slug="second", action="skip", reason="x")
    assert not TailoringEvent.objects.exists()


def test_the_patient_chooses_optional_modules_and_sees_the_history(enrolment, personas, clients):
    response = clients["patient"].post("/program/plan/", {"module": "extra", "include": "1"})
    assert response.status_code == 302
    clients["patient"].post("/program/plan/", {"module": "extra", "include": "1"})  # repeated: no change
    services.tailor(
        actor=personas.therapist,
        enrolment=enrolment,
        module_slug="second",
        action="note",
        reason="For week two",
        note="Bring your diary",
    )
    events = list(selectors.tailoring_history(enrolment))
    assert [e.action for e in events] == ["note", "patient_chose"]
    page = clients["patient"].get("/program/plan/")
    assert b"For week two" in page.content and b"You chose this module" in page.content
    therapist_page = clients["therapist"].get(f"/program/patients/{personas.patient.pk}/")
    assert b"chosen by patient" in therapist_page.content


def test_the_therapist_tailors_through_the_page(enrolment, personas, clients):
    url = f"/program/patients/{personas.patient.pk}/tailor/"
    response = clients["therapist"].post(url, {"module": "second", "action": "open_early", "reason": "Ready"})
    assert response.status_code == 302
    assert TailoringEvent.objects.get().action == "open_early"
    clients["therapist"].post(url, {"module": "second", "action": "hold", "reason": ""})
    assert TailoringEvent.objects.count() == 1
