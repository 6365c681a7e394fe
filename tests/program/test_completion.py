from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from modules.program import selectors, services
from modules.program.models import ModulePlan, Step, StepCompletion
from paceway.audit.models import AuditEvent

from .conftest import noon


@pytest.fixture
def lesson(enrolment):
    return Step.objects.get(module__program=enrolment.program, module__number=1, slug="lesson")


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_completion_is_idempotent(enrolment, lesson, personas):
    _first, created = services.complete_step(actor=personas.patient, enrolment=enrolment, step=lesson)
    _again, created_again = services.complete_step(actor=personas.patient, enrolment=enrolment, step=lesson)
    assert created and not created_again
    assert StepCompletion.objects.count() == 1
    assert selectors.program_overview(enrolment).steps_done == 1


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_a_retried_browser_post_never_counts_twice(enrolment, lesson, clients):
    url = "/program/modules/first/lesson/complete/"
    assert clients["patient"].post(url).status_code == 302
    assert clients["patient"].post(url).status_code == 302
    assert StepCompletion.objects.filter(step=lesson).count() == 1


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_a_retried_api_call_never_counts_twice(enrolment, lesson, clients):
    url = f"/api/v1/program/patients/me/steps/{lesson.pk}/complete"
    assert clients["patient"].post(url).status_code == 201
    second = clients["patient"].post(url)
    assert second.status_code == 200 and second.json()["created"] is False
    assert StepCompletion.objects.count() == 1


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_a_locked_step_is_refused_and_nothing_changes(enrolment, clients):
    locked = Step.objects.get(module__program=enrolment.program, module__number=2, slug="lesson")
    response = clients["patient"].post(f"/api/v1/program/patients/me/steps/{locked.pk}/complete")
    assert response.status_code == 409
    response = clients["patient"].post("/program/modules/second/lesson/complete/", follow=True)
    assert b"not open yet" in response.content
    assert not StepCompletion.objects.exists()


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_only_the_patient_completes(enrolment, lesson, personas, clients):
    with pytest.raises(PermissionDenied):
        services.complete_step(actor=personas.therapist, enrolment=enrolment, step=lesson)
    response = clients["therapist"].post(f"/api/v1/program/patients/{personas.patient.pk}/steps/{lesson.pk}/complete")
    assert response.status_code == 403
    assert not StepCompletion.objects.exists()


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_time_on_step_last_active_and_module_completion(enrolment, clients):
    page = clients["patient"].get("/program/modules/first/lesson/")
    assert page.status_code == 200
    timer = page.context["timer"]
    with time_machine.travel(noon(2026, 1, 6), tick=False) as traveller:
        traveller.shift(95)
        clients["patient"].post("/program/modules/first/lesson/complete/", {"timer": timer})
    completion = StepCompletion.objects.get()
    assert 90 <= completion.seconds_on_step <= 100
    enrolment.refresh_from_db()
    assert enrolment.last_active_at is not None
    diary = {"date": "2026-01-06", "pain": 5, "activity": "walk", "mood": 6, "sleep_hours": "7"}
    response = clients["patient"].post("/program/modules/first/diary/", diary)
    assert response.status_code == 302
    assert ModulePlan.objects.get(enrolment=enrolment, module__number=1).completed_at is not None


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_reads_and_writes_are_audited(enrolment, lesson, clients, personas):
    clients["patient"].get("/program/")
    clients["patient"].post("/program/modules/first/lesson/complete/")
    clients["therapist"].get(f"/program/patients/{personas.patient.pk}/")
    actions = set(AuditEvent.objects.filter(patient_id=personas.patient.pk).values_list("action", flat=True))
    assert {"program.enrol", "program.home.read", "program.step_complete", "program.patient_work.read"} <= actions


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_the_progress_bar_moves(enrolment, clients):
    before = clients["patient"].get("/program/").content.decode()
    clients["patient"].post("/program/modules/first/lesson/complete/")
    after = clients["patient"].get("/program/").content.decode()
    assert 'value="0"' in before
    assert 'data-progress="17"' in after  # 1 of 6 core steps


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_it_shows_the_step_done_notice_on_the_page_of_the_step_that_was_done(enrolment, lesson, clients):
    response = clients["patient"].post("/program/modules/first/lesson/complete/", follow=True)
    assert response.redirect_chain[-1][0] == "/program/modules/first/lesson/"
    page = response.content.decode()
    assert "Step done." in page and f"<h1>{lesson.title}</h1>" in page and "Next step" in page
