from __future__ import annotations

from pathlib import Path

import pytest

from messaging import services as messaging
from modules.outcomes import services as outcomes
from modules.outcomes.models import RiskAlert
from modules.program import services as program_services
from modules.program.loader import load_program
from modules.program.models import Enrolment
from tests.outcomes.helpers import complete_follow_up, weekly, with_item9
from tests.screening.helpers import decision_data, intake_data
from therapist.screening.models import Intake
from therapist.workspace import services as therapist_services

MINI = Path(__file__).parent.parent / "program" / "content" / "mini"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def program(db: None):
    return load_program(MINI).program


DIARY = {
    "date": "2026-01-06",
    "pain": 6,
    "activity": "Walked to the park — slowly",
    "mood": 7,
    "sleep_hours": "6.5",
    "notes": "Flare-up in the evening; used the breathing exercise.",
}


@pytest.fixture
def full_record(clients, personas, program):
    """A patient who has done everything the platform offers, through its own ways in."""
    patient, therapist = clients["patient"], clients["therapist"]
    p, t = personas.patient, personas.therapist
    assert patient.post("/screening/", intake_data(pain_condition="Low back pain since a fall")).status_code == 200
    assert patient.post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 302
    intake = Intake.objects.get(patient=p)
    assert therapist.post(f"/screening/intakes/{intake.pk}/", decision_data("accept")).status_code == 302
    enrolment = Enrolment.objects.get(patient=p, ended_at__isnull=True)
    program_services.tailor(
        actor=t,
        enrolment=enrolment,
        module_slug="second",
        action="open_early",
        reason="You said you are ready for pacing",
    )
    program_services.create_entry(actor=p, patient=p, kind="pain_diary", data=DIARY)
    risky = outcomes.submit_response(
        actor=p, patient=p, questionnaire="weekly-check-in", answers=list(with_item9(weekly(2), 1).items())
    )
    outcomes.submit_response(actor=p, patient=p, questionnaire="weekly-check-in", answers=list(weekly(1).items()))
    outcomes.amend_response(
        actor=p,
        response_id=risky.response.pk,
        answers=list(with_item9(weekly(2), 0).items()),
        reason="I misread question 9",
    )
    for alert in RiskAlert.objects.filter(patient=p):
        complete_follow_up(alert, t)
        outcomes.resolve_alert(actor=t, alert_id=alert.pk, note="Called; safe, plan reviewed together.")
    messaging.send_message(sender=p, patient=p, client_id="p-1", body="Is pacing the same as resting? ✓ <b>no html</b>")
    messaging.send_message(sender=t, patient=p, client_id="t-1", body="Good question — not quite. Week 2 explains.")
    therapist_services.mark_week_reviewed(therapist=t, patient=p, minutes=12)
    therapist_services.add_clinical_note(therapist=t, patient=p, text="Private: consider sleep referral.")
    return p
