"""The doorbell: tell open sockets that something changed. Never carries message text.

Every push is best effort (the channel layer is at-most-once and Redis may be down): callers
run it after commit and a failure is only logged. Sockets recover anything missed by resuming
from the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 2.0


def conversation_group(patient_id: int) -> str:
    return f"messaging.patient.{int(patient_id)}"


def user_group(user_id: int) -> str:
    return f"messaging.user.{int(user_id)}"


def session_fingerprint(session_key: str | None) -> str:
    """A session key never goes to Redis; a hash of it identifies the session to close."""
    if not session_key:
        return ""
    return hashlib.sha256(f"paceway-ws|{session_key}".encode()).hexdigest()[:32]


async def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    await asyncio.wait_for(layer.group_send(group, event), PUSH_TIMEOUT_SECONDS)


def group_send(group: str, event: dict[str, Any]) -> bool:
    """Send an event to a group; False (and a log line, no content) if the layer failed."""
    try:
        async_to_sync(_send)(group, event)
    except Exception as exc:  # Redis down or slow: the database still has everything.
        logger.warning("messaging push to %s failed: %s", group, type(exc).__name__)
        return False
    return True


def new_message(*, patient_id: int, conversation_id: int, seq: int) -> bool:
    return group_send(
        conversation_group(patient_id),
        {"type": "messaging.new", "conversation_id": conversation_id, "seq": seq},
    )


def read_receipt(*, patient_id: int, conversation_id: int, user_id: int, seq: int) -> bool:
    return group_send(
        conversation_group(patient_id),
        {
            "type": "messaging.read",
            "conversation_id": conversation_id,
            "user_id": user_id,
            "seq": seq,
        },
    )


def recheck_conversation(patient_id: int) -> bool:
    """Care team changed: every socket on this conversation re-checks access now."""
    return group_send(conversation_group(patient_id), {"type": "messaging.recheck"})


def recheck_user(user_id: int, *, ended_session_key: str | None = None) -> bool:
    """Logout or deactivation: the user's sockets re-check (and the ended session's close)."""
    return group_send(
        user_group(user_id),
        {"type": "messaging.recheck", "ended_session": session_fingerprint(ended_session_key)},
    )
