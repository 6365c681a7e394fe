"""The escalation ladder with a frozen clock: a weekday, a night and a weekend; the high-risk
clock; exactly once per step with the task run twice and with a worker killed mid-delivery; the
sweep command catching up; the SMS backends."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from modules.outcomes import ladder, services, sms, tasks
from modules.outcomes.models import AlertNotification, ClinicProfile, RiskAlert
from paceway.accounts.models import TherapistProfile

from .helpers import weekly, with_item9

TZ = ZoneInfo("America/Toronto")
TUESDAY_10 = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
TUESDAY_22 = datetime(2026, 3, 10, 22, 0, tzinfo=TZ)
SATURDAY_11 = datetime(2026, 3, 14, 11, 0, tzinfo=TZ)
ON_CALL = {"name": "On-call clinician", "email": "oncall@example.org", "phone": "416-555-0100"}


@pytest.fixture
def setup(personas, settings):
    settings.SMS_BACKEND = "modules.outcomes.sms.LocmemBackend"
    sms.outbox.clear()
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    ClinicProfile.objects.create(clinic_name="Lakeside", contact_phone="1-416-555-2368", on_call=[ON_CALL])
    return personas


def raise_at(personas, when, level=""):
    with time_machine.travel(when, tick=False):
        alert = services.submit_response(
            actor=personas.patient,
            patient=personas.patient,
            questionnaire="weekly-check-in",
            answers=list(with_item9(weekly(), 1).items()),
        ).alert
    if level:
        RiskAlert.objects.filter(pk=alert.pk).update(triage_level=level)
    return alert


def sweep_at(when, times=2):
    """Run the sweep (twice by default: the second must do nothing); return what was sent."""
    mail.outbox = []
    sms.outbox.clear()
    with time_machine.travel(when, tick=False):
        for _ in range(times):
            services.notify_and_escalate_risk_alerts()
    return sorted(to for m in mail.outbox for to in m.to), [s.to for s in sms.outbox]


def steps(alert):
    return sorted(set(AlertNotification.objects.filter(alert=alert).values_list("step", flat=True)))


def test_a_weekday_alert_climbs_the_ladder_on_time(setup):
    p = setup
    alert = raise_at(p, TUESDAY_10)
    assert sweep_at(TUESDAY_10) == ([p.therapist.email], [])
    assert sweep_at(TUESDAY_10 + timedelta(minutes=59)) == ([], [])
    assert sweep_at(TUESDAY_10 + timedelta(minutes=60)) == ([p.unassigned_therapist.email], [])
    assert RiskAlert.objects.get(pk=alert.pk).escalated_at == TUESDAY_10 + timedelta(minutes=60)
    assert sweep_at(TUESDAY_10 + timedelta(hours=4)) == (
        sorted([p.admin.email, "oncall@example.org"]),
        ["+14165550100"],
    )
    emails, texts = sweep_at(TUESDAY_10 + timedelta(hours=5))  # the first repeat: everyone again
    assert emails == sorted([p.therapist.email, p.unassigned_therapist.email, p.admin.email, "oncall@example.org"])
    assert texts == ["+14165550100"]
    assert steps(alert) == ["everyone", "leads", "notify", "repeat-1"]
    for message in mail.outbox:
        assert "Pat" not in message.body and "44260" not in message.body


def test_a_night_counts_clinic_time_for_the_leads_and_clock_time_for_on_call(setup):
    p = setup
    alert = raise_at(p, TUESDAY_22)
    assert sweep_at(TUESDAY_22) == ([p.therapist.email], [])
    assert sweep_at(TUESDAY_22 + timedelta(hours=1, minutes=30)) == ([], [])  # 23:30: no leads at night
    emails, texts = sweep_at(TUESDAY_22 + timedelta(hours=4))  # 02:00: administrators and on-call
    assert emails == sorted([p.admin.email, "oncall@example.org"]) and texts == ["+14165550100"]
    assert "leads" not in steps(alert)
    # Wednesday 10:00 is 60 minutes of clinic time: the leads step (and the hourly repeats so far).
    with time_machine.travel(datetime(2026, 3, 11, 9, 59, tzinfo=TZ), tick=False):
        services.notify_and_escalate_risk_alerts()
    assert "leads" not in steps(alert)
    with time_machine.travel(datetime(2026, 3, 11, 10, 0, tzinfo=TZ), tick=False):
        services.notify_and_escalate_risk_alerts()
    assert "leads" in steps(alert)


def test_a_weekend_waits_for_monday_for_the_leads(setup):
    p = setup
    alert = raise_at(p, SATURDAY_11)
    sweep_at(SATURDAY_11 + timedelta(hours=4))
    assert steps(alert) == ["everyone", "notify"]
    sweep_at(datetime(2026, 3, 16, 9, 59, tzinfo=TZ), times=1)
    assert "leads" not in steps(alert)
    sweep_at(datetime(2026, 3, 16, 10, 0, tzinfo=TZ), times=1)
    assert "leads" in steps(alert)


def test_high_risk_shortens_the_clock_at_any_hour(setup):
    p = setup
    alert = raise_at(p, TUESDAY_22, level="high")
    assert sweep_at(TUESDAY_22 + timedelta(minutes=14)) == ([p.therapist.email], [])
    assert sweep_at(TUESDAY_22 + timedelta(minutes=15)) == ([p.unassigned_therapist.email], [])
    emails, texts = sweep_at(TUESDAY_22 + timedelta(minutes=60))
    assert p.admin.email in emails and texts == ["+14165550100"]
    assert steps(alert) == ["everyone", "leads", "notify"]


def test_acknowledging_stops_the_ladder(setup):
    p = setup
    alert = raise_at(p, TUESDAY_10)
    sweep_at(TUESDAY_10)
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=5), tick=False):
        services.acknowledge_alert(actor=p.therapist, alert_id=alert.pk)
    assert sweep_at(TUESDAY_10 + timedelta(hours=8)) == ([], [])
    assert steps(alert) == ["notify"]


def test_exactly_once_with_the_task_enqueued_twice(setup):
    p = setup
    alert = raise_at(p, TUESDAY_10)
    mail.outbox = []
    with time_machine.travel(TUESDAY_10 + timedelta(seconds=5), tick=False):
        tasks.notify_risk_alert(alert.pk)
        tasks.notify_risk_alert(alert.pk)
        tasks.notify_and_escalate_risk_alerts()
    assert [m.to for m in mail.outbox] == [[p.therapist.email]]
    assert AlertNotification.objects.filter(alert=alert).count() == 1


def test_exactly_once_when_the_worker_dies_mid_delivery(setup):
    p = setup
    alert = raise_at(p, TUESDAY_10)

    class Killed(BaseException):
        """Not an Exception: like SIGKILL, nothing in the worker gets to clean up."""

    mail.outbox = []
    with (
        time_machine.travel(TUESDAY_10, tick=False),
        mock.patch.object(ladder, "_send", side_effect=Killed),
        pytest.raises(Killed),
    ):
        tasks.notify_risk_alert(alert.pk)
    row = AlertNotification.objects.get(alert=alert)
    assert row.claimed_at is not None and row.sent_at is None
    assert sweep_at(TUESDAY_10 + timedelta(minutes=5)) == ([], [])  # a live claim: left alone
    assert sweep_at(TUESDAY_10 + timedelta(minutes=11)) == ([p.therapist.email], [])  # stale: sent once
    assert sweep_at(TUESDAY_10 + timedelta(minutes=12)) == ([], [])
    assert RiskAlert.objects.get(pk=alert.pk).notified_at is not None


def test_the_sweep_command_catches_up_without_beat(setup):
    p = setup
    alert = raise_at(p, TUESDAY_10)
    out = io.StringIO()
    mail.outbox = []
    with time_machine.travel(TUESDAY_10 + timedelta(hours=4, minutes=1), tick=False):
        call_command("outcomes_risk_sweep", stdout=out)
    assert steps(alert) == ["everyone", "leads", "notify"]
    assert "escalated: 2" in out.getvalue()
    assert p.therapist.email in [to for m in mail.outbox for to in m.to]


def test_the_alerts_page_states_the_ladder(setup, clients):
    page = clients["therapist"].get("/outcomes/alerts/").content.decode()
    assert "60 minutes of clinic time" in page and "America/Toronto" in page and "every 60 minutes" in page


def test_the_twilio_adapter_posts_over_https_without_being_called_in_tests(settings):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM = "AC123", "secret", "+15550000000"
    backend = sms.TwilioBackend()
    request = backend.request("+14165550100", "Paceway: an item needs your attention")
    assert request.full_url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert request.get_method() == "POST" and request.headers["Authorization"].startswith("Basic ")
    assert b"To=%2B14165550100" in request.data
    response = mock.MagicMock()
    response.__enter__.return_value.read.return_value = json.dumps({"sid": "SM1"}).encode()
    with mock.patch("urllib.request.urlopen", return_value=response) as urlopen:
        backend.send("+14165550100", "x")
    urlopen.assert_called_once()
    with mock.patch("urllib.request.urlopen", side_effect=OSError("down")), pytest.raises(sms.SMSError):
        backend.send("+14165550100", "x")
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(sms.SMSError):
        sms.TwilioBackend()


def test_every_step_is_audited_without_health_data(setup):
    from paceway.audit.models import AuditEvent

    p = setup
    alert = raise_at(p, TUESDAY_10)
    sweep_at(TUESDAY_10 + timedelta(hours=5))  # notify, leads, everyone, the first repeat
    events = AuditEvent.objects.filter(object_id=str(alert.pk), action__startswith="outcomes.risk_alert.")
    actions = sorted(events.values_list("action", flat=True))
    for step in ("notify", "leads", "everyone", "repeat"):
        assert f"outcomes.risk_alert.step.{step}" in actions, actions
    assert "outcomes.risk_alert.notified" in actions
