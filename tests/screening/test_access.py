"""Every route refuses strangers, unassigned therapists and administrators; anonymous is sent to log in."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from modules.program.models import Enrolment
from paceway.accounts import services as account_services
from paceway.accounts.models import TherapistProfile
from therapist.screening import services
from therapist.screening.models import Intake, ScreeningDecision

from .helpers import decision_data, intake_data

PATIENT_ROUTES = ["/screening/", "/screening/status/", "/screening/consent/"]


@pytest.fixture
def intake(clients, personas, program) -> Intake:
    assert clients["patient"].post("/screening/", intake_data()).status_code == 200
    return Intake.objects.get(patient=personas.patient)


def _make_lead(user) -> None:
    TherapistProfile.objects.filter(user=user).update(is_clinical_lead=True)


def test_anonymous_is_sent_to_log_in_everywhere(clients, intake):
    for url in [*PATIENT_ROUTES, "/screening/decisions/", f"/screening/intakes/{intake.pk}/"]:
        response = clients["anonymous"].get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = clients["anonymous"].post(f"/screening/intakes/{intake.pk}/", decision_data("not_now"))
    assert response.status_code == 302
    assert clients["anonymous"].post("/screening/", intake_data()).status_code == 302
    assert Intake.objects.count() == 1 and not ScreeningDecision.objects.exists()


def test_patient_pages_are_for_patients_only(clients, intake):
    for url in PATIENT_ROUTES:
        for name in ("therapist", "unassigned_therapist", "admin"):
            assert clients[name].get(url).status_code == 404, (url, name)
    for name in ("therapist", "admin"):
        assert clients[name].post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 404
        assert clients[name].post("/screening/", intake_data()).status_code == 404


def test_a_patient_sees_only_their_own_status(clients, intake):
    stranger_status = clients["stranger"].get("/screening/status/").content.decode()
    assert 'data-state="no_intake"' in stranger_status
    assert "Fibromyalgia" not in stranger_status


def test_the_waiting_list_is_for_therapists_and_shows_only_their_patients(clients, intake):
    assert f"/screening/intakes/{intake.pk}/" in clients["therapist"].get("/screening/decisions/").content.decode()
    other = clients["unassigned_therapist"].get("/screening/decisions/")
    assert other.status_code == 200
    assert f"/screening/intakes/{intake.pk}/" not in other.content.decode()
    for name in ("patient", "stranger", "admin"):
        assert clients[name].get("/screening/decisions/").status_code == 404, name


def test_the_review_page_refuses_everyone_but_the_deciding_therapist(clients, personas, intake):
    url = f"/screening/intakes/{intake.pk}/"
    assert clients["therapist"].get(url).status_code == 200
    for name in ("unassigned_therapist", "patient", "stranger", "admin"):
        assert clients[name].get(url).status_code == 404, name
        assert clients[name].post(url, decision_data("not_now")).status_code == 404, name
    assert clients["therapist"].get("/screening/intakes/999999/").status_code == 404
    assert not ScreeningDecision.objects.exists()
    with pytest.raises(PermissionDenied):
        services.decide(actor=personas.admin, intake_id=intake.pk, **decision_data("not_now"))
    with pytest.raises(PermissionDenied):
        services.decide(actor=personas.patient, intake_id=intake.pk, **decision_data("not_now"))


def test_a_clinical_lead_does_not_see_assigned_patients_of_others(clients, personas, intake):
    _make_lead(personas.unassigned_therapist)
    assert clients["unassigned_therapist"].get(f"/screening/intakes/{intake.pk}/").status_code == 404
    assert (
        f"/screening/intakes/{intake.pk}/"
        not in clients["unassigned_therapist"].get("/screening/decisions/").content.decode()
    )


def test_unassigned_patients_are_decided_by_clinical_leads_and_enrolled_on_assignment(
    clients, personas, program, django_capture_on_commit_callbacks
):
    stranger = personas.stranger  # no therapist
    clients["stranger"].post("/screening/", intake_data())
    intake = Intake.objects.get(patient=stranger)
    url = f"/screening/intakes/{intake.pk}/"
    # Not a lead: refused; the count on the dashboard stays at zero.
    assert clients["unassigned_therapist"].get(url).status_code == 404
    assert clients["therapist"].get(url).status_code == 404
    _make_lead(personas.unassigned_therapist)
    assert url in clients["unassigned_therapist"].get("/screening/decisions/").content.decode()
    assert "Screening decisions waiting: 1" in clients["unassigned_therapist"].get("/therapist/").content.decode()
    clients["stranger"].post("/screening/consent/", {"action": "give", "version": "1"})
    assert clients["unassigned_therapist"].post(url, decision_data("accept")).status_code == 302
    decision = ScreeningDecision.objects.get(intake=intake)
    assert decision.decision == "accept" and decision.enrolment is None
    assert 'data-state="accepted_waiting_therapist"' in clients["stranger"].get("/screening/status/").content.decode()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        account_services.assign_patient(actor=personas.admin, patient=stranger, therapist=personas.therapist)
    enrolment = Enrolment.objects.get(patient=stranger, ended_at__isnull=True)
    decision.refresh_from_db()
    assert decision.enrolment == enrolment and enrolment.enrolled_by == personas.therapist
    assert 'data-state="accepted"' in clients["stranger"].get("/screening/status/").content.decode()
