"""The doorbell: tell open sockets that something changed, and nothing more.

A ring carries ids, sequence numbers and a risk level, never message text, answers or a session
key; the socket that hears it reads what changed from the database, with its own access check.
Every ring is best effort (the channel layer is at-most-once and Redis may be down): callers ring
after commit, a failure is logged (groups only) and the caller's result stands. Sockets recover
anything missed by resuming from the database.

A caller on a database thread that knows the socket's event loop passes it (``loop=``): the ring
is then scheduled there and the thread goes on at once, instead of holding the thread (and every
other socket's database work) until Redis has answered.

Groups and events, one place for both apps:
- ``conversation_group(patient_id)``: ``messaging.new``, ``messaging.read``, ``messaging.recheck``
- ``user_group(user_id)``: ``messaging.recheck`` (logout, deactivation)
- ``therapist_group(user_id)``: ``alert.raised`` (with the level), ``alert.recheck``
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 2.0

Event = tuple[str, dict[str, Any]]  # (group, event)


# Groups ------------------------------------------------------------------------------------------


def conversation_group(patient_id: int) -> str:
    return f"messaging.patient.{int(patient_id)}"


def user_group(user_id: int) -> str:
    return f"messaging.user.{int(user_id)}"


def therapist_group(therapist_id: int) -> str:
    return f"therapist-{int(therapist_id)}"


def session_fingerprint(session_key: str | None) -> str:
    """A session key never goes to Redis; a hash of it names the session whose sockets close."""
    if not session_key:
        return ""
    return hashlib.sha256(f"paceway-ws|{session_key}".encode()).hexdigest()[:32]


# Transport ---------------------------------------------------------------------------------------


class RingFailed(Exception):
    """Some rings failed (each is logged, groups only)."""


async def _send(events: list[Event]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    results = await asyncio.gather(
        *(asyncio.wait_for(layer.group_send(group, event), PUSH_TIMEOUT_SECONDS) for group, event in events),
        return_exceptions=True,
    )
    failed = [(group, r) for (group, _event), r in zip(events, results, strict=True) if isinstance(r, BaseException)]
    for group, exc in failed:
        logger.warning("doorbell to %s failed: %s", group, type(exc).__name__)
    if failed:
        raise RingFailed(len(failed))


_in_flight: set[concurrent.futures.Future[None]] = set()  # kept referenced until done


def _log_failure(future: concurrent.futures.Future[None]) -> None:
    _in_flight.discard(future)
    if future.cancelled():
        return
    exc = future.exception()
    if exc is not None and not isinstance(exc, RingFailed):  # RingFailed: logged per group
        logger.warning("doorbell failed: %s", type(exc).__name__)


def ring(events: list[Event], *, loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Send events to groups. Never raises; False (and a log line per failure) if the layer failed.

    Given a running ``loop`` (from another thread), it returns True once scheduled, one hand-off
    for all the events; a failure is then only logged."""
    if not events:
        return True
    if loop is not None and loop.is_running():
        try:
            future = asyncio.run_coroutine_threadsafe(_send(events), loop)
        except RuntimeError as exc:  # the loop is shutting down
            logger.warning("doorbell failed: %s", type(exc).__name__)
            return False
        _in_flight.add(future)
        future.add_done_callback(_log_failure)
        return True
    try:
        async_to_sync(_send)(events)
    except RingFailed:
        return False
    except Exception as exc:  # noqa: BLE001  # Redis down or slow: the database still has everything
        logger.warning("doorbell failed: %s", type(exc).__name__)
        return False
    return True


# Messaging ---------------------------------------------------------------------------------------


def new_messages(doorbells: list[tuple[int, int, int]], *, loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Ring each (patient_id, conversation_id, seq)."""
    return ring(
        [
            (conversation_group(patient_id), {"type": "messaging.new", "conversation_id": conversation_id, "seq": seq})
            for patient_id, conversation_id, seq in doorbells
        ],
        loop=loop,
    )


def read_receipt(
    *, patient_id: int, conversation_id: int, user_id: int, seq: int, loop: asyncio.AbstractEventLoop | None = None
) -> bool:
    event = {"type": "messaging.read", "conversation_id": conversation_id, "user_id": user_id, "seq": seq}
    return ring([(conversation_group(patient_id), event)], loop=loop)


def recheck_conversation(patient_id: int) -> bool:
    """Care team changed: every socket on this conversation re-checks access now."""
    return ring([(conversation_group(patient_id), {"type": "messaging.recheck"})])


def recheck_user(user_id: int, *, ended_session_key: str | None = None) -> bool:
    """Logout or deactivation: the user's conversation sockets re-check (the ended session's close)."""
    event = {"type": "messaging.recheck", "ended_session": session_fingerprint(ended_session_key)}
    return ring([(user_group(user_id), event)])


# Risk alerts -------------------------------------------------------------------------------------


def alert_raised(therapist_ids: list[int], *, level: str = "") -> bool:
    """Ring each therapist's dashboard: ``{"type": "alert.raised", "level": ...}`` (``"urgent"``
    too when it is high), so the banner can say in words how urgent some alert is. No patient, no
    id, no answers. ``level`` is one of ``outcomes.levels.LEVELS``, or empty."""
    event: dict[str, Any] = {"type": "alert.raised"}
    if level:
        event["level"] = level
    if level == "high":
        event["urgent"] = True
    return ring([(therapist_group(pk), dict(event)) for pk in therapist_ids])


def recheck_therapist(user_id: int, *, ended_session_key: str | None = None) -> bool:
    """Logout or deactivation: the therapist's alert sockets re-check (the ended session's close)."""
    event = {"type": "alert.recheck", "ended_session": session_fingerprint(ended_session_key)}
    return ring([(therapist_group(user_id), event)])
