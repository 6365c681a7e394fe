"""The safety plan: built by the patient and their therapist, versioned, sealed, audited, one
click from the crisis panel and the patient's home; strangers refused; bad input saves nothing."""

from __future__ import annotations

from modules.outcomes.models import SafetyPlan
from paceway.audit.models import AuditEvent

from .helpers import weekly, with_item9

PLAN = {
    "warning_signs": "Not sleeping; pulling away",
    "reasons_for_living": "My daughter",
    "professionals": "9-8-8; clinic",
}


def test_the_patient_and_therapist_build_it_together_in_versions(personas, clients):
    assert clients["patient"].post("/outcomes/safety-plan/", PLAN).status_code == 302
    url = f"/outcomes/patients/{personas.patient.pk}/safety-plan/"
    page = clients["therapist"].get(url).content.decode()
    assert "Not sleeping; pulling away" in page and "Version 1" in page
    assert clients["therapist"].post(url, {**PLAN, "coping_strategies": "Walk the dog"}).status_code == 302
    page = clients["patient"].get("/outcomes/safety-plan/").content.decode()
    assert "Walk the dog" in page and "Version 2" in page and "Earlier versions" in page
    assert SafetyPlan.objects.filter(patient=personas.patient).count() == 2
    assert b"daughter" not in bytes(SafetyPlan.objects.first().ciphertext)
    actions = set(AuditEvent.objects.filter(patient_id=personas.patient.pk).values_list("action", flat=True))
    assert {"outcomes.safety_plan.save", "outcomes.safety_plan.read"} <= actions


def test_bad_input_saves_nothing(personas, clients):
    for payload in ({}, {"warning_signs": "   "}, {"warning_signs": "x\x00"}, {"warning_signs": "x" * 3001}):
        assert clients["patient"].post("/outcomes/safety-plan/", payload).status_code == 400
    assert not SafetyPlan.objects.exists()


def test_strangers_are_refused(personas, clients):
    url = f"/outcomes/patients/{personas.patient.pk}/safety-plan/"
    for who in ("unassigned_therapist", "admin", "stranger", "patient"):
        assert clients[who].get(url).status_code == 404
        assert clients[who].post(url, PLAN).status_code == 404
    assert clients["therapist"].get("/outcomes/safety-plan/").status_code == 404
    assert not SafetyPlan.objects.exists()


def test_it_is_one_click_from_the_crisis_panel_and_home(personas, clients):
    body = clients["patient"].post("/outcomes/q/weekly-check-in/", with_item9(weekly(), 1)).content.decode()
    assert 'id="crisis-safety-plan" href="/outcomes/safety-plan/"' in body
    # The patient's navigation (every page) and the program home (enrolled patients) link to it.
    assert 'href="/outcomes/safety-plan/"' in clients["patient"].get("/outcomes/").content.decode()
    from django.template.loader import get_template

    assert "outcomes:safety_plan" in get_template("modules/home.html").template.source


def test_a_save_over_a_newer_version_keeps_the_text_and_saves_nothing(personas, clients):
    """Built together: the therapist saves version 2 while the patient still edits version 1; the
    patient's save is refused (409) with their text kept, and nobody's work is erased."""
    assert clients["patient"].post("/outcomes/safety-plan/", {**PLAN, "base_version": "0"}).status_code == 302
    url = f"/outcomes/patients/{personas.patient.pk}/safety-plan/"
    assert 'name="base_version" value="1"' in clients["therapist"].get(url).content.decode()
    assert (
        clients["therapist"].post(url, {**PLAN, "coping_strategies": "Walk the dog", "base_version": "1"}).status_code
        == 302
    )
    stale = clients["patient"].post(
        "/outcomes/safety-plan/", {**PLAN, "reasons_for_living": "My garden", "base_version": "1"}
    )
    body = stale.content.decode()
    assert stale.status_code == 409
    assert f"{personas.therapist} saved a newer version (version 2)" in body and "My garden" in body
    assert SafetyPlan.objects.filter(patient=personas.patient).count() == 2
    assert clients["patient"].post("/outcomes/safety-plan/", {**PLAN, "base_version": "2"}).status_code == 302
    assert SafetyPlan.objects.filter(patient=personas.patient).count() == 3


def test_it_shows_the_clinics_crisis_lines_and_the_alert_links_to_it(personas, clients):
    from modules.outcomes.models import ClinicProfile, RiskAlert

    hotline = {"regions": ["*"], "phone": "1-800-000-1111", "name_en": "Lakeside line", "name_fr": "Ligne Lakeside"}
    ClinicProfile.objects.create(clinic_name="Lakeside", contact_phone="1-416-555-2368", crisis_lines=[hotline])
    page = clients["patient"].get("/outcomes/safety-plan/").content.decode()
    assert 'id="plan-crisis-lines"' in page and "Lakeside line" in page
    clients["patient"].post("/outcomes/q/weekly-check-in/", with_item9(weekly(), 1))
    alert = RiskAlert.objects.get(patient=personas.patient)
    page = clients["therapist"].get(f"/outcomes/alerts/{alert.pk}/").content.decode()
    assert f'id="alert-safety-plan" href="/outcomes/patients/{personas.patient.pk}/safety-plan/"' in page
