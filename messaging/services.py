"""Writes of secure messages, with their policy (who may, how fast). Keyword-only; the edges
(views, API, consumer) call these. Reads are ``selectors``; the set-based statements ``store``.

- ``send_message`` is idempotent per (conversation, sender, client_id) and answers every retry
  with the original sequence number; the sequence number is assigned under a row lock on the
  conversation; the push to open sockets goes out on commit and may fail without failing the send.
- Message text exists in plaintext only in memory (``sealing``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from paceway import doorbell
from paceway.audit.services import audit
from paceway.keyring.services import destroy_data_key

from . import limits, store
from .access import require_participant
from .errors import RateLimited
from .frames import clean_body, clean_client_id, clean_seq
from .models import Conversation, Message
from .selectors import conversation_of, last_read_seq

if TYPE_CHECKING:
    from paceway.accounts.models import User


@transaction.atomic
def send_message(
    *,
    sender: User,
    patient: User,
    client_id: Any,
    body: Any,
    keys: dict[int, bytes] | None = None,
) -> tuple[Message, bool]:
    """Store a message; a retry with the same client_id returns the original (created False).
    The send rate is policy of the write: every way in (API, page, weekly feedback) obeys it here;
    the sockets' group commit counts its batch the same way (``limits.allow_sends``)."""
    job = store.Outgoing(sender_id=sender.pk, client_id=clean_client_id(client_id), body=clean_body(body))
    require_participant(sender, patient, write=True)
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


@transaction.atomic
def mark_read(*, user: User, patient: User, seq: Any, loop: asyncio.AbstractEventLoop | None = None) -> int:
    """Move the user's read marker forward (never back); returns the marker. A socket's database
    thread passes its event loop, so the read receipt's doorbell does not hold the thread."""
    seq = clean_seq(seq, name="seq")
    require_participant(user, patient)
    conversation = conversation_of(patient)
    if conversation is None:
        return 0
    seq = min(seq, conversation.last_seq)
    if store.advance_receipt(conversation, user, seq):
        patient_id, conversation_id, user_id = patient.pk, conversation.pk, user.pk
        transaction.on_commit(
            lambda: doorbell.read_receipt(
                patient_id=patient_id, conversation_id=conversation_id, user_id=user_id, seq=seq, loop=loop
            )
        )
    return last_read_seq(user=user, conversation=conversation)


@transaction.atomic
def erase_conversation(*, patient: User, actor: User | None = None) -> bool:
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
