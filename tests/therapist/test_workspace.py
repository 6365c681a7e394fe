"""The therapist's dashboard, patient view and notes; the administrators' console."""

from datetime import timedelta

import pytest
from django.utils import timezone

from modules.outcomes.models import QuestionnaireResponse, RiskAlert
from paceway.accounts.models import CareAssignment
from tests.conftest import make_user
from therapist.workspace.models import ClinicalNote
from therapist.workspace.selectors import caseload


def _patient(personas, email, name):
    patient = make_user(email, "patient", name=name)
    CareAssignment.objects.create(patient=patient, therapist=personas.therapist, assigned_by=personas.admin)
    return patient


def _alert(personas, patient):
    response = QuestionnaireResponse.objects.create(
        patient=patient, questionnaire="phq-9", answers={}, submitted_by=patient
    )
    RiskAlert.objects.create(patient=patient, response=response, therapist_at_creation=personas.therapist)


def test_the_caseload_puts_risk_alerts_first(personas):
    calm = personas.patient
    at_risk = _patient(personas, "risk@example.org", "Zed Risk")
    _alert(personas, at_risk)
    rows = caseload(personas.therapist)
    assert [row.patient for row in rows] == [at_risk, calm]
    assert rows[0].open_alerts == 1


def test_the_caseload_never_shows_another_therapists_patients(personas):
    assert caseload(personas.unassigned_therapist) == []
    assert [row.patient for row in caseload(personas.therapist, query="Pam")] == []


def test_the_dashboard_refuses_everyone_but_therapists(clients):
    assert clients["therapist"].get("/therapist/").status_code == 200
    for name in ("patient", "stranger", "admin"):
        assert clients[name].get("/therapist/").status_code == 404
    assert clients["anonymous"].get("/therapist/").status_code == 302


def test_the_patient_view_refuses_strangers(clients, personas):
    url = f"/therapist/patients/{personas.patient.pk}/"
    assert clients["therapist"].get(url).status_code == 200
    for name in ("unassigned_therapist", "patient", "stranger", "admin"):
        assert clients[name].get(url).status_code == 404, name


def test_notes_are_encrypted_and_private(clients, personas):
    url = f"/therapist/patients/{personas.patient.pk}/notes/"
    assert clients["therapist"].post(url, {"text": "Discussed sleep hygiene"}).status_code == 302
    note = ClinicalNote.objects.get()
    assert b"sleep hygiene" not in bytes(note.ciphertext)
    page = clients["therapist"].get(f"/therapist/patients/{personas.patient.pk}/").content.decode()
    assert "Discussed sleep hygiene" in page
    assert clients["unassigned_therapist"].post(url, {"text": "x"}).status_code == 404
    assert ClinicalNote.objects.count() == 1


def test_weekly_review_records_minutes(clients, personas):
    url = f"/therapist/patients/{personas.patient.pk}/review/"
    clients["therapist"].post(url, {"minutes": 12})
    clients["therapist"].post(url, {"minutes": 14})  # same week: updated, not doubled
    rows = caseload(personas.therapist)
    assert rows[0].reviewed_minutes == 14
    assert clients["stranger"].post(url, {"minutes": 5}).status_code == 404


def test_an_administrator_assigns_a_waiting_patient(clients, personas):
    page = clients["admin"].get("/therapist/console/").content.decode()
    assert personas.stranger.email in page
    response = clients["admin"].post(
        "/therapist/console/",
        {"patient": personas.stranger.pk, "therapist": personas.unassigned_therapist.pk, "reason": ""},
    )
    assert response.status_code == 302
    assert (
        CareAssignment.objects.get(patient=personas.stranger, ended_at__isnull=True).therapist
        == personas.unassigned_therapist
    )


def test_the_console_shows_rule_violations(clients, personas):
    response = clients["admin"].post(
        "/therapist/console/",
        {"patient": personas.patient.pk, "therapist": personas.unassigned_therapist.pk, "reason": ""},
    )
    assert response.status_code == 200 and "reason" in response.content.decode()


@pytest.mark.parametrize("name", ["patient", "therapist", "stranger", "unassigned_therapist"])
def test_the_console_refuses_non_administrators(clients, name):
    assert clients[name].get("/therapist/console/").status_code == 404


def test_the_caseload_orders_every_kind_of_flag(personas):
    """Risk alert, then unread messages, reliable deterioration, inactivity, review due."""
    from messaging.services import send_message
    from modules.outcomes.models import Score
    from modules.program import services as program_services
    from modules.program.loader import load_program
    from tests.program.conftest import MINI
    from therapist.workspace.services import mark_week_reviewed

    program = load_program(MINI).program
    reviewed = personas.patient
    alert = _patient(personas, "a@example.org", "Ann Alert")
    unread = _patient(personas, "u@example.org", "Una Unread")
    worse = _patient(personas, "w@example.org", "Wes Worse")
    idle = _patient(personas, "i@example.org", "Ida Idle")
    due = _patient(personas, "d@example.org", "Dee Due")
    _alert(personas, alert)
    send_message(sender=unread, patient=unread, client_id="c-1", body="Hello")
    for total, days_ago in ((5, 20), (12, 1)):
        response = QuestionnaireResponse.objects.create(
            patient=worse, questionnaire="phq-9", answers={}, submitted_by=worse
        )
        Score.objects.create(
            response=response,
            patient=worse,
            instrument="phq-9",
            scale="phq9",
            total=total,
            submitted_at=timezone.now() - timedelta(days=days_ago),
        )
    enrolment = program_services.enrol_patient(
        actor=personas.therapist, patient=idle, program=program, start_date=timezone.localdate() - timedelta(days=10)
    )
    type(enrolment).objects.filter(pk=enrolment.pk).update(enrolled_at=timezone.now() - timedelta(days=10))
    mark_week_reviewed(therapist=personas.therapist, patient=reviewed, minutes=10)
    rows = caseload(personas.therapist)
    assert [row.patient for row in rows] == [alert, unread, worse, idle, due, reviewed]
    assert rows[2].deteriorated and rows[3].inactive and rows[4].review_due and not rows[5].review_due


def test_weekly_feedback_from_a_template_reaches_the_patient(clients, personas):
    from messaging.models import Message
    from therapist.workspace.services import save_message_template

    template = save_message_template(therapist=personas.therapist, title="Week 3", body="Great pacing this week!")
    page = (
        clients["therapist"].get(f"/therapist/patients/{personas.patient.pk}/?template={template.pk}").content.decode()
    )
    assert "Great pacing this week!" in page
    url = f"/therapist/patients/{personas.patient.pk}/feedback/"
    form = {"body": "Great pacing this week, Pat!", "client_id": "fb-1"}
    clients["therapist"].post(url, form)
    clients["therapist"].post(url, form)  # a double submit sends once
    assert Message.objects.filter(conversation__patient=personas.patient).count() == 1
    assert clients["unassigned_therapist"].post(url, {"body": "x", "client_id": "fb-2"}).status_code == 404


def test_templates_are_personal_unless_a_clinical_lead_shares_them(clients, personas):
    from therapist.workspace.models import MessageTemplate

    clients["therapist"].post("/therapist/templates/", {"title": "Mine", "body": "Text"})
    clients["therapist"].post("/therapist/templates/", {"title": "Shared", "body": "Text", "shared": "on"})
    assert list(MessageTemplate.objects.values_list("title", "owner")) == [("Mine", personas.therapist.pk)]
    assert "Mine" not in clients["unassigned_therapist"].get("/therapist/templates/").content.decode()
    assert clients["patient"].get("/therapist/templates/").status_code == 404


def test_the_dashboard_filters_by_flag_within_the_caseload(clients, personas):
    at_risk = _patient(personas, "risk2@example.org", "Rae Risk")
    _alert(personas, at_risk)
    page = clients["therapist"].get("/therapist/?flag=alert").content.decode()
    assert "Rae Risk" in page and "Pat One" not in page
    assert "Rae Risk" not in clients["unassigned_therapist"].get("/therapist/?flag=alert").content.decode()


def test_a_clinical_lead_on_leave_cannot_share_a_template(clients, personas):
    from paceway.accounts.models import TherapistProfile
    from therapist.workspace.models import MessageTemplate

    TherapistProfile.objects.filter(user=personas.therapist).update(is_clinical_lead=True, is_active_clinician=False)
    clients["therapist"].post("/therapist/templates/", {"title": "Shared", "body": "Text", "shared": "on"})
    assert not MessageTemplate.objects.filter(owner=None).exists()
