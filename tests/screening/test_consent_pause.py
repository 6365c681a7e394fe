"""Consent, at any time: withdrawing pauses the program and tells the therapist; a new consent
version asks again before the next module; consenting again resumes."""

from __future__ import annotations

from datetime import date

import time_machine
from django.utils import timezone

from modules.program import selectors
from modules.program import services as program_services
from therapist.screening import services
from therapist.screening.models import ConsentText

from .helpers import decision_data, intake_data


def _enrolled_with_consent(clients, personas, program):
    patient = clients["patient"]
    assert patient.post("/screening/", intake_data()).status_code == 200
    assert patient.post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 302
    from therapist.screening.models import Intake

    intake = Intake.objects.get(patient=personas.patient)
    assert clients["therapist"].post(f"/screening/intakes/{intake.pk}/", decision_data("accept")).status_code == 302
    enrolment = selectors.active_enrolment(personas.patient)
    assert selectors.program_overview(enrolment).states[0].is_open
    return enrolment


def test_withdrawing_pauses_the_program_and_tells_the_therapist(
    clients, personas, program, mailoutbox, django_capture_on_commit_callbacks
):
    enrolment = _enrolled_with_consent(clients, personas, program)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert clients["patient"].post("/screening/consent/", {"action": "withdraw"}).status_code == 302
    [message] = mailoutbox
    assert message.to == [personas.therapist.email] and "withdrew their consent" in message.body
    overview = selectors.program_overview(enrolment)
    assert overview.paused and not any(s.is_open for s in overview.states if not s.is_complete)
    first = overview.states[0].module.slug
    locked = clients["patient"].get(f"/program/modules/{first}/")
    assert locked.status_code == 403 and "withdrew your consent" in locked.content.decode()
    assert "withdrew your consent" in clients["patient"].get("/program/").content.decode()

    # Consenting again resumes.
    assert clients["patient"].post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 302
    overview = selectors.program_overview(enrolment)
    assert not overview.paused and overview.states[0].is_open


def test_a_new_consent_version_asks_again_before_the_next_module(clients, personas, program):
    enrolment = _enrolled_with_consent(clients, personas, program)
    services.publish_consent_text(actor=personas.admin, text="Version 2: we now also store voice notes.")
    assert "consent text has changed" in (selectors.program_overview(enrolment).paused or "")
    version = ConsentText.objects.order_by("-version").first().version
    clients["patient"].post("/screening/consent/", {"action": "give", "version": str(version)})
    assert selectors.program_overview(enrolment).paused is None


def test_a_patient_enrolled_without_consent_here_is_not_paused(personas, program):
    enrolment = program_services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=date(2026, 1, 5)
    )
    with time_machine.travel(timezone.now()):
        assert selectors.program_overview(enrolment).paused is None
