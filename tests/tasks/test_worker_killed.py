"""Exactly once per ladder step even if a worker dies (issue 10): a real Celery worker process is
killed with SIGKILL in the middle of a step (one text message claimed and being sent, one e-mail
of the same step not sent yet); the sweep command then completes the step, each delivery once:
nothing already sent goes again, the unclaimed delivery goes at once, the one the dead worker had
claimed goes once its claim is stale."""

from __future__ import annotations

import io
import signal
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from modules.outcomes import ladder, sms
from modules.outcomes.models import AlertNotification, ClinicProfile, RiskAlert
from paceway.accounts.models import TherapistProfile

from .test_worker import DEADLINE, _wait, start_worker, stop_worker

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

ON_CALL_PHONE = {"name": "On-call A", "phone": "416-555-0100"}
ON_CALL_EMAIL = {"name": "On-call B", "email": "oncall-b@example.org"}


def test_a_worker_killed_mid_step_leaves_the_step_to_the_sweep_exactly_once(personas, tmp_path, settings):
    from modules.outcomes.tasks import notify_risk_alert

    settings.SMS_BACKEND = "modules.outcomes.sms.LocmemBackend"  # the sweep, in this process
    sms.outbox.clear()
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    ClinicProfile.objects.create(
        clinic_name="Lakeside", contact_phone="1-416-555-2368", on_call=[ON_CALL_PHONE, ON_CALL_EMAIL]
    )
    # A high-risk alert raised 70 minutes ago and never handled: the care team, the leads (15 min)
    # and everyone (60 min) are all due when the worker takes the task.
    alert = RiskAlert.objects.create(
        patient=personas.patient,
        created_at=timezone.now() - timedelta(minutes=70),
        triage_level="high",
        therapist_at_creation=personas.therapist,
    )
    marker = tmp_path / "sms-started"
    worker = start_worker(tmp_path, SMS_BACKEND="tests.tasks.stalling_sms.StallingBackend", STALL_MARKER=str(marker))
    try:
        notify_risk_alert.delay(alert.pk)
        _wait(marker.exists, DEADLINE, worker, "the worker to start sending the on-call text message")
        worker.process.send_signal(signal.SIGKILL)  # a crash in the middle of the "everyone" step
        assert worker.process.wait(timeout=20) == -signal.SIGKILL
    finally:
        stop_worker(worker)

    rows = {(r.step, r.channel, r.address): r for r in AlertNotification.objects.filter(alert=alert)}
    therapist, lead, admin = personas.therapist.email, personas.unassigned_therapist.email, personas.admin.email
    assert set(rows) == {
        ("notify", "email", therapist),
        ("leads", "email", lead),
        ("everyone", "email", admin),
        ("everyone", "sms", "+14165550100"),
        ("everyone", "email", "oncall-b@example.org"),
    }
    sent_by_worker = sorted(address for address, r in ((k[2], v) for k, v in rows.items()) if r.sent_at)
    assert sent_by_worker == sorted([therapist, lead, admin])
    text = rows[("everyone", "sms", "+14165550100")]
    assert text.claimed_at is not None and text.sent_at is None  # claimed by the dead worker
    assert rows[("everyone", "email", "oncall-b@example.org")].claimed_at is None
    worker_mail = [m for m in worker.emails() if "needs your attention" in m or "not been acknowledged" in m]
    assert len(worker_mail) == 3

    def sweep() -> tuple[list[str], list[str]]:
        mail.outbox = []
        sms.outbox.clear()
        call_command("outcomes_risk_sweep", stdout=io.StringIO())
        return sorted(to for m in mail.outbox for to in m.to), [s.to for s in sms.outbox]

    # At once: the unclaimed e-mail of the step goes; the dead worker's claim is respected (a live
    # worker could still be sending it), and nothing already sent goes again.
    assert sweep() == (["oncall-b@example.org"], [])
    assert sweep() == ([], [])
    # Once the claim is stale, the sweep sends the text message, once.
    with time_machine.travel(timezone.now() + ladder.STALE_CLAIM + timedelta(minutes=1), tick=False):
        assert sweep() == ([], ["+14165550100"])
        assert sweep() == ([], [])
    assert not AlertNotification.objects.filter(alert=alert, sent_at__isnull=True).exists()
    duplicates = (
        AlertNotification.objects.values("alert", "step", "channel", "address").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert len(worker.emails()) == 3  # the worker's deliveries were not repeated by anyone
    assert Path(worker.log).exists()
