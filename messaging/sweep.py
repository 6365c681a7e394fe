"""One periodic pass per process over its open sockets, instead of a timer per socket.

An idle socket costs nothing but its memory: it has no timer of its own except the one for its
access decision (see ``recheck``: rare, jittered, and at its session's expiry). What every
socket used to do on its own timer is done here for all of a process's sockets at once, every
``MESSAGING_SWEEP_SECONDS`` (30 s by default, jittered):

- connection slots (``limits``): refreshed in two cache round trips for all sockets;
- sockets whose subscription to the channel layer failed (Redis down) subscribe again;
- lost doorbells (the channel layer is at-most-once): one query for the newest seq of every
  conversation with a socket here; only a socket whose cursor is behind reads from the database.

The sweep runs in the sockets' event loop; its database and cache calls go to threads, never to
the group commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import weakref
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from paceway.doorbell import conversation_group, user_group

from . import limits, local_delivery, selectors
from .db_work import in_db_thread

logger = logging.getLogger(__name__)

_armed: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.TimerHandle] = weakref.WeakKeyDictionary()
_running: set[asyncio.Task[None]] = set()


def sweep_seconds() -> float:
    return float(getattr(settings, "MESSAGING_SWEEP_SECONDS", 30))


def watch(loop: asyncio.AbstractEventLoop) -> None:
    """A socket opened on ``loop``: make sure a sweep is due there."""
    if loop not in _armed:
        _arm(loop)


def _arm(loop: asyncio.AbstractEventLoop) -> None:
    delay = sweep_seconds() * random.uniform(0.8, 1.2)  # processes started together drift apart
    _armed[loop] = loop.call_later(delay, _start, loop)


def _start(loop: asyncio.AbstractEventLoop) -> None:
    task = loop.create_task(_sweep(loop))
    _running.add(task)
    task.add_done_callback(_running.discard)


def _on(loop: asyncio.AbstractEventLoop) -> list[Any]:
    return [s for s in local_delivery.all_sockets() if s.loop is loop and not s.closing]


async def _sweep(loop: asyncio.AbstractEventLoop) -> None:
    sockets = _on(loop)
    if not sockets:
        _armed.pop(loop, None)  # armed again by the next socket
        return
    try:
        await sync_to_async(limits.refresh_slots, thread_sensitive=False)(
            [(s.user_id, s.slot, s.channel_name) for s in sockets if s.slot is not None]
        )
        for socket in sockets:
            if not socket.subscribed and not socket.closing:
                socket.subscribed = await subscribe(socket)
        newest = await in_db_thread(selectors.last_seqs)(sorted({s.patient_id for s in sockets}))
        for socket in sockets:
            if not socket.closing and not socket.paused and newest.get(socket.patient_id, 0) > socket.cursor:
                _deliver(socket)
    except Exception:
        logger.exception("messaging: sweep failed")
    finally:
        with contextlib.suppress(RuntimeError):  # the loop is closing
            _arm(loop)


async def subscribe(socket: Any) -> bool:
    """Join the socket's conversation and user groups; False if the channel layer is down (then
    the socket stays open, catches up from the database, and the next sweep tries again)."""
    ok = True
    for group in (conversation_group(socket.patient_id), user_group(socket.user_id)):
        if group in socket.joined:
            continue
        try:
            await asyncio.wait_for(socket.channel_layer.group_add(group, socket.channel_name), 2.0)
            socket.joined.append(group)
        except Exception as exc:  # noqa: BLE001 - the layer may be down: the sweep retries the join
            logger.warning("messaging: subscribe failed: %s", type(exc).__name__)
            ok = False
    return ok


def _deliver(socket: Any) -> None:
    task = asyncio.ensure_future(socket.catch_up())
    _running.add(task)
    task.add_done_callback(_running.discard)
