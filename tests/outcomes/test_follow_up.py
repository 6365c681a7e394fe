"""The structured follow-up record: contact attempts, assessment, actions, hand-over, follow-up
date; resolve only when complete and only by a clinician who may act; every step audited; bad
input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from modules.outcomes import services
from modules.outcomes.models import ContactAttempt, FollowUp, RiskAlert
from paceway.audit.models import AuditEvent

from .helpers import weekly, with_item9


@pytest.fixture
def alert(personas):
    return services.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=list(with_item9(weekly(), 2).items()),
    ).alert


def when(delta=timedelta(0)):
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%d %H:%M")


def actions(alert):
    return list(AuditEvent.objects.filter(object_id=str(alert.pk)).values_list("action", flat=True)) + list(
        AuditEvent.objects.filter(object_type="ContactAttempt").values_list("action", flat=True)
    )


def test_it_records_the_follow_up_and_resolves_only_when_complete(personas, clients, alert):
    client = clients["therapist"]
    base = f"/outcomes/alerts/{alert.pk}/"
    page = client.get(base).content.decode()
    assert "Record at least one contact attempt." in page and "Message the patient" in page
    assert (
        client.post(base + "attempts/", {"attempted_at": when(), "method": "phone", "reached": "no"}).status_code == 302
    )
    assert (
        client.post(
            base + "attempts/", {"attempted_at": when(timedelta(minutes=1)), "method": "phone", "reached": "yes"}
        ).status_code
        == 302
    )
    assert RiskAlert.objects.get(pk=alert.pk).acknowledged_by == personas.therapist  # acting acknowledges
    follow_up = {
        "risk_level": "high",
        "protective_factors": "Close to sister",
        "plan": "Crisis team visit today",
        "actions": ["safety_plan", "crisis_referral"],
        "follow_up_on": timezone.localdate().isoformat(),
    }
    assert client.post(base + "follow-up/", follow_up).status_code == 302
    response = client.post(base + "resolve/", {"note": "Handed over."})
    assert response.status_code == 400
    assert "hand-over summary" in response.content.decode() and RiskAlert.objects.get(pk=alert.pk).is_open
    follow_up.update(handover_service="Toronto Mobile Crisis Team", handover_summary="Seen today; plan agreed.")
    assert client.post(base + "follow-up/", follow_up).status_code == 302
    handover = client.get(base + "handover/").content.decode()
    assert "Toronto Mobile Crisis Team" in handover and "Seen today; plan agreed." in handover
    download = client.get(base + "handover/?format=txt")
    assert (
        download["Content-Disposition"].startswith("attachment")
        and "Toronto Mobile Crisis Team" in download.content.decode()
    )
    assert client.post(base + "resolve/", {"note": "Handed over to the crisis team."}).status_code == 302
    resolved = RiskAlert.objects.get(pk=alert.pk)
    assert resolved.status == "resolved" and resolved.resolved_by == personas.therapist
    assert ContactAttempt.objects.filter(alert=alert).count() == 2
    done = actions(alert)
    for action in (
        "outcomes.contact_attempt.create",
        "outcomes.follow_up.save",
        "outcomes.follow_up.read",
        "outcomes.risk_alert.acknowledge",
        "outcomes.risk_alert.resolve",
    ):
        assert action in done, action
    raw = bytes(FollowUp.objects.get(alert=alert).ciphertext)
    assert b"sister" not in raw and b"Seen today" not in raw  # sealed


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("attempts/", {"attempted_at": "tomorrow", "method": "phone", "reached": "yes"}),
        ("attempts/", {"attempted_at": "2001-01-01 10:00", "method": "phone", "reached": "yes"}),
        ("attempts/", {"attempted_at": "FUTURE", "method": "phone", "reached": "yes"}),
        ("attempts/", {"attempted_at": "NOW", "method": "carrier-pigeon", "reached": "yes"}),
        ("attempts/", {"attempted_at": "NOW", "method": "phone"}),
        ("follow-up/", {"risk_level": "extreme"}),
        ("follow-up/", {"follow_up_on": "2001-01-01"}),
        ("follow-up/", {"plan": "call\x00"}),
        ("follow-up/", {"handover_summary": "Summary with no service"}),
        ("follow-up/", {"actions": ["teleport"]}),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(clients, alert, path, payload):
    payload = {
        k: (when(timedelta(days=1)) if v == "FUTURE" else when() if v == "NOW" else v) for k, v in payload.items()
    }
    response = clients["therapist"].post(f"/outcomes/alerts/{alert.pk}/{path}", payload)
    assert response.status_code == 400
    if not any("\x00" in str(v) for v in payload.values()):  # a NUL byte is refused before the view
        assert 'id="form-errors"' in response.content.decode()
    assert not ContactAttempt.objects.exists() and not FollowUp.objects.exists()
    assert RiskAlert.objects.get(pk=alert.pk).acknowledged_at is None
    assert not AuditEvent.objects.filter(
        action__in=["outcomes.contact_attempt.create", "outcomes.follow_up.save"]
    ).exists()


def test_strangers_get_404_and_nothing_changes(personas, clients, alert):
    other = services.submit_response(
        actor=personas.stranger,
        patient=personas.stranger,
        questionnaire="weekly-check-in",
        answers=list(with_item9(weekly(), 1).items()),
    ).alert
    attempt = {"attempted_at": when(), "method": "phone", "reached": "yes"}
    for who in ("unassigned_therapist", "admin", "patient", "stranger"):
        for path in ("", "handover/"):
            assert clients[who].get(f"/outcomes/alerts/{alert.pk}/{path}").status_code == 404, (who, path)
        assert clients[who].post(f"/outcomes/alerts/{alert.pk}/attempts/", attempt).status_code == 404
        assert clients[who].post(f"/outcomes/alerts/{alert.pk}/follow-up/", {"risk_level": "low"}).status_code == 404
    assert clients["therapist"].post(f"/outcomes/alerts/{other.pk}/attempts/", attempt).status_code == 404
    assert clients["therapist"].get("/outcomes/alerts/99999/").status_code == 404
    assert not ContactAttempt.objects.exists() and not FollowUp.objects.exists()
