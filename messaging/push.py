"""The doorbell: tell open sockets that something changed. Never carries message text.

Every push is best effort (the channel layer is at-most-once and Redis may be down): callers
run it after commit and a failure is only logged. Sockets recover anything missed by resuming
from the database.

A caller in a worker thread that knows its event loop passes it (``loop=``; the group commit
does). The socket's database calls wrap themselves in ``handing_off_to(loop)``: a push made there (typically from ``transaction.on_commit``) is
handed to the loop and the thread goes on at once, instead of holding the thread, and with it
every other socket's database work, until Redis has answered.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


async def _send(events: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    results = await asyncio.gather(
        *(asyncio.wait_for(layer.group_send(group, event), PUSH_TIMEOUT_SECONDS) for group, event in events),
        return_exceptions=True,
    )
    failed = [(group, r) for (group, _event), r in zip(events, results, strict=True) if isinstance(r, BaseException)]
    for group, exc in failed:
        logger.warning("messaging push to %s failed: %s", group, type(exc).__name__)
    if failed:
        raise PushFailed(len(failed))


class PushFailed(Exception):
    """Some pushes failed (each is logged, without content)."""


_local = threading.local()
_in_flight: set[concurrent.futures.Future[None]] = set()


@contextmanager
def handing_off_to(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Within this block (in a thread other than ``loop``'s), pushes are scheduled on ``loop``
    without waiting for them."""
    previous = getattr(_local, "loop", None)
    _local.loop = loop
    try:
        yield
    finally:
        _local.loop = previous


def _log_failure(future: concurrent.futures.Future[None]) -> None:
    _in_flight.discard(future)
    if future.cancelled():
        return
    exc = future.exception()
    if exc is not None and not isinstance(exc, PushFailed):  # PushFailed: logged per group
        logger.warning("messaging push failed: %s", type(exc).__name__)


def group_send(group: str, event: dict[str, Any]) -> bool:
    return send_events([(group, event)])


def send_events(events: list[tuple[str, dict[str, Any]]], *, loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Send events to groups; False (and a log line per failure, no content) if the layer failed.

    Handed off to an event loop (``loop``, or see ``handing_off_to``), it returns True once
    scheduled: one hand-off for all the events; a failure is then only logged."""
    if not events:
        return True
    loop = loop or getattr(_local, "loop", None)
    if loop is not None and loop.is_running():
        try:
            future = asyncio.run_coroutine_threadsafe(_send(events), loop)
        except RuntimeError as exc:  # the loop is shutting down
            logger.warning("messaging push failed: %s", type(exc).__name__)
            return False
        _in_flight.add(future)
        future.add_done_callback(_log_failure)
        return True
    try:
        async_to_sync(_send)(events)
    except PushFailed:
        return False
    except Exception as exc:  # Redis down or slow: the database still has everything.
        logger.warning("messaging push failed: %s", type(exc).__name__)
        return False
    return True


def new_messages(doorbells: list[tuple[int, int, int]], *, loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Ring each (patient_id, conversation_id, seq)."""
    return send_events(
        [
            (
                conversation_group(patient_id),
                {"type": "messaging.new", "conversation_id": conversation_id, "seq": seq},
            )
            for patient_id, conversation_id, seq in doorbells
        ],
        loop=loop,
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
