"""The escalation ladder: who is told about an open risk alert, when, and exactly once per step.

Steps (times from the clinic profile, ``clinic.current_profile()``):

- ``notify``: at once, the care team (the assigned therapist; with none, or one on leave, the
  clinical leads, or the administrators if there is no lead);
- ``leads``: the clinical leads, after ``leads_after_minutes`` of **clinic time** (business hours
  in the clinic's time zone: an alert raised on Friday night counts from Monday's opening);
- ``everyone``: every administrator and the on-call list, after ``everyone_after_minutes`` of
  clock time (the on-call list covers nights and weekends);
- ``repeat-1``, ``repeat-2``...: everyone above again, every ``repeat_every_minutes`` after that.

A high triage level (the C-SSRS screener) uses the high-risk times, counted on the clock. Steps
after ``notify`` stop as soon as a clinician acknowledges (recording follow-up work acknowledges).

Exactly once: planning a step writes its AlertNotification rows (unique per alert, step, channel
and address) under the alert's row lock; a delivery is claimed with a conditional UPDATE before it
is sent and marked sent after. A second task, a second sweep or a retried task finds the rows and
claims nothing. A worker that dies between claim and send leaves a stale claim that the sweep
sends again after ``STALE_CLAIM``; the one case that can still repeat a message is a worker dying
after the provider accepted it and before the row was marked sent.
Channels: e-mail (users and on-call e-mails), text message (on-call phones, ``sms.send_sms``), and
the live dashboard banner of the therapists told (after commit).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paceway import doorbell
from paceway.accounts.language import in_language_of
from paceway.accounts.models import User
from paceway.accounts.roles import Role
from paceway.audit.services import audit

from . import clinic
from .models import AlertNotification, RiskAlert

logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
MAX_REPEATS = 500


@dataclass(frozen=True)
class Step:
    key: str
    due_at: datetime
    audience: str  # "care_team", "leads", "everyone", "all"


def plan(profile: Any, alert: Any, *, until: datetime) -> list[Step]:
    """The steps of this alert due by ``until`` (pure: no database)."""
    created = alert.created_at
    if alert.triage_level == "high":
        leads_at = created + timedelta(minutes=profile.high_risk_leads_after_minutes)
        everyone_at = created + timedelta(minutes=profile.high_risk_everyone_after_minutes)
    else:
        leads_at = clinic.add_business_minutes(profile, created, profile.leads_after_minutes)
        everyone_at = created + timedelta(minutes=profile.everyone_after_minutes)
    if alert.kind == "text":  # "possible risk in text": a lower level, the care team only
        return [Step("notify", created, "care_team")] if created <= until else []
    steps = [
        Step("notify", created, "care_team"),
        Step("leads", leads_at, "leads"),
        Step("everyone", everyone_at, "everyone"),
    ]
    repeat = timedelta(minutes=max(int(profile.repeat_every_minutes), 5))
    for n in range(1, MAX_REPEATS + 1):
        due = everyone_at + n * repeat
        if due > until:
            break
        steps.append(Step(f"repeat-{n}", due, "all"))
    return [s for s in steps if s.due_at <= until]


def describe(profile: Any) -> str:
    """The ladder in one sentence, for the clinicians' pages."""
    return _(
        "Unacknowledged alerts go to the clinical leads after %(leads)s minutes of clinic time (%(hours)s, %(zone)s: "
        "an alert raised outside these hours counts from the next opening), to every administrator and the "
        "on-call list after %(everyone)s minutes at any hour, then again every %(repeat)s minutes until someone "
        "acknowledges. High risk on the follow-up screener: %(hleads)s and %(heveryone)s minutes, at any hour."
    ) % {
        "leads": profile.leads_after_minutes,
        "hours": clinic.hours_text(profile),
        "zone": profile.time_zone,
        "everyone": profile.everyone_after_minutes,
        "repeat": profile.repeat_every_minutes,
        "hleads": profile.high_risk_leads_after_minutes,
        "heveryone": profile.high_risk_everyone_after_minutes,
    }


# Recipients ---------------------------------------------------------------------------------


def _administrators() -> list[User]:
    return list(User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk"))


def _on_call(profile: Any) -> list[tuple[str, str]]:
    """(channel, address) of the on-call list; invalid phones are skipped (and logged)."""
    from .contact import normalise_phone

    out: list[tuple[str, str]] = []
    for entry in profile.on_call or []:
        if not isinstance(entry, dict):
            continue
        email = str(entry.get("email", "")).strip()
        if email:
            out.append((AlertNotification.Channel.EMAIL, email))
        phone = str(entry.get("phone", "")).strip()
        if phone:
            try:
                out.append((AlertNotification.Channel.SMS, normalise_phone(phone)))
            except ValidationError:
                logger.warning("On-call entry with an invalid phone number skipped.")
    return out


def deliveries(profile: Any, alert: Any, audience: str) -> list[tuple[str, str, User | None]]:
    from .services import escalation_recipients, notification_recipients

    users: list[User] = []
    extra: list[tuple[str, str]] = []
    if audience in ("care_team", "all"):
        users += notification_recipients(alert)
    if audience in ("leads", "all"):
        users += escalation_recipients()
    if audience in ("everyone", "all"):
        users += _administrators()
        extra += _on_call(profile)
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str, User | None]] = []
    for user in users:
        key = (AlertNotification.Channel.EMAIL, user.email)
        if user.email and key not in seen:
            seen.add(key)
            out.append((*key, user))
    for channel, address in extra:
        if (channel, address) not in seen:
            seen.add((channel, address))
            out.append((channel, address, None))
    return out


# Planning and delivery ----------------------------------------------------------------------


def plan_due_steps(*, alert_id: int, now: datetime) -> list[str]:
    """Write the rows of every step now due and not yet planned. Returns the new step keys."""
    new: list[str] = []
    ring: list[int] = []
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().select_related("patient").filter(pk=alert_id).first()
        if alert is None or not alert.is_open:
            return []
        profile = clinic.current_profile()
        planned = set(AlertNotification.objects.filter(alert=alert).values_list("step", flat=True))
        for step in plan(profile, alert, until=now):
            if step.key in planned or (step.key != "notify" and alert.acknowledged_at is not None):
                continue
            rows = deliveries(profile, alert, step.audience)
            if not rows:
                logger.error("Risk alert %s: nobody to tell at step %s.", alert.pk, step.key)
                continue
            AlertNotification.objects.bulk_create(
                [
                    AlertNotification(alert=alert, step=step.key, channel=c, address=a, recipient=u, created_at=now)
                    for c, a, u in rows
                ],
                ignore_conflicts=True,
            )
            new.append(step.key)
            ring += [u.pk for _c, _a, u in rows if u is not None and u.role == Role.THERAPIST]
            if step.key != "notify" and alert.escalated_at is None:
                alert.escalated_at = now
                alert.save(update_fields=["escalated_at"])
            audit(
                actor=None,
                action=f"outcomes.risk_alert.step.{step.key.split('-')[0]}",
                patient=alert.patient,
                obj=alert,
            )
        if ring:
            from .levels import alert_level

            level = alert_level(alert)
            ids = sorted(set(ring))
            transaction.on_commit(lambda: _ring(ids, level), robust=True)
    return new


def _ring(ids: list[int], level: str) -> None:

    doorbell.alert_raised(ids, level=level)


def _message(row: AlertNotification) -> tuple[str, str]:
    url = settings.SITE_URL + reverse("outcomes:alerts")
    if row.step == "notify":
        subject = _("Paceway: an item needs your attention")
        body = _("An item in Paceway needs a clinician's attention today. Please log in to review it:\n%(url)s\n") % {
            "url": url
        }
    else:
        subject = _("Paceway: an urgent item has not been acknowledged")
        body = _(
            "An urgent item in Paceway has not been acknowledged by the care team. Please log in to review it:\n%(url)s\n"
        ) % {"url": url}
    return str(subject), body


def _send(row: AlertNotification) -> None:
    # A clinician in their account's language; an on-call address or phone in the clinic's default.
    with in_language_of(row.recipient):
        _send_now(row)


def _send_now(row: AlertNotification) -> None:
    subject, body = _message(row)  # no health data, no patient name: only that something waits, and where
    if row.channel == AlertNotification.Channel.SMS:
        from .sms import send_sms

        send_sms(row.address, f"{subject}. {settings.SITE_URL}{reverse('outcomes:alerts')}")
    else:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [row.address], fail_silently=False)


def deliver_pending(*, now: datetime, alert_id: int | None = None) -> dict[str, int]:
    """Send every unsent delivery not claimed by a live worker. Never raises for one delivery."""
    counts = {"sent": 0, "notified": 0, "failed": 0}
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    pending = AlertNotification.objects.filter(claimable, sent_at__isnull=True, alert__status=RiskAlert.Status.OPEN)
    if alert_id is not None:
        pending = pending.filter(alert_id=alert_id)
    for pk in list(pending.order_by("pk").values_list("pk", flat=True)):
        # The claim: one conditional UPDATE, so two workers never both send the same delivery.
        if not AlertNotification.objects.filter(claimable, pk=pk, sent_at__isnull=True).update(claimed_at=now):
            continue
        row = AlertNotification.objects.select_related("alert__patient").get(pk=pk)
        try:
            _send(row)
        except Exception as exc:  # noqa: BLE001 - SMTP or SMS down: released for the next sweep; ids only in the log
            AlertNotification.objects.filter(pk=pk).update(
                claimed_at=None, failures=row.failures + 1, last_error=type(exc).__name__[:100]
            )
            counts["failed"] += 1
            logger.warning(
                "Risk alert %s: step %s delivery failed (%s); will retry.", row.alert_id, row.step, type(exc).__name__
            )
            continue
        with transaction.atomic():
            sent_at = timezone.now()
            AlertNotification.objects.filter(pk=pk).update(sent_at=sent_at)
            if row.step == "notify" and RiskAlert.objects.filter(pk=row.alert_id, notified_at__isnull=True).update(
                notified_at=sent_at
            ):
                audit(actor=None, action="outcomes.risk_alert.notified", patient=row.alert.patient, obj=row.alert)
        counts["sent"] += 1
        counts["notified"] += row.step == "notify"
    return counts


def run(*, alert_id: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Plan what is due and deliver what is pending: for one alert (the task) or all (the sweep)."""
    now = now or timezone.now()
    counts = {"notified": 0, "escalated": 0, "failed": 0, "sent": 0}
    open_alerts = RiskAlert.objects.filter(status=RiskAlert.Status.OPEN)
    if alert_id is not None:
        open_alerts = open_alerts.filter(pk=alert_id)
    for pk in list(open_alerts.values_list("pk", flat=True)):
        try:
            counts["escalated"] += sum(1 for key in plan_due_steps(alert_id=pk, now=now) if key != "notify")
        except Exception as exc:  # noqa: BLE001 - risk path: one alert's failure must not stop the others
            counts["failed"] += 1
            logger.warning("Risk alert %s: planning failed (%s); will retry.", pk, type(exc).__name__)
    delivered = deliver_pending(now=now, alert_id=alert_id)
    for key in ("notified", "failed", "sent"):
        counts[key] += delivered[key]
    return counts
