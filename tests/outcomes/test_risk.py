"""The safety-critical path: crisis panel and alert row with Redis, Celery and SMTP down;
notification exactly once; escalation on time; resolution rules; alerts never cleared by scores."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from modules.outcomes import services
from modules.outcomes.models import QuestionnaireResponse, RiskAlert, Score
from paceway.accounts import hooks
from paceway.accounts import services as account_services
from paceway.accounts.models import CareAssignment, TherapistProfile
from paceway.audit.models import AuditEvent

from .helpers import weekly, with_item9

URL = "/outcomes/q/weekly-check-in/"


def broken_delay(*args, **kwargs):
    raise ConnectionRefusedError("broker unreachable")


@pytest.fixture
def lead(personas):
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    return personas.unassigned_therapist


def submit(patient, answers, **kwargs):
    return services.submit_response(
        actor=patient, patient=patient, questionnaire="weekly-check-in", answers=list(answers.items()), **kwargs
    )


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_crisis_panel_and_saves_the_alert_with_broker_and_smtp_down(personas, clients, settings, caplog):
    settings.EMAIL_BACKEND = "tests.outcomes.helpers.BrokenEmailBackend"
    with mock.patch("modules.outcomes.tasks.notify_risk_alert.delay", side_effect=broken_delay) as delay:
        response = clients["patient"].post(URL, with_item9(weekly(phq=1), 1))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="crisis"' in body and "9-8-8" in body and "911" in body
    assert settings.CLINIC_CONTACT in body and "not monitored around the clock" in body
    delay.assert_called_once()  # the enqueue was attempted after commit, failed, and was caught
    alert = RiskAlert.objects.get(patient=personas.patient)
    assert alert.is_open and alert.response.answers["44260-8"] == 1 and alert.notified_at is None
    assert alert.therapist_at_creation == personas.therapist and not alert.routed_to_fallback
    assert "not enqueued" in caplog.text and "44260-8" not in caplog.text
    actions = list(AuditEvent.objects.filter(patient_id=personas.patient.pk).values_list("action", flat=True))
    assert "outcomes.response.submit" in actions and "outcomes.risk_alert.create" in actions

    # SMTP still down: the sweep fails softly and records nothing.
    assert services.notify_and_escalate_risk_alerts()["failed"] == 1
    alert.refresh_from_db()
    assert alert.notified_at is None

    # Services are back: the therapist is notified exactly once across two runs.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    assert services.notify_and_escalate_risk_alerts()["notified"] == 1
    assert services.notify_and_escalate_risk_alerts()["notified"] == 0
    assert services.send_alert_notification(alert_id=alert.pk) is False  # a late task run is a no-op
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.therapist.email]
    assert "44260-8" not in message.body and personas.patient.name not in message.body
    assert "/outcomes/alerts/" in message.body


def test_it_saves_nothing_but_answers_when_there_is_no_risk(personas, clients):
    response = clients["patient"].post(URL, with_item9(weekly(phq=2), 0))
    assert response.status_code == 200
    assert 'class="crisis"' not in response.content.decode()
    assert RiskAlert.objects.count() == 0
    assert Score.objects.filter(patient=personas.patient).count() == 5  # PEG, NRS x2, PHQ-9, GAD-7


def test_it_enqueues_the_notification_on_commit(personas, django_capture_on_commit_callbacks):
    with (
        mock.patch("modules.outcomes.tasks.notify_risk_alert.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        submission = submit(personas.patient, with_item9(weekly(), 2))
    delay.assert_called_once_with(submission.alert.pk)  # an id only, no health data


def test_enqueue_never_raises(personas):
    with mock.patch("modules.outcomes.tasks.notify_risk_alert.delay", side_effect=broken_delay):
        services.enqueue_alert_notification(123)


@pytest.mark.parametrize(
    "payload",
    [
        {k: v for k, v in weekly().items() if k != "44260-8"},  # missing
        {**weekly(), "44250-9": 4},  # out of range
        {**weekly(), "44250-9": [1, 1]},  # duplicate
        {**weekly(), "zzz": 1},  # unknown
        {**weekly(), "promis-PAININ9": 3},  # another instrument's item
        {**weekly(), "44250-9": "1\x00"},  # null byte
    ],
)
def test_it_refuses_invalid_answers_and_stores_nothing(personas, clients, payload):
    response = clients["patient"].post(URL, payload)
    assert response.status_code == 400
    assert QuestionnaireResponse.objects.count() == 0 and Score.objects.count() == 0 and RiskAlert.objects.count() == 0


def test_it_ignores_mass_assigned_fields(personas, clients):
    response = clients["patient"].post(URL, {**weekly(), "patient": personas.stranger.pk})
    assert response.status_code == 400  # an unknown field is an error, and nothing is stored for anyone
    assert QuestionnaireResponse.objects.count() == 0


def test_it_keeps_the_alert_open_after_a_later_lower_score(personas):
    first = submit(personas.patient, with_item9(weekly(phq=2), 3))
    second = submit(personas.patient, weekly(phq=0))  # item 9 = 0
    assert second.alert is None
    assert RiskAlert.objects.get(pk=first.alert.pk).is_open
    # An amendment that removes the risk answer does not clear it either.
    services.amend_response(
        actor=personas.patient,
        response_id=first.response.pk,
        answers=list(weekly(phq=0).items()),
        reason="I clicked the wrong answer",
    )
    assert RiskAlert.objects.get(pk=first.alert.pk).is_open
    assert QuestionnaireResponse.objects.get(pk=first.response.pk).answers["44260-8"] == 3  # original kept


def test_it_resolves_only_with_a_note_by_the_care_team(personas, lead):
    alert = submit(personas.patient, with_item9(weekly(), 1)).alert
    with pytest.raises(ValidationError):
        services.resolve_alert(actor=personas.therapist, alert_id=alert.pk, note="   ")
    outsider = personas.unassigned_therapist
    TherapistProfile.objects.filter(user=outsider).update(is_clinical_lead=False)
    for actor in (outsider, personas.admin, personas.patient, personas.stranger):
        with pytest.raises(PermissionDenied):
            services.resolve_alert(actor=actor, alert_id=alert.pk, note="Called, safe.")
    assert RiskAlert.objects.get(pk=alert.pk).is_open
    resolved = services.resolve_alert(actor=personas.therapist, alert_id=alert.pk, note="Phoned; safety plan made.")
    assert resolved.status == "resolved" and resolved.resolved_by == personas.therapist
    with pytest.raises(ValidationError):
        services.resolve_alert(actor=personas.therapist, alert_id=alert.pk, note="again")


def test_the_clinical_lead_may_resolve(personas, lead):
    alert = submit(personas.patient, with_item9(weekly(), 1)).alert
    services.resolve_alert(actor=lead, alert_id=alert.pk, note="Reviewed by the clinical lead.")
    assert RiskAlert.objects.get(pk=alert.pk).resolved_by == lead


def test_resolution_over_http(personas, clients):
    alert = submit(personas.patient, with_item9(weekly(), 1)).alert
    url = f"/outcomes/alerts/{alert.pk}/resolve/"
    assert clients["unassigned_therapist"].post(url, {"note": "x"}).status_code == 404
    assert clients["admin"].post(url, {"note": "x"}).status_code == 404
    assert clients["stranger"].post(url, {"note": "x"}).status_code == 404
    clients["therapist"].post(url, {"note": ""})
    assert RiskAlert.objects.get(pk=alert.pk).is_open
    assert clients["therapist"].post(url, {"note": "Spoke with patient."}).status_code == 302
    assert not RiskAlert.objects.get(pk=alert.pk).is_open


def test_it_escalates_on_time_to_the_clinical_lead(personas, lead, settings):
    settings.RISK_ESCALATION_MINUTES = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        alert = submit(personas.patient, with_item9(weekly(), 1)).alert
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert services.notify_and_escalate_risk_alerts()["escalated"] == 0
    mail.outbox = []
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert services.notify_and_escalate_risk_alerts()["escalated"] == 1
        assert services.notify_and_escalate_risk_alerts()["escalated"] == 0
    alert.refresh_from_db()
    assert alert.escalated_at == start + timedelta(minutes=31)
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert alert.is_open


def test_it_escalates_to_administrators_without_a_clinical_lead(personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        alert = submit(personas.patient, with_item9(weekly(), 1)).alert
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        services.notify_and_escalate_risk_alerts()
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert any(m.to == [personas.admin.email] for m in mail.outbox)


def test_an_acknowledged_alert_does_not_escalate(personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        alert = submit(personas.patient, with_item9(weekly(), 1)).alert
        services.acknowledge_alert(actor=personas.therapist, alert_id=alert.pk)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert services.notify_and_escalate_risk_alerts()["escalated"] == 0
    assert RiskAlert.objects.get(pk=alert.pk).is_open


def test_a_patient_without_therapist_goes_to_the_fallback_queue(personas, lead, clients):
    alert = submit(personas.stranger, with_item9(weekly(), 2)).alert
    assert alert.routed_to_fallback and alert.therapist_at_creation is None
    services.notify_and_escalate_risk_alerts()
    assert mail.outbox[0].to == [lead.email]
    page = clients["admin"].get("/outcomes/alerts/").content.decode()
    assert f'id="alert-{alert.pk}"' in page and "Several days" not in page and "More than half" not in page
    lead_client = clients["unassigned_therapist"]
    assert f'id="alert-{alert.pk}"' in lead_client.get("/outcomes/alerts/").content.decode()
    assert f'id="alert-{alert.pk}"' not in clients["therapist"].get("/outcomes/alerts/").content.decode()


def test_the_therapist_sees_their_alerts_first(personas, clients):
    alert = submit(personas.patient, with_item9(weekly(), 1)).alert
    page = clients["therapist"].get("/outcomes/alerts/").content.decode()
    assert page.index("Your patients") < page.index(f'id="alert-{alert.pk}"')
    assert "Several days" in page
    assert clients["unassigned_therapist"].get("/outcomes/alerts/").content.decode().count("alert-row") == 0


def test_a_therapist_with_open_alerts_cannot_be_deactivated(personas):
    assert services.open_alert_count_for_therapist in hooks.open_risk_item_counters
    alert = submit(personas.patient, with_item9(weekly(), 1)).alert
    assert hooks.open_risk_items(personas.therapist) == 1
    assert hooks.open_risk_items(personas.unassigned_therapist) == 0
    CareAssignment.objects.filter(patient=personas.patient).update(ended_at=timezone.now())
    assert hooks.open_risk_items(personas.therapist) == 0  # reassigned away: the counter follows the care team
    CareAssignment.objects.filter(patient=personas.patient).update(ended_at=None)
    refusal = account_services.deactivation_refusal(personas.therapist)
    assert refusal
    services.resolve_alert(actor=personas.therapist, alert_id=alert.pk, note="ok")
    assert hooks.open_risk_items(personas.therapist) == 0
