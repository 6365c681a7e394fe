"""Who may act on a risk alert: the care team; a clinical lead only for alerts escalated to the
leads or in the fallback queue. Everyone else: 404, nothing changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from modules.outcomes import services
from modules.outcomes.access import can_act_on_alert, in_fallback_queue
from modules.outcomes.models import RiskAlert
from paceway.accounts.access import clinical_leads, is_clinical_lead
from paceway.accounts.models import TherapistProfile
from paceway.audit.models import AuditEvent

from .helpers import weekly, with_item9


@pytest.fixture
def lead(personas):
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    return personas.unassigned_therapist


def raise_alert(patient):
    return services.submit_response(
        actor=patient, patient=patient, questionnaire="weekly-check-in", answers=list(with_item9(weekly(), 2).items())
    ).alert


def snapshot(alert):
    row = RiskAlert.objects.get(pk=alert.pk)
    return (row.status, row.acknowledged_at, row.acknowledged_by_id, row.resolved_at, row.resolution_note)


def test_it_defines_the_clinical_lead_once(personas, lead):
    assert list(clinical_leads()) == [lead]
    assert is_clinical_lead(lead) and not is_clinical_lead(personas.therapist) and not is_clinical_lead(personas.admin)
    TherapistProfile.objects.filter(user=lead).update(is_active_clinician=False)  # on leave
    assert not is_clinical_lead(lead)


def test_it_refuses_a_lead_not_on_the_care_team_for_a_non_escalated_alert(personas, lead, clients):
    alert = raise_alert(personas.patient)
    assert not can_act_on_alert(lead, alert) and can_act_on_alert(personas.therapist, alert)
    before = snapshot(alert)
    events = AuditEvent.objects.count()
    client = clients["unassigned_therapist"]
    assert client.post(f"/outcomes/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert client.post(f"/outcomes/alerts/{alert.pk}/resolve/", {"note": "Closed by the lead."}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.acknowledge_alert(actor=lead, alert_id=alert.pk)
    assert snapshot(alert) == before and AuditEvent.objects.count() == events
    # The lead's alerts page does not offer the alert either.
    assert f'id="alert-{alert.pk}"' not in client.get("/outcomes/alerts/").content.decode()


def test_it_lets_the_lead_act_once_escalated_or_in_the_fallback_queue(personas, lead):
    alert = raise_alert(personas.patient)
    RiskAlert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now())
    assert can_act_on_alert(lead, RiskAlert.objects.get(pk=alert.pk))
    services.acknowledge_alert(actor=lead, alert_id=alert.pk)
    assert RiskAlert.objects.get(pk=alert.pk).acknowledged_by == lead

    fallback = raise_alert(personas.stranger)  # no therapist at all
    assert in_fallback_queue(fallback) and can_act_on_alert(lead, fallback)
    assert not can_act_on_alert(personas.therapist, fallback)


def test_a_therapist_on_leave_sends_the_alert_to_the_fallback_queue(personas, lead):
    TherapistProfile.objects.filter(user=personas.therapist).update(is_active_clinician=False)
    alert = raise_alert(personas.patient)
    assert alert.routed_to_fallback and in_fallback_queue(alert) and can_act_on_alert(lead, alert)


def test_it_answers_404_for_another_patients_alert_and_unknown_ids(personas, clients):
    alert = raise_alert(personas.stranger)
    before = snapshot(alert)
    for who in ("therapist", "patient", "stranger", "admin"):
        client = clients[who]
        assert client.post(f"/outcomes/alerts/{alert.pk}/acknowledge/").status_code == 404, who
        assert client.post(f"/outcomes/alerts/{alert.pk}/resolve/", {"note": "x"}).status_code == 404, who
    assert clients["therapist"].post("/outcomes/alerts/999999/resolve/", {"note": "x"}).status_code == 404
    assert snapshot(alert) == before
