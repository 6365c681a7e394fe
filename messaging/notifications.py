"""'A secure message is waiting' e-mails: one per conversation and unread period, no content.

Idempotent across retries and duplicate scheduler runs: a ``NotificationSent`` row with a unique
(conversation, recipient, seq watermark) key is committed before the e-mail goes out. While an
e-mail about a conversation is outstanding (the recipient has not read past it), no other is sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from modules.program.selectors import reminder_preference
from paceway.accounts.access import active_therapist_of, can_view_clinical
from paceway.accounts.language import language_of
from paceway.accounts.models import User

from .models import Conversation, Message, NotificationSent, ReadReceipt

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=3)


def notify_after() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "MESSAGING_NOTIFY_AFTER_MINUTES", 5)))


@dataclass(frozen=True)
class Candidate:
    conversation_id: int
    patient_id: int
    recipient_id: int
    seq: int


def patient_allows(patient: User, now: datetime) -> bool:
    """The patient's own e-mail settings (the program app's reminder preferences): message
    e-mails on, and not in quiet hours. Messaging depends on the program app, not the reverse."""
    preference = reminder_preference(patient)
    return preference.wants("messages") and not preference.is_quiet(timezone.localtime(now).time())


def candidates(now: datetime) -> list[Candidate]:
    cutoff = now - notify_after()
    found: list[Candidate] = []
    conversations = (
        Conversation.objects.filter(
            erased_at__isnull=True,
            messages__created_at__gt=now - LOOKBACK,
            messages__created_at__lte=cutoff,
        )
        .select_related("patient")
        .distinct()
    )
    for conversation in conversations:
        patient = conversation.patient
        if not patient.is_active:
            continue
        window = Message.objects.filter(
            conversation=conversation, created_at__gt=now - LOOKBACK, created_at__lte=cutoff
        )
        recipients: list[tuple[User, Any]] = [(patient, window.exclude(sender_id=patient.pk))]
        therapist = active_therapist_of(patient)
        if therapist is not None:
            recipients.append((therapist, window.filter(sender_id=patient.pk)))
        for recipient, messages in recipients:
            watermark = messages.aggregate(m=Max("seq"))["m"]
            if not watermark:
                continue
            read = (
                ReadReceipt.objects.filter(conversation=conversation, user=recipient)
                .values_list("last_read_seq", flat=True)
                .first()
                or 0
            )
            if watermark <= read:
                continue
            outstanding = NotificationSent.objects.filter(
                conversation=conversation, recipient=recipient, seq__gt=read
            ).exists()
            if outstanding:
                continue
            found.append(Candidate(conversation.pk, patient.pk, recipient.pk, watermark))
    return found


def send_unread_notifications(now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    for candidate in candidates(now):
        recipient = User.objects.filter(pk=candidate.recipient_id, is_active=True).first()
        patient = User.objects.filter(pk=candidate.patient_id).first()
        if recipient is None or patient is None or not can_view_clinical(recipient, patient):
            continue
        if recipient.pk == patient.pk and not patient_allows(patient, now):
            continue
        try:
            with transaction.atomic():
                record = NotificationSent.objects.create(
                    conversation_id=candidate.conversation_id,
                    recipient=recipient,
                    seq=candidate.seq,
                )
        except IntegrityError:
            continue  # another run got here first
        try:
            _send_email(recipient, patient)
        except Exception as exc:  # noqa: BLE001 - one failed e-mail must not stop the run; retried next run
            logger.warning("messaging: notification e-mail failed: %s", type(exc).__name__)
            record.delete()  # the next run tries again
            continue
        NotificationSent.objects.filter(pk=record.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def _send_email(recipient: User, patient: User) -> None:
    path = "/messages/" if recipient.pk == patient.pk else f"/messages/{patient.pk}/"
    link = f"{settings.SITE_URL}{path}"
    with translation.override(language_of(recipient)):
        subject = _("A secure message is waiting for you on Paceway")
        body = _(
            "Hello,\n\nA new secure message is waiting for you on Paceway. "
            "For your privacy it is not included in this e-mail.\n\n"
            "Log in to read it: %(link)s\n\n"
            "If you are in crisis, call or text 9-8-8, or call 911 in an emergency. "
            "Messages are not monitored around the clock.\n"
        ) % {"link": link}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
