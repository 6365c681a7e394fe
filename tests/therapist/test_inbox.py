"""Issue 11, the therapist's day: an inbox across the caseload (oldest first, the clinic's reply
target, overdue flagged on the dashboard), a chat-style thread that links to the record, templates
picked inline; the administrators' console shows each waiting patient's stage and assigns from the row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

from messaging.services import send_message
from paceway.accounts.models import CareAssignment
from tests.conftest import client_for, make_user
from therapist.workspace.models import MessageTemplate
from therapist.workspace.selectors import inbox

MONDAY_9 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 9 a.m. in Toronto


def _patient(personas, email, name):
    patient = make_user(email, "patient", name=name)
    CareAssignment.objects.create(patient=patient, therapist=personas.therapist, assigned_by=personas.admin)
    return patient


def test_it_lists_conversations_waiting_for_a_reply_oldest_first_and_flags_overdue_ones(personas, settings):
    settings.REPLY_TARGET_BUSINESS_DAYS = 1
    newer = _patient(personas, "newer@example.org", "Newer Patient")
    with time_machine.travel(MONDAY_9, tick=False):
        send_message(sender=personas.patient, patient=personas.patient, client_id="a" * 16, body="First")
    with time_machine.travel(MONDAY_9 + timedelta(hours=30), tick=False):
        send_message(sender=newer, patient=newer, client_id="b" * 16, body="Later")
        send_message(sender=newer, patient=newer, client_id="c" * 16, body="And again")
    with time_machine.travel(MONDAY_9 + timedelta(hours=36), tick=False):  # Tuesday 9 p.m.
        rows = inbox(personas.therapist)
        assert [(r.patient.pk, r.count) for r in rows] == [(personas.patient.pk, 1), (newer.pk, 2)]
        assert rows[0].overdue and not rows[1].overdue  # due Tuesday 9 a.m. / Wednesday 8 p.m.
        client = client_for(personas.therapist)
        page = client.get("/therapist/inbox/").content.decode()
        assert page.index("Pat One") < page.index("Newer Patient") and "Overdue" in page
        dashboard = client.get("/therapist/").content.decode()
        assert "2 conversations waiting for your reply" in dashboard and "1 overdue" in dashboard
        assert "Reply overdue" in dashboard
        assert client.get("/therapist/?flag=overdue").content.decode().count("/therapist/patients/") == 1
        send_message(sender=personas.therapist, patient=personas.patient, client_id="d" * 16, body="Reply")
        assert [r.patient.pk for r in inbox(personas.therapist)] == [newer.pk]


def test_it_refuses_the_inbox_to_everyone_but_therapists_and_shows_only_their_caseload(clients, personas):
    send_message(sender=personas.patient, patient=personas.patient, client_id="a" * 16, body="Hello")
    for who in ("anonymous", "patient", "admin"):
        assert clients[who].get("/therapist/inbox/").status_code in (302, 404), who
    assert "Pat One" not in clients["unassigned_therapist"].get("/therapist/inbox/").content.decode()
    assert "Pat One" in clients["therapist"].get("/therapist/inbox/").content.decode()


def test_it_shows_a_chat_style_thread_linking_to_the_record_with_templates_picked_inline(clients, personas):
    MessageTemplate.objects.create(owner=personas.therapist, title="Weekly feedback", body="Well done this week.")
    send_message(sender=personas.patient, patient=personas.patient, client_id="a" * 16, body="Hello")
    page = clients["therapist"].get(f"/messages/{personas.patient.pk}/").content.decode()
    assert f'<a href="/therapist/patients/{personas.patient.pk}/">Pat One</a>' in page
    assert 'id="template-picker"' in page and 'data-body="Well done this week."' in page
    assert "js/template-picker.js" in page
    template = MessageTemplate.objects.get()
    filled = clients["therapist"].get(f"/messages/{personas.patient.pk}/?template={template.pk}").content.decode()
    assert "Well done this week.</textarea>" in filled
    assert 'id="template-picker"' not in clients["patient"].get(f"/messages/{personas.patient.pk}/").content.decode()


def test_it_shows_each_waiting_patients_stage_and_assigns_from_the_row(
    clients, personas, django_capture_on_commit_callbacks
):
    from modules.program.loader import load_program
    from tests.screening.conftest import MINI
    from tests.screening.helpers import decision_data, intake_data

    load_program(MINI)
    from therapist.screening import services
    from therapist.screening.models import Intake

    waiting = make_user("waiting@example.org", "patient", name="Wai Ting")
    client_for(waiting).post("/screening/", intake_data())
    page = clients["admin"].get("/therapist/console/").content.decode()
    assert 'data-stage="undecided"' in page and 'data-stage="no_intake"' in page
    assert "Fibromyalgia" not in page  # the stage only, never the answers
    client_for(waiting).post("/screening/consent/", {"action": "give", "version": "1"})
    lead = personas.unassigned_therapist
    lead.therapist_profile.is_clinical_lead = True
    lead.therapist_profile.save()
    services.decide(actor=lead, intake_id=Intake.objects.get(patient=waiting).pk, **decision_data("accept"))
    page = clients["admin"].get("/therapist/console/").content.decode()
    assert page.index('data-stage="ready_to_assign"') < page.index('data-stage="no_intake"')
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["admin"].post("/therapist/console/", {"patient": waiting.pk, "therapist": lead.pk})
    assert response.status_code == 302
    assert CareAssignment.objects.get(patient=waiting, ended_at__isnull=True).therapist == lead


def test_it_makes_the_risk_banner_unmistakable(clients, personas):
    from modules.outcomes.models import QuestionnaireResponse, RiskAlert

    response = QuestionnaireResponse.objects.create(
        patient=personas.patient, questionnaire="phq-9", answers={}, submitted_by=personas.patient
    )
    RiskAlert.objects.create(patient=personas.patient, response=response, therapist_at_creation=personas.therapist)
    page = clients["therapist"].get(f"/therapist/patients/{personas.patient.pk}/").content.decode()
    assert 'class="crisis risk-banner" role="alert"' in page and "Urgent" in page
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/paceway.css")).read_text()
    assert "#live-alert li" in css  # the live banner: the warning colour, not a routine notice
