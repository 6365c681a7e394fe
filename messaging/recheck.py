"""Each socket's one timer: its access decision made again when due, or at its session's expiry.

Access is decided at connect and again on events (logout, deactivation and care-team changes
ring the socket at once: a recheck event). This periodic re-check (jittered, see
``access.recheck_seconds``) only bounds what an event lost while Redis was down can leave stale.
An idle socket waits on a timer rather than in a sleeping task (a task with its coroutines costs
about 1 KB per socket). Slots, resubscription and lost doorbells are the ``sweep``'s, for all of
a process's sockets at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from . import access
from .db_work import in_db_thread

logger = logging.getLogger(__name__)


class Checked(Protocol):
    closing: bool
    access: access.SocketAccess
    watchdog: asyncio.TimerHandle | asyncio.Task[None] | None

    async def refuse(self) -> None: ...


def arm(socket: Checked) -> None:
    """The next check: when the decision is due or the session would expire, whichever first."""
    memo = socket.access
    due = memo.due_in()
    if memo.session_deadline is not None:
        due = min(due, max(0.0, memo.session_deadline - time.time()) + 1.0)
    socket.watchdog = asyncio.get_running_loop().call_later(due, _start, socket)


def _start(socket: Checked) -> None:
    socket.watchdog = asyncio.ensure_future(_periodic(socket))


async def _periodic(socket: Checked) -> None:
    """Recheck access and the session (closing the socket when either is gone); then arm the
    next check (none once closed). Outside the group commit: in a database thread."""
    if socket.closing:
        return
    try:
        if not await recheck(socket):
            return
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("messaging: periodic check failed")
        if not socket.closing:  # the decision stays due (a send re-checks first); try again soon
            delay = access.jittered(min(60.0, access.recheck_seconds()))
            socket.watchdog = asyncio.get_running_loop().call_later(delay, _start, socket)
        return
    if not socket.closing:
        socket.access.memo_seconds = access.jittered(access.recheck_seconds())
        arm(socket)


async def recheck(socket: Checked) -> bool:
    """Decide now, with the session read again; refuse (close) the socket when access is gone."""
    allowed = await in_db_thread(access.decide)(socket.access, session=access.FRESH)
    if not allowed:
        await socket.refuse()
    return allowed


async def still_allowed(socket: Checked) -> bool:
    """The memoized decision, or a new one when it is due (closing the socket if refused)."""
    if not socket.access.due():
        return True
    allowed = await in_db_thread(access.decide)(socket.access)
    if not allowed:
        await socket.refuse()
    return allowed
