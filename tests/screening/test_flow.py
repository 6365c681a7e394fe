"""The screening flow end to end, the risk path at intake, referral, and validation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from modules.outcomes.models import QuestionnaireResponse, RiskAlert, Score
from modules.program.models import Enrolment
from paceway.audit.models import AuditEvent
from therapist.screening import services
from therapist.screening.models import Consent, Intake, ScreeningDecision

from .helpers import PHQ_CODES, decision_data, intake_data, with_item9


def _consent(client) -> None:
    assert client.post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 302


def test_it_runs_intake_summary_consent_acceptance_and_enrolment(clients, personas, program):
    patient = clients["patient"]
    assert patient.get("/screening/").status_code == 200
    response = patient.post("/screening/", intake_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="waiting"' in page
    assert 'id="crisis-title"' not in page
    intake = Intake.objects.get(patient=personas.patient)
    assert intake.pain_condition == "Fibromyalgia" and intake.weekly_minutes == 120
    assert {r.questionnaire for r in intake.baseline_responses} == {"peg", "phq-9", "gad-7"}
    assert Score.objects.filter(patient=personas.patient).count() == 3

    therapist = clients["therapist"]
    listing = therapist.get("/screening/decisions/").content.decode()
    assert f"/screening/intakes/{intake.pk}/" in listing
    review = therapist.get(f"/screening/intakes/{intake.pk}/").content.decode()
    assert 'data-suggestion="likely_suitable"' in review
    assert "Fibromyalgia" in review

    _consent(patient)
    response = therapist.post(f"/screening/intakes/{intake.pk}/", decision_data("accept"))
    assert response.status_code == 302
    decision = ScreeningDecision.objects.get(intake=intake)
    enrolment = Enrolment.objects.get(patient=personas.patient, ended_at__isnull=True)
    assert decision.enrolment == enrolment and decision.therapist == personas.therapist
    assert decision.consent == Consent.objects.get(patient=personas.patient)
    assert decision.goals_and_preferences.startswith("Wants to walk")

    status = patient.get("/screening/status/").content.decode()
    assert 'data-state="accepted"' in status
    assert "the online program is a good fit for you now" in status
    assert patient.get("/program/").status_code == 200
    assert patient.get("/screening/").status_code == 302  # no second intake once enrolled
    actions = set(AuditEvent.objects.filter(patient_id=personas.patient.pk).values_list("action", flat=True))
    assert {
        "screening.intake.submit",
        "screening.intake.read",
        "screening.decision.accept",
        "screening.consent.give",
        "program.enrol",
    } <= actions


def test_it_raises_a_risk_alert_and_shows_the_crisis_panel_at_intake(clients, personas, program):
    response = clients["patient"].post("/screening/", with_item9(2))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="crisis-title"' in page
    assert "9-8-8" in page and "911" in page and "not monitored around the clock" in page
    intake = Intake.objects.get()
    alert = RiskAlert.objects.get(patient=personas.patient)
    assert alert.response == intake.phq9_response and alert.is_open
    assert alert.therapist_at_creation == personas.therapist
    # The follow-up screen (C-SSRS) is in the same response, under the panel, and says who was told.
    assert page.index('id="crisis-title"') < page.index('id="screener"')
    assert f'action="/outcomes/risk/{alert.pk}/"' in page
    assert f"Your therapist, {personas.therapist.name}, has been told." in page
    # The therapist sees the alert on the intake; the summary flags it but does not reject.
    review = clients["therapist"].get(f"/screening/intakes/{intake.pk}/").content.decode()
    assert "open risk alert" in review and "question 9" in review
    assert not ScreeningDecision.objects.exists()
    # The status page keeps showing crisis resources while the decision is pending.
    assert 'id="crisis-title"' in clients["patient"].get("/screening/status/").content.decode()


def test_current_suicidal_plans_alone_raise_an_alert_and_show_the_panel(clients, personas, program):
    response = clients["stranger"].post("/screening/", intake_data(flag_suicidal_plans="on"))
    assert 'id="crisis-title"' in response.content.decode()
    alert = RiskAlert.objects.get(patient=personas.stranger)
    assert alert.routed_to_fallback  # no therapist yet: the fallback queue


def test_it_refers_to_in_person_care_without_enrolling(clients, personas, program):
    clients["patient"].post("/screening/", intake_data(prefers_in_person="yes"))
    intake = Intake.objects.get()
    _consent(clients["patient"])
    explanation = "Given your wish for face-to-face care, we have referred you to the pain clinic."
    response = clients["therapist"].post(
        f"/screening/intakes/{intake.pk}/", decision_data("refer", explanation=explanation)
    )
    assert response.status_code == 302
    assert ScreeningDecision.objects.get().decision == "refer"
    assert not Enrolment.objects.exists()
    page = clients["patient"].get("/screening/status/").content.decode()
    assert 'data-state="referred"' in page and explanation in page
    # They may send a new intake later if things change.
    assert clients["patient"].get("/screening/").status_code == 200


def test_not_now_does_not_enrol(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    clients["therapist"].post(f"/screening/intakes/{Intake.objects.get().pk}/", decision_data("not_now"))
    assert ScreeningDecision.objects.get().decision == "not_now"
    assert not Enrolment.objects.exists()
    assert 'data-state="not_now"' in clients["patient"].get("/screening/status/").content.decode()


def test_acceptance_is_refused_without_consent(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    intake = Intake.objects.get()
    response = clients["therapist"].post(f"/screening/intakes/{intake.pk}/", decision_data("accept"))
    assert response.status_code == 400
    assert "not given consent" in response.content.decode()
    assert not ScreeningDecision.objects.exists() and not Enrolment.objects.exists()
    with pytest.raises(ValidationError):
        services.decide(actor=personas.therapist, intake_id=intake.pk, **decision_data("accept"))


def test_a_decision_needs_rationale_goals_and_explanation(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    intake = Intake.objects.get()
    for field in ("rationale", "goals_and_preferences", "explanation"):
        response = clients["therapist"].post(f"/screening/intakes/{intake.pk}/", decision_data("refer", **{field: " "}))
        assert response.status_code == 400, field
    assert not ScreeningDecision.objects.exists()


def test_a_decision_is_recorded_once(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    intake = Intake.objects.get()
    services.decide(actor=personas.therapist, intake_id=intake.pk, **decision_data("not_now"))
    with pytest.raises(ValidationError):
        services.decide(actor=personas.therapist, intake_id=intake.pk, **decision_data("refer"))


def test_validation_errors_store_nothing(clients, personas, program):
    before = AuditEvent.objects.count()
    bad_form = with_item9(3, pain_condition=None, tech_comfort="9", care_family_doctor=None, care_physiotherapy=None)
    response = clients["patient"].post("/screening/", bad_form)
    assert response.status_code == 400
    # Valid answers, but PHQ-9 incomplete (with question 9 positive): still nothing at all.
    incomplete = with_item9(3, **{PHQ_CODES[0]: None})
    response = clients["patient"].post("/screening/", incomplete)
    assert response.status_code == 400
    assert "Nothing has been saved yet" in response.content.decode()
    assert not Intake.objects.exists()
    assert not QuestionnaireResponse.objects.exists() and not Score.objects.exists()
    assert not RiskAlert.objects.exists()
    assert AuditEvent.objects.count() == before


def test_form_rules_are_checked(clients, personas, program):
    cases = [
        intake_data(pain_duration_months=None),  # yes, but how long?
        intake_data(care_none="on"),  # none and some care
        intake_data(care_family_doctor=None, care_physiotherapy=None),  # nothing said about care
        intake_data(language="de"),
        intake_data(weekly_minutes="-5"),
        intake_data(prefers_in_person="maybe"),
    ]
    for data in cases:
        assert clients["patient"].post("/screening/", data).status_code == 400
    assert not Intake.objects.exists()


def test_one_intake_waits_at_a_time(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    response = clients["patient"].post("/screening/", intake_data())
    assert response.status_code == 302
    assert Intake.objects.count() == 1
    with pytest.raises(ValidationError):
        services.submit_intake(
            actor=personas.patient, patient=personas.patient, data=intake_data(), answers=list(intake_data().items())
        )


def test_not_enrolled_program_home_points_to_screening(clients, program):
    response = clients["patient"].get("/program/")
    assert response.status_code == 302 and response["Location"] == "/screening/status/"


def test_the_dashboard_counts_screening_decisions_waiting(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    page = clients["therapist"].get("/therapist/").content.decode()
    assert 'id="screening-waiting"' in page and "Screening decisions waiting: 1" in page
    other = clients["unassigned_therapist"].get("/therapist/").content.decode()
    assert "Screening decisions waiting: 0" in other
