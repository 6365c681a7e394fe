"""Issue 11: e-mails on acceptance, consent needed, assignment (patient and therapist) and
reassignment (patient, new and former therapist): each in plain text and HTML, with the clinic's
name, a link to the site, and no health data (no answers, scores, intake words or the patient's
name in a therapist's e-mail)."""

from __future__ import annotations

from django.core import mail

from paceway.accounts.services import assign_patient
from tests.conftest import make_therapist

from .helpers import decision_data, intake_data

HEALTH_WORDS = ("phq", "gad", "peg", "score", "fibromyalgia", "depress", "anxi", "suicid", "risk", "pain")


def _check(message, clinic: str, *, patient_name: str | None = None) -> None:
    html = {mime: body for body, mime in message.alternatives}.get("text/html", "")
    assert html, message.subject
    assert message.subject.startswith(f"{clinic}: ")
    for body in (message.body, html):
        assert clinic in body, message.subject
        assert "127.0.0.1" not in body or "http" in body  # a real link, never "Hello from host"
        lower = body.lower()
        for word in HEALTH_WORDS:
            assert word not in lower, (message.subject, word)
        if patient_name:
            assert patient_name not in body, message.subject


def test_every_onboarding_e_mail_is_branded_in_text_and_html_with_no_health_data(
    clients, personas, program, settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_NAME = "Lakeside Clinic"
    patient = clients["stranger"]  # signed up, no therapist yet
    with django_capture_on_commit_callbacks(execute=True):
        patient.post("/screening/", intake_data())
    [consent_needed] = mail.outbox
    _check(consent_needed, "Lakeside Clinic")
    assert patient.post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 302

    lead = make_therapist("lead@example.org", admin=personas.admin)
    lead.therapist_profile.is_clinical_lead = True
    lead.therapist_profile.save()
    from therapist.screening import services
    from therapist.screening.models import Intake

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=lead, intake_id=Intake.objects.get(patient=personas.stranger).pk, **decision_data())
    [accepted] = mail.outbox
    _check(accepted, "Lakeside Clinic")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assign_patient(actor=personas.admin, patient=personas.stranger, therapist=personas.unassigned_therapist)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {personas.stranger.email, personas.unassigned_therapist.email}
    _check(by_person[personas.stranger.email], "Lakeside Clinic")
    _check(by_person[personas.unassigned_therapist.email], "Lakeside Clinic", patient_name=personas.stranger.name)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assign_patient(actor=personas.admin, patient=personas.stranger, therapist=personas.therapist, reason="Leave")
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {personas.stranger.email, personas.therapist.email, personas.unassigned_therapist.email}
    _check(by_person[personas.stranger.email], "Lakeside Clinic")
    for clinician in (personas.therapist, personas.unassigned_therapist):
        _check(by_person[clinician.email], "Lakeside Clinic", patient_name=personas.stranger.name)
