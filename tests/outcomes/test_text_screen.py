"""Possible risk in free text: conservative phrase lists (English and French, as data), tested
for obvious false positives; a match raises a lower-level alert for the care team and shows the
patient the resources gently; the message is never blocked or changed."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from messaging.models import Message
from messaging.selectors import list_messages
from messaging.services import send_message
from modules.outcomes import services
from modules.outcomes.models import AlertNotification, RiskAlert
from modules.outcomes.textscreen import suggests_risk
from paceway.accounts import hooks
from paceway.audit.models import AuditEvent

from .helpers import complete_follow_up

RISKY = [
    "Some days I want to die.",
    "I have been thinking about suicide",
    "I keep thinking I'd be better off dead",
    "I hurt myself again last night",
    "I don\u2019t want to be alive anymore",
    "There is no reason to live",
    "Parfois je veux mourir.",
    "J'ai pensé à me suicider",
    "je n'ai plus envie de vivre",
    "Je pense au suicide",
]
EVERYDAY = [
    "This pain is killing me",
    "My back is killing me today",
    "I'm dying to try the new pacing plan",
    "I could kill for a good night's sleep",
    "Dead tired after the walk",
    "Killing time before my appointment",
    "I did not wake up until noon",
    "Ce mal de dos va me tuer",
    "Je meurs de faim",
    "J'ai hâte d'en finir avec ce module",
    "Mort de rire",
    "Ça me tue",
    "My dog died last year",
]


@pytest.mark.parametrize("text", RISKY)
def test_it_notices_phrases_of_suicidal_thinking_or_self_harm(text):
    assert suggests_risk(text)


@pytest.mark.parametrize("text", EVERYDAY)
def test_it_leaves_everyday_idioms_alone(text):
    assert not suggests_risk(text)


def send(user, patient, body):
    return send_message(sender=user, patient=patient, client_id=uuid.uuid4().hex, body=body)[0]


def test_a_patients_message_raises_one_lower_level_alert_and_is_delivered_unchanged(personas, clients):
    body = "The flare-up is bad and some days I want to die."
    message = send(personas.patient, personas.patient, body)
    assert Message.objects.filter(pk=message.pk).exists()
    page = list_messages(user=personas.therapist, patient=personas.patient)
    assert page.messages[-1]["body"] == body  # unchanged
    alert = RiskAlert.objects.get(patient=personas.patient)
    assert alert.kind == "text" and alert.source == "message" and alert.response is None and alert.is_open
    send(personas.patient, personas.patient, "Still thinking about suicide.")
    assert RiskAlert.objects.filter(patient=personas.patient).count() == 1  # one open at a time
    for event in AuditEvent.objects.all():
        assert "want to die" not in str(event.__dict__)
    # The patient sees the resources, gently, on their next page; the therapist sees the alert.
    assert 'id="gentle-resources"' in clients["patient"].get("/outcomes/").content.decode()
    alerts_page = clients["therapist"].get("/outcomes/alerts/").content.decode()
    assert "Possible risk in text" in alerts_page and f'id="alert-{alert.pk}"' in alerts_page


def test_a_therapists_words_and_everyday_idioms_raise_nothing(personas, clients):
    send(personas.therapist, personas.patient, "If you ever think about suicide, call 9-8-8.")
    send(personas.patient, personas.patient, "This pain is killing me, but the pacing helps.")
    assert not RiskAlert.objects.exists()
    assert 'id="gentle-resources"' not in clients["patient"].get("/outcomes/").content.decode()


def test_a_failing_screen_never_blocks_the_message(personas, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("screen down")

    monkeypatch.setattr(hooks, "free_text_listeners", [broken])
    message = send(personas.patient, personas.patient, "I want to die")
    assert Message.objects.filter(pk=message.pk).exists() and not RiskAlert.objects.exists()


def test_diary_notes_and_reflections_go_through_the_same_hook(personas):
    hooks.free_text_written(personas.patient, "reflection", ["Nothing to live for lately"])
    assert RiskAlert.objects.get(patient=personas.patient).source == "reflection"


def test_a_text_alert_tells_the_care_team_only_and_resolves_on_the_clinicians_judgement(personas):
    start = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
    with time_machine.travel(start, tick=False):
        alert = services.screen_free_text(personas.patient, "message", ["I want to die"])
    mail.outbox = []
    with time_machine.travel(start + timedelta(hours=10), tick=False):
        services.notify_and_escalate_risk_alerts()
    assert [m.to for m in mail.outbox] == [[personas.therapist.email]]
    assert set(AlertNotification.objects.filter(alert=alert).values_list("step", flat=True)) == {"notify"}
    services.save_follow_up(actor=personas.therapist, alert_id=alert.pk, data={"risk_level": "low"})
    services.resolve_alert(actor=personas.therapist, alert_id=alert.pk, note="Idiom in context; checked in by message.")
    assert not RiskAlert.objects.get(pk=alert.pk).is_open
    assert complete_follow_up  # the questionnaire alerts need the full record (test_follow_up)
