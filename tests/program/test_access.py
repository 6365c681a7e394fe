"""Every route: anonymous is sent to log in, strangers and other roles get 404."""

from __future__ import annotations

import pytest
import time_machine

from modules.program.models import ExerciseEntry, Step

from .conftest import noon

PATIENT_ROUTES = [
    "/program/",
    "/program/plan/",
    "/program/settings/",
    "/program/diary/",
    "/program/exercises/smart_goal/",
    "/program/modules/first/",
    "/program/modules/first/lesson/",
]
PATIENT_POSTS = [
    "/program/modules/first/lesson/complete/",
    "/program/plan/",
    "/program/settings/",
    "/program/diary/",
    "/program/modules/first/diary/",
]


@pytest.fixture
def entry(personas, enrolment):
    return ExerciseEntry.objects.create(patient=personas.patient, kind="reflection", data={"text": "private"})


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_anonymous_is_sent_to_log_in(clients, personas, enrolment, entry):
    routes = [*PATIENT_ROUTES, f"/program/entries/{entry.pk}/", f"/program/patients/{personas.patient.pk}/"]
    for url in routes:
        response = clients["anonymous"].get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in ("progress", "entries"):
        assert clients["anonymous"].get(f"/api/v1/program/patients/me/{url}").status_code in (401, 403)


@time_machine.travel(noon(2026, 1, 6), tick=False)
@pytest.mark.parametrize("who", ["therapist", "unassigned_therapist", "admin"])
def test_non_patients_get_404_on_patient_pages(clients, enrolment, entry, who):
    for url in [*PATIENT_ROUTES, f"/program/entries/{entry.pk}/"]:
        assert clients[who].get(url).status_code == 404, url
    for url in PATIENT_POSTS:
        assert clients[who].post(url).status_code == 404, url


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_a_stranger_patient_never_sees_anothers_work(clients, personas, enrolment, entry):
    assert clients["stranger"].get(f"/program/entries/{entry.pk}/").status_code == 404
    assert clients["stranger"].post(f"/program/entries/{entry.pk}/", {"text": "x", "revision": 1}).status_code == 404
    start = clients["stranger"].get("/program/", follow=True)
    assert start.redirect_chain[-1][0] == "/screening/status/" and b"Tell us about you" in start.content
    pid = personas.patient.pk
    for url in (f"/program/patients/{pid}/",):
        assert clients["stranger"].get(url).status_code == 404
    for url in (f"/program/patients/{pid}/tailor/", f"/program/patients/{pid}/enrol/"):
        assert clients["stranger"].post(url, {"module": "second", "action": "hold", "reason": "x"}).status_code == 404
    step = Step.objects.filter(module__program=enrolment.program).first()
    for url in (f"/api/v1/program/patients/{pid}/progress", f"/api/v1/program/patients/{pid}/entries"):
        assert clients["stranger"].get(url).status_code == 404
    assert clients["stranger"].post(f"/api/v1/program/patients/{pid}/steps/{step.pk}/complete").status_code == 404
    assert (
        clients["stranger"]
        .post(
            f"/api/v1/program/patients/{pid}/entries",
            {"kind": "reflection", "data": {"text": "x"}},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert ExerciseEntry.objects.count() == 1


@time_machine.travel(noon(2026, 1, 6), tick=False)
@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "admin", "patient"])
def test_only_the_assigned_therapist_reaches_the_therapist_pages(clients, personas, enrolment, who):
    pid = personas.patient.pk
    assert clients[who].get(f"/program/patients/{pid}/").status_code == 404
    response = clients[who].post(
        f"/program/patients/{pid}/tailor/", {"module": "second", "action": "hold", "reason": "x"}
    )
    assert response.status_code == 404
    assert clients["therapist"].get(f"/program/patients/{pid}/").status_code == 200


@time_machine.travel(noon(2026, 1, 6), tick=False)
@pytest.mark.parametrize("who", ["unassigned_therapist", "admin"])
def test_the_api_refuses_unassigned_clinicians_and_admins(clients, personas, enrolment, who):
    pid = personas.patient.pk
    assert clients[who].get(f"/api/v1/program/patients/{pid}/progress").status_code == 404
    assert clients[who].get(f"/api/v1/program/patients/{pid}/entries").status_code == 404
    assert clients[who].get("/api/v1/program/patients/me/progress").status_code == 404


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_the_patient_and_therapist_read_progress(clients, personas, enrolment):
    mine = clients["patient"].get("/api/v1/program/patients/me/progress")
    assert mine.status_code == 200
    body = mine.json()
    assert body["current_module"] == "first" and body["modules"][0]["status"] == "open"
    assert body["optional_not_in_plan"] == ["extra"]
    theirs = clients["therapist"].get(f"/api/v1/program/patients/{personas.patient.pk}/progress")
    assert theirs.json() == body


def test_the_therapist_enrols_and_the_patient_sees_this_week(clients, personas, program):
    response = clients["therapist"].post(
        f"/program/patients/{personas.patient.pk}/enrol/", {"start_date": "2026-01-05"}
    )
    assert response.status_code == 302
    # The enrol view takes the default program; fall back to the loaded one when it is absent.
    from modules.program.selectors import active_enrolment

    assert active_enrolment(personas.patient) is not None
    assert clients["patient"].get("/program/").status_code == 200


def test_the_shipped_module_pages_render(clients, personas, db):
    from django.core.management import call_command
    from django.utils import timezone

    from modules.program import services
    from modules.program.loader import latest_program

    call_command("load_content", verbosity=0)
    program = latest_program("chronic-pain")
    services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=timezone.localdate()
    )
    home = clients["patient"].get("/program/")
    assert home.status_code == 200 and b"Understanding your pain" in home.content
    module = program.modules.get(number=1)
    for step in module.steps.all():
        page = clients["patient"].get(f"/program/modules/{module.slug}/{step.slug}/")
        assert page.status_code == 200, step.slug


def test_an_administrator_can_enrol_but_not_read(clients, personas, program):
    pid = personas.patient.pk
    response = clients["admin"].post(f"/program/patients/{pid}/enrol/", {"start_date": "2026-01-05"})
    assert response.status_code == 302
    from modules.program.selectors import active_enrolment

    assert active_enrolment(personas.patient).enrolled_by == personas.admin
    assert clients["admin"].get(f"/program/patients/{pid}/").status_code == 404
    assert (
        clients["unassigned_therapist"]
        .post(f"/program/patients/{pid}/enrol/", {"start_date": "2026-01-05"})
        .status_code
        == 404
    )
