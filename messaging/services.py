"""Writes and reads of secure messages. Keyword-only; the edges (views, API, consumer) call these.

- ``send_message`` is idempotent per (conversation, sender, client_id) and answers every retry
  with the original sequence number; the sequence number is assigned under a row lock on the
  conversation; the push to open sockets goes out on commit and may fail without failing the send.
- Message text exists in plaintext only in memory: sealed with AES-256-GCM under the
  conversation's data key, associated data binding it to conversation, seq, sender and client id.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from paceway import doorbell
from paceway.accounts.access import can_change_clinical, can_view_clinical
from paceway.accounts.language import language_of
from paceway.audit.services import audit
from paceway.keyring import crypto
from paceway.keyring.services import create_data_key, destroy_data_key, unwrap

from . import limits
from .models import Conversation, Message, ReadReceipt, message_context

MAX_BODY_CHARS = 8000
DEFAULT_PAGE = 100
MAX_PAGE = 500
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class MessagingError(Exception):
    """A refusal the edges turn into an error frame or a 4xx. Never contains message text."""

    code = "invalid"

    def __init__(self, message: Any = "", *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class NotAllowed(MessagingError, PermissionDenied):
    """Not the patient, not their current therapist (or the patient is gone): looks like 404.
    A ``PermissionDenied`` like every other refusal, so one type means "not allowed" everywhere."""

    code = "not_found"


class InvalidInput(MessagingError):
    code = "invalid"


class ConversationClosed(MessagingError):
    code = "closed"


class RateLimited(MessagingError):
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(_("You are sending too fast. Please wait a moment."))
        self.retry_after = retry_after


@dataclass
class Page:
    conversation_id: int | None
    messages: list[dict[str, Any]] = field(default_factory=list)
    limited: bool = False
    next_after_seq: int | None = None
    last_seq: int = 0


# Validation -------------------------------------------------------------------------------------


def clean_client_id(value: Any) -> str:
    if not isinstance(value, str) or not CLIENT_ID_RE.match(value):
        raise InvalidInput(_("client_id must be 1 to 64 letters, digits or . _ : -"), field="client_id")
    return value


def clean_body(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("The message must be text."), field="body")
    if "\x00" in value:
        raise InvalidInput(_("The message contains a null character."), field="body")
    if not value.strip():
        raise InvalidInput(_("The message is empty."), field="body")
    if len(value) > MAX_BODY_CHARS:
        raise InvalidInput(
            _("A message can be at most %(max)d characters.") % {"max": MAX_BODY_CHARS},
            field="body",
        )
    return value


def clean_seq(value: Any, *, name: str = "after_seq") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isdigit() and len(value) < 19:
            value = int(value)
        else:
            raise InvalidInput(_("%(name)s must be a whole number.") % {"name": name}, field=name)
    if value < 0 or value > 2**62:
        raise InvalidInput(_("%(name)s is out of range.") % {"name": name}, field=name)
    return int(value)


def clean_limit(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_PAGE
    limit = clean_seq(value, name="limit")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(_("limit must be between 1 and %(max)d.") % {"max": MAX_PAGE}, field="limit")
    return limit


# Conversations ----------------------------------------------------------------------------------


def conversation_of(patient: Any) -> Conversation | None:
    return Conversation.objects.filter(patient_id=patient.pk).select_related("data_key").first()


def conversation_for(patient: Any) -> Conversation:
    """The patient's conversation, created with its own data key on first use."""
    existing = conversation_of(patient)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            data_key = create_data_key(purpose="messaging.conversation")
            return Conversation.objects.create(patient_id=patient.pk, data_key=data_key)
    except IntegrityError:  # created concurrently
        return Conversation.objects.select_related("data_key").get(patient_id=patient.pk)


def _require_participant(user: Any, patient: Any, *, write: bool = False) -> None:
    allowed = can_change_clinical(user, patient) if write else can_view_clinical(user, patient)
    if not allowed:
        raise NotAllowed(_("Not found."))


# Sealing ----------------------------------------------------------------------------------------


def seal(key: bytes, conversation_id: int, seq: int, sender_id: int, client_id: str, body: str) -> bytes:
    context = message_context(conversation_id, seq, sender_id, client_id)
    return crypto.seal(key, body.encode(), context.encode())


def open_message(key: bytes, message: Message) -> str:
    """Plaintext of a message; ``DecryptionError`` if anything was tampered with or shredded."""
    return crypto.unseal(key, bytes(message.ciphertext), message.context.encode()).decode()


def serialize(
    message: Message, body: str, *, viewer: Any, patient_id: int, sender_name: str | None = None
) -> dict[str, Any]:
    """``sender_name``: when the caller has it (else the message's sender is loaded)."""
    if sender_name is None:
        sender = message.sender
        sender_name = sender.name if sender is not None else ""
    return {
        "seq": message.seq,
        "client_id": message.client_id,
        "sender_id": message.sender_id,
        "sender_name": sender_name,
        "from_patient": message.sender_id == patient_id,
        "mine": message.sender_id == getattr(viewer, "pk", None),
        "body": body,
        "created_at": message.created_at.isoformat(),
        "created_local": local_time_label(message.created_at, viewer),
    }


def local_time_label(moment: datetime, viewer: Any) -> str:
    """A message's time as its viewer reads it: their time zone and language, the same text in
    the page and in live frames (so a message looks identical before and after a reload)."""
    zone = getattr(viewer, "zone", None) or timezone.get_default_timezone()
    language = language_of(viewer)
    with translation.override(language):
        return dateformat.format(timezone.localtime(moment, zone), get_format("SHORT_DATETIME_FORMAT", lang=language))


# Writes -----------------------------------------------------------------------------------------


@transaction.atomic
def send_message(
    *,
    sender: Any,
    patient: Any,
    client_id: Any,
    body: Any,
    keys: dict[int, bytes] | None = None,
) -> tuple[Message, bool]:
    """Store a message; a retry with the same client_id returns the original (created False).
    The send rate is policy of the write: every way in (API, page, weekly feedback) obeys it here;
    the sockets' group commit counts its batch the same way (``limits.allow_sends``)."""
    from . import store  # the set-based core, shared with the sockets' group commit

    job = store.Outgoing(sender_id=sender.pk, client_id=clean_client_id(client_id), body=clean_body(body))
    _require_participant(sender, patient, write=True)
    allowed, retry_after = limits.allow_send(sender.pk)
    if not allowed:
        raise RateLimited(retry_after)
    job.sender, job.patient = sender, patient
    if keys is not None:
        job.keys = keys
    store.store_messages([job])
    if job.error is not None:
        raise job.error
    assert job.message is not None
    return job.message, job.created


def advance_receipt(conversation: Conversation, user: Any, seq: int) -> bool:
    """Move the marker forward; one UPDATE when the receipt exists (the usual case)."""
    receipts = ReadReceipt.objects.filter(conversation=conversation, user_id=user.pk)
    if receipts.filter(last_read_seq__lt=seq).update(last_read_seq=seq, updated_at=timezone.now()):
        return True
    receipt, created = ReadReceipt.objects.get_or_create(
        conversation=conversation, user_id=user.pk, defaults={"last_read_seq": seq}
    )
    if created:
        return True
    if receipt.last_read_seq >= seq:
        return False
    return bool(  # created concurrently between the UPDATE and get_or_create
        ReadReceipt.objects.filter(pk=receipt.pk, last_read_seq__lt=seq).update(
            last_read_seq=seq, updated_at=timezone.now()
        )
    )


@transaction.atomic
def mark_read(*, user: Any, patient: Any, seq: Any, loop: asyncio.AbstractEventLoop | None = None) -> int:
    """Move the user's read marker forward (never back); returns the marker. A socket's database
    thread passes its event loop, so the read receipt's doorbell does not hold the thread."""
    seq = clean_seq(seq, name="seq")
    _require_participant(user, patient)
    conversation = conversation_of(patient)
    if conversation is None:
        return 0
    seq = min(seq, conversation.last_seq)
    if advance_receipt(conversation, user, seq):
        patient_id, conversation_id, user_id = patient.pk, conversation.pk, user.pk
        transaction.on_commit(
            lambda: doorbell.read_receipt(
                patient_id=patient_id, conversation_id=conversation_id, user_id=user_id, seq=seq, loop=loop
            )
        )
    return last_read_seq(user=user, conversation=conversation)


def last_read_seq(*, user: Any, conversation: Conversation | None) -> int:
    if conversation is None:
        return 0
    value = (
        ReadReceipt.objects.filter(conversation=conversation, user_id=user.pk)
        .values_list("last_read_seq", flat=True)
        .first()
    )
    return int(value or 0)


@transaction.atomic
def erase_conversation(*, patient: Any, actor: Any = None) -> bool:
    """Crypto-shredding for account erasure: the conversation's data key is destroyed, so every
    copy of its messages (backups included) is unreadable. Rows stay as noise."""
    conversation = (
        Conversation.objects.select_for_update().select_related("data_key").filter(patient_id=patient.pk).first()
    )
    if conversation is None or conversation.erased_at is not None:
        return False
    destroy_data_key(conversation.data_key)
    conversation.erased_at = timezone.now()
    conversation.save(update_fields=["erased_at"])
    audit(actor=actor, action="messages.erase", patient=patient, obj=conversation)
    patient_id = patient.pk
    transaction.on_commit(lambda: doorbell.recheck_conversation(patient_id))
    return True


# Reads ------------------------------------------------------------------------------------------


def list_messages(
    *,
    user: Any,
    patient: Any,
    after_seq: Any = 0,
    limit: Any = None,
    audit_action: str | None = "message.list",
) -> Page:
    """Messages with seq > after_seq, oldest first, at most ``limit``; ``limited`` when more
    remain (then ``next_after_seq`` is the token to ask with)."""
    after_seq = clean_seq(after_seq)
    limit = clean_limit(limit)
    _require_participant(user, patient)
    conversation = conversation_of(patient)
    if conversation is None:
        return Page(conversation_id=None)
    rows = list(
        Message.objects.filter(conversation=conversation, seq__gt=after_seq)
        .select_related("sender")
        .order_by("seq")[: limit + 1]
    )
    limited = len(rows) > limit
    rows = rows[:limit]
    page = Page(conversation_id=conversation.pk, limited=limited, last_seq=conversation.last_seq)
    if rows:
        key = _key_for(conversation)
        page.messages = [serialize(m, open_message(key, m), viewer=user, patient_id=patient.pk) for m in rows]
    if limited:
        page.next_after_seq = rows[-1].seq
    if audit_action:
        audit(actor=user, action=audit_action, patient=patient, obj=conversation)
    return page


def recent_messages(*, user: Any, patient: Any, limit: int = 100) -> Page:
    """The latest ``limit`` messages (for the thread page), oldest first."""
    _require_participant(user, patient)
    conversation = conversation_of(patient)
    if conversation is None:
        return Page(conversation_id=None)
    rows = list(
        Message.objects.filter(conversation=conversation).select_related("sender").order_by("-seq")[: limit + 1]
    )
    older = len(rows) > limit
    rows = list(reversed(rows[:limit]))
    key = _key_for(conversation) if rows else b""
    page = Page(conversation_id=conversation.pk, limited=older, last_seq=conversation.last_seq)
    page.messages = [serialize(m, open_message(key, m), viewer=user, patient_id=patient.pk) for m in rows]
    audit(actor=user, action="message.list", patient=patient, obj=conversation)
    return page


def _key_for(conversation: Conversation) -> bytes:
    if conversation.erased_at is not None:
        raise ConversationClosed(_("This conversation was erased."))
    return unwrap(conversation.data_key)
