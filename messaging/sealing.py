"""Message text in and out of its ciphertext, and as a viewer sees it.

Text exists in plaintext only in memory: sealed with AES-256-GCM under the conversation's data
key, associated data binding it to conversation, seq, sender and client id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from paceway.accounts.language import language_of
from paceway.keyring import crypto
from paceway.keyring.services import unwrap

from .errors import ConversationClosed
from .models import Conversation, Message, message_context


def seal(key: bytes, conversation_id: int, seq: int, sender_id: int, client_id: str, body: str) -> bytes:
    context = message_context(conversation_id, seq, sender_id, client_id)
    return crypto.seal(key, body.encode(), context.encode())


def open_message(key: bytes, message: Message) -> str:
    """Plaintext of a message; ``DecryptionError`` if anything was tampered with or shredded."""
    return crypto.unseal(key, bytes(message.ciphertext), message.context.encode()).decode()


def key_for(conversation: Conversation) -> bytes:
    """The conversation's unwrapped data key; ``ConversationClosed`` once it was shredded."""
    if conversation.erased_at is not None:
        raise ConversationClosed(_("This conversation was erased."))
    return unwrap(conversation.data_key)


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
