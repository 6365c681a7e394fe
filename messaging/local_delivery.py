"""Messages stored by this process go straight to the sockets open here.

The group commit stores a round of messages; for each socket of this process on one of those
conversations (other than the one that sent it, which gets it with its ack) it checks access (the
socket's memo), writes the ``message.deliver`` audit event in the same transaction, and after
commit hands the socket the messages it has just stored: no Redis round trip and no second
database round to read them back. The doorbell still goes out, for sockets in other processes;
here it finds the socket's cursor already past the message. A socket that is not exactly at the
previous message ignores the hand-over and reads from the database as usual (audited again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict
from typing import Any, Protocol

from . import errors, sealing, store
from .round import Round

logger = logging.getLogger(__name__)


class LocalSocket(Protocol):
    loop: asyncio.AbstractEventLoop
    closing: bool
    paused: bool
    patient_id: int

    def participants(self) -> tuple[Any, Any]:
        """The socket's user and patient as of its access memo; ``NotAllowed`` when gone."""
        ...

    async def take_stored(self, conversation_id: int, messages: list[dict[str, Any]]) -> None: ...


# By patient id: weak references (a socket that dies without disconnecting is not kept alive),
# in sets replaced whole, so the group commit's thread reads them without a lock.
_sockets: dict[int, frozenset[weakref.ref[LocalSocket]]] = {}


def register(socket: LocalSocket) -> None:
    _sockets[socket.patient_id] = _alive(socket.patient_id) | {weakref.ref(socket)}


def unregister(socket: LocalSocket) -> None:
    left = frozenset(ref for ref in _alive(socket.patient_id) if ref() is not socket)
    if left:
        _sockets[socket.patient_id] = left
    else:
        _sockets.pop(socket.patient_id, None)


def _alive(patient_id: int) -> frozenset[weakref.ref[LocalSocket]]:
    return frozenset(ref for ref in _sockets.get(patient_id, ()) if ref() is not None)


def all_sockets() -> list[LocalSocket]:
    """Every socket registered in this process (open or closing)."""
    found = (ref() for refs in list(_sockets.values()) for ref in refs)
    return [socket for socket in found if socket is not None]


def _open_sockets(patient_id: int) -> list[LocalSocket]:
    found = (ref() for ref in _sockets.get(patient_id, ()))
    return [socket for socket in found if socket is not None and not socket.closing and not socket.paused]


Handover = tuple[LocalSocket, int, list[dict[str, Any]]]


def prepare(sent: list[tuple[store.Outgoing, Any]], round: Round) -> list[Handover]:
    """For (stored job, the socket that sent it): what to hand to which local socket after
    commit, with their audit events added to ``round`` (written in the round's transaction)."""
    by_socket: dict[LocalSocket, list[tuple[store.Outgoing, Any]]] = defaultdict(list)
    for job, origin in sent:
        if not job.created or job.message is None:
            continue
        for socket in _open_sockets(job.patient.pk):
            if socket is not origin:
                by_socket[socket].append((job, origin))
    handovers: list[Handover] = []
    for socket, jobs in by_socket.items():
        try:
            viewer, patient = socket.participants()
        except errors.NotAllowed:
            continue  # the socket learns on its own next read, and closes
        conversation_id = jobs[0][0].message.conversation_id  # type: ignore[union-attr]
        shown = [
            sealing.serialize(job.message, job.body, viewer=viewer, patient_id=patient.pk)  # type: ignore[arg-type]
            for job, _origin in jobs
        ]
        round.audit(
            actor=viewer,
            action="message.deliver",
            patient=patient,
            object_type="Conversation",
            object_id=f"{conversation_id}:{shown[0]['seq']}-{shown[-1]['seq']}",
        )
        handovers.append((socket, conversation_id, shown))
    return handovers


_starting: set[asyncio.Task[None]] = set()


def hand_over(handovers: list[Handover]) -> None:
    """After commit, from any thread: each socket gets its messages on its own loop (one
    wake-up per loop)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Handover]] = defaultdict(list)
    for handover in handovers:
        by_loop[handover[0].loop].append(handover)
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed
            loop.call_soon_threadsafe(_start, items)


def _start(items: list[Handover]) -> None:
    for socket, conversation_id, shown in items:
        task = asyncio.ensure_future(socket.take_stored(conversation_id, shown))
        _starting.add(task)  # a reference until done (the loop keeps only weak ones)
        task.add_done_callback(_finished)


def _finished(task: asyncio.Task[None]) -> None:
    _starting.discard(task)
    if not task.cancelled() and task.exception() is not None:  # the socket reads from the database instead
        logger.warning("messaging: local hand-over failed: %s", type(task.exception()).__name__)
