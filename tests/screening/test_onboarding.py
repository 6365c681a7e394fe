"""Issue 11, onboarding that leads: the tracker, the therapist's name and welcome, the e-mails
(text + HTML, the clinic's name, no health data, once, after commit) and the notice before a
therapist is assigned."""

from __future__ import annotations

from django.core import mail

from paceway.accounts.services import assign_patient
from tests.conftest import make_therapist, make_user

from .helpers import decision_data, intake_data


def _current(page: str) -> str:
    return page.split('data-current="', 1)[1].split('"', 1)[0]


def test_it_leads_a_new_patient_through_each_step_to_week_1(
    clients, personas, program, django_capture_on_commit_callbacks
):
    patient = clients["stranger"]  # no therapist yet
    start = patient.get("/program/", follow=True)
    page = start.content.decode()
    assert start.redirect_chain[-1][0] == "/screening/status/"
    assert _current(page) == "intake" and "Tell us about you" in page and "/screening/" in page

    with django_capture_on_commit_callbacks(execute=True):
        page = patient.post("/screening/", intake_data()).content.decode()
    assert _current(page) == "decision" and "contacts you by" in page
    [consent_mail] = mail.outbox
    assert consent_mail.subject.endswith("One step left: your consent") and "/screening/consent/" in consent_mail.body

    assert patient.post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 302
    lead = make_therapist("lead@example.org", admin=personas.admin)
    lead.therapist_profile.is_clinical_lead = True
    lead.therapist_profile.save()
    from therapist.screening import services
    from therapist.screening.models import Intake

    intake = Intake.objects.get(patient=personas.stranger)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=lead, intake_id=intake.pk, **decision_data("accept"))
    [accepted] = mail.outbox
    assert "news about your place" in accepted.subject
    page = patient.get("/screening/status/").content.decode()
    assert _current(page) == "therapist" and "You will have one by" in page

    therapist = personas.unassigned_therapist
    profile = therapist.therapist_profile
    profile.public_profile = "Ten years with people who live with pain."
    profile.welcome_message = "Welcome, I am glad you are here."
    profile.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assign_patient(actor=personas.admin, patient=personas.stranger, therapist=therapist)
    recipients = {m.to[0]: m for m in mail.outbox}
    assert set(recipients) == {personas.stranger.email, therapist.email}
    assert therapist.name in recipients[personas.stranger.email].body
    assert personas.stranger.name not in recipients[therapist.email].body  # no patient details by e-mail
    home = patient.get("/program/").content.decode()  # enrolled on assignment
    assert "Week 1" in home and therapist.name in home
    assert "Ten years with people" in home and "Welcome, I am glad you are here." in home


def test_it_e_mails_patient_and_both_therapists_on_reassignment_with_no_health_data(
    personas, django_capture_on_commit_callbacks, settings
):
    settings.CLINIC_NAME = "Lakeside Clinic"
    with django_capture_on_commit_callbacks(execute=True):
        assign_patient(
            actor=personas.admin, patient=personas.patient, therapist=personas.unassigned_therapist, reason="Leave"
        )
    by_person = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert "new therapist" in by_person[personas.patient.email].subject
    assert "added to your caseload" in by_person[personas.unassigned_therapist.email].subject
    assert "moved to another therapist" in by_person[personas.therapist.email].subject
    for message in mail.outbox:
        assert message.subject.startswith("Lakeside Clinic: ")
        html = dict((mime, body) for body, mime in message.alternatives)["text/html"]
        assert "Lakeside Clinic" in html and "Leave" not in message.body
        for word in ("PHQ", "GAD", "score", "pain", "intake"):
            assert word.lower() not in message.body.lower()


def test_it_sends_nothing_when_the_assignment_is_refused(personas, django_capture_on_commit_callbacks):
    import pytest
    from django.core.exceptions import ValidationError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        assign_patient(actor=personas.admin, patient=personas.patient, therapist=personas.therapist)
    assert mail.outbox == []


def test_it_tells_a_patient_without_a_therapist_when_to_expect_one_and_a_reply(clients, personas):
    page = clients["stranger"].get(f"/messages/{personas.stranger.pk}/").content.decode()
    assert "Messages with the care team" in page and 'id="no-therapist-yet"' in page
    assert "replies within 1 business day" in page
    own = clients["patient"].get(f"/messages/{personas.patient.pk}/").content.decode()
    assert 'id="no-therapist-yet"' not in own and personas.therapist.name in own


def test_it_shows_the_patients_preferred_name_to_their_therapist(clients, personas):
    other = make_user("named@example.org", "patient", name="Robin")
    assert other.name == "Robin"
    page = clients["therapist"].get("/therapist/").content.decode()
    assert personas.patient.display_name in page


def test_it_lets_the_clinical_lead_assign_right_after_accepting(
    clients, personas, program, django_capture_on_commit_callbacks
):
    from paceway.accounts.models import CareAssignment
    from therapist.screening import services
    from therapist.screening.models import Intake

    lead = personas.unassigned_therapist
    lead.therapist_profile.is_clinical_lead = True
    lead.therapist_profile.save()
    patient = clients["stranger"]
    patient.post("/screening/", intake_data())
    patient.post("/screening/consent/", {"action": "give", "version": "1"})
    intake = Intake.objects.get(patient=personas.stranger)
    lead_client = clients["unassigned_therapist"]
    assert 'id="assign-after-acceptance"' not in lead_client.get(f"/screening/intakes/{intake.pk}/").content.decode()
    assert (
        lead_client.post(f"/screening/intakes/{intake.pk}/assign/", {"therapist": lead.pk}).status_code == 404
    )  # not accepted yet
    services.decide(actor=lead, intake_id=intake.pk, **decision_data("accept"))
    assert 'id="assign-after-acceptance"' in lead_client.get(f"/screening/intakes/{intake.pk}/").content.decode()
    assert (
        clients["therapist"].post(f"/screening/intakes/{intake.pk}/assign/", {"therapist": lead.pk}).status_code == 404
    )
    response = lead_client.post(f"/screening/intakes/{intake.pk}/assign/", {"therapist": "nobody"})
    assert response.status_code == 302 and not CareAssignment.objects.filter(patient=personas.stranger).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/screening/intakes/{intake.pk}/assign/", {"therapist": lead.pk})
    assert response.status_code == 302
    assert CareAssignment.objects.get(patient=personas.stranger, ended_at__isnull=True).therapist == lead
    assert {m.to[0] for m in mail.outbox} >= {personas.stranger.email, lead.email}
