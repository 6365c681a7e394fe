"""The live doorbell: tell a therapist's open dashboard that a risk alert was raised.

The push carries no patient, no id and no answers: only ``{"type": "alert.raised", "level": ...}``
to a group per therapist, the level being one of ``levels.LEVELS`` (``"urgent": true`` too when it
is high), so the banner can say in words how urgent some alert is. It is best effort, made after commit; a channel layer that is down or slow (Redis) is
logged and never affects the saved alert, the crisis panel or the e-mail notification.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 2.0
DOORBELL = {"type": "alert.raised"}
RECHECK = "alert.recheck"


def therapist_group(therapist_id: int) -> str:
    return f"therapist-{int(therapist_id)}"


def doorbell(level: str = "") -> dict[str, object]:
    from .levels import LEVELS

    message: dict[str, object] = dict(DOORBELL)
    if level in LEVELS:
        message["level"] = level
    if level == "high":
        message["urgent"] = True
    return message


async def _ring(groups: list[str], level: str = "") -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # One deadline for all: a slow Redis delays the saving request by at most this, once.
    message = doorbell(level)
    sends = [layer.group_send(group, dict(message)) for group in groups]
    await asyncio.wait_for(asyncio.gather(*sends), PUSH_TIMEOUT_SECONDS)


def ring_therapists(therapist_ids: list[int], *, level: str = "") -> bool:
    """Ring each therapist's dashboard. Never raises; False (and a log line, ids only) on failure."""
    groups = [therapist_group(pk) for pk in therapist_ids]
    if not groups:
        return True
    try:
        async_to_sync(_ring)(groups, level)
    except Exception as exc:  # Redis down or slow: the alert is saved; the page shows it on reload
        logger.warning("Risk alert doorbell to %s failed (%s).", ", ".join(groups), type(exc).__name__)
        return False
    return True


def session_fingerprint(session_key: str | None) -> str:
    """A session key never goes to Redis; a hash of it names the session whose sockets close."""
    if not session_key:
        return ""
    return hashlib.sha256(f"paceway-alerts|{session_key}".encode()).hexdigest()[:32]


def recheck_therapist(user_id: int, *, ended_session_key: str | None = None) -> bool:
    """Logout or deactivation: the user's alert sockets close (the ended session's) or re-check
    (the others). Best effort, after commit; never raises."""
    event = {"type": RECHECK, "ended_session": session_fingerprint(ended_session_key)}
    try:
        async_to_sync(_send)(therapist_group(user_id), event)
    except Exception as exc:
        logger.warning("Alerts socket re-check for user %s failed (%s).", user_id, type(exc).__name__)
        return False
    return True


async def _send(group: str, event: dict[str, str]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await asyncio.wait_for(layer.group_send(group, event), PUSH_TIMEOUT_SECONDS)
