"""The summary suggests and flags every concern with a reason; it never rejects anyone."""

from __future__ import annotations

from paceway.audit.models import AuditEvent
from therapist.screening import selectors, services
from therapist.screening.demo import load_demo_screening
from therapist.screening.models import Consent, Intake, ScreeningDecision
from therapist.screening.selectors import DISCUSS, ELSEWHERE, LIKELY_SUITABLE

from .helpers import intake_data, with_item9

ALL_FLAGS = {
    "flag_suicidal_plans": "on",
    "flag_mania": "on",
    "flag_substance_use": "on",
    "flag_psychosis": "on",
    "flag_ptsd_ocd": "on",
    "flag_cannot_log_in_weekly": "on",
}


def _submit(personas, data):
    result = services.submit_intake(
        actor=personas.patient, patient=personas.patient, data=data, answers=list(data.items())
    )
    return Intake.objects.select_related("phq9_response").get(pk=result.intake.pk)


def test_a_plain_intake_is_likely_suitable(personas):
    summary = selectors.summarise_intake(_submit(personas, intake_data()))
    assert summary.suggestion == LIKELY_SUITABLE and summary.concerns == []
    assert set(summary.scores) == {"phq9", "gad7", "peg"}


def test_every_caution_flag_is_flagged_with_a_reason_and_nobody_is_rejected(clients, personas):
    data = intake_data(
        pain_three_months="no",
        pain_duration_months=None,
        care_family_doctor=None,
        care_physiotherapy=None,
        care_none="on",
        device_access="no",
        tech_comfort="1",
        weekly_minutes="20",
        prefers_in_person="yes",
        readiness="1",
        **ALL_FLAGS,
    )
    intake = _submit(personas, data)
    summary = selectors.summarise_intake(intake)
    assert summary.suggestion == ELSEWHERE
    assert len(summary.concerns) >= 13
    assert all(str(c.reason).strip() for c in summary.concerns)
    elsewhere = [str(c.reason) for c in summary.concerns if c.level == ELSEWHERE]
    for words in (
        "plans to end their life",
        "mania",
        "alcohol or drug",
        "psychosis",
        "PTSD or OCD",
        "cannot log in weekly",
        "less than 3 months",
        "No device",
    ):
        assert any(words.lower() in r.lower() for r in elsewhere), words
    # A suggestion only: no decision, the patient still waits for a therapist.
    assert not ScreeningDecision.objects.exists()
    assert selectors.patient_status(personas.patient).state == selectors.WAITING
    page = clients["therapist"].get(f"/screening/intakes/{intake.pk}/").content.decode()
    assert 'data-suggestion="elsewhere"' in page and "It decides nothing" in page
    assert 'name="decision"' in page  # the therapist can still accept


def test_item_9_alone_suggests_a_discussion_not_exclusion(personas):
    summary = selectors.summarise_intake(_submit(personas, with_item9(1)))
    assert summary.suggestion == DISCUSS and summary.risk
    assert any("question 9" in str(c.reason) for c in summary.concerns)


def test_preferences_and_technology_are_discussed(personas):
    summary = selectors.summarise_intake(
        _submit(personas, intake_data(prefers_in_person="unsure", device_access="limited", language="fr-ca"))
    )
    assert summary.suggestion == DISCUSS
    reasons = " ".join(str(c.reason) for c in summary.concerns)
    assert "in-person" in reasons and "shared device" in reasons and "language" in reasons


def test_the_audit_log_holds_no_answers(personas):
    _submit(personas, intake_data(pain_condition="Sciatica after surgery"))
    for event in AuditEvent.objects.all():
        assert "Sciatica" not in " ".join(str(v) for v in event.__dict__.values())


def test_the_demo_loader_leaves_jo_waiting_for_a_decision(personas, program):
    accounts = {"patient3": personas.stranger}
    load_demo_screening(accounts)
    load_demo_screening(accounts)  # idempotent
    intake = Intake.objects.get(patient=personas.stranger)
    assert not hasattr(intake, "decision") or not ScreeningDecision.objects.filter(intake=intake).exists()
    assert Consent.objects.get(patient=personas.stranger).consent_text.version == 1
    assert selectors.patient_status(personas.stranger).state == selectors.WAITING
