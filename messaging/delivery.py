"""What a socket shows its client, in order and each message once.

A socket's ``cursor`` is the last seq it has shown. Live delivery is ``paused`` until the
client's first resume has been answered (its replay of what it missed comes first), and again
while a replay is paged (``limited``). Pages are read through the group commit
(``store.PageRequest``), audited as reads of health data; messages this process has just stored
come from ``local_delivery`` without a read-back when they are the very next ones.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from paceway.ops import metrics

from . import access, errors, frames, sealing, selectors, services, store
from .group_commit import committer

logger = logging.getLogger(__name__)

REPLAY_PAGE = 200
PAGE_BYTES = frames.MAX_FRAME_BYTES * 3 // 4  # a page stays under the frame limit (one message always fits)


class Socket(Protocol):
    closing: bool
    paused: bool
    resumed: bool
    cursor: int
    patient_id: int
    user_id: int
    conversation_id: int | None
    keys: dict[int, bytes]
    access: access.SocketAccess

    @property
    def deliver_lock(self) -> asyncio.Lock: ...

    async def send_frame(self, frame: frames.OutboundFrame) -> None: ...

    async def refuse(self) -> None: ...


def next_is(socket: Socket, seq: int) -> bool:
    """Is ``seq`` the very next message this open, live socket needs?"""
    return not socket.closing and not socket.paused and socket.cursor == seq - 1


async def send(socket: Socket, frame: frames.SendFrame) -> None:
    """Store the client's message (through the group commit) and acknowledge it once committed:
    the ack can promise durability. It carries the new message as this socket shows it when it
    is the very next one this socket needs (no echo frame); otherwise the message comes in order
    in a "messages" frame, like any other. A refusal is raised (an error frame for the client)."""
    job = store.Outgoing(sender_id=socket.user_id, client_id=frame["client_id"], body=frame["body"], keys=socket.keys)
    await committer.run(job, socket.access.prepare, origin=socket)
    if job.error is not None:
        raise job.error
    message = job.message
    assert message is not None
    socket.conversation_id = message.conversation_id
    ack = frames.ack(client_id=message.client_id, seq=message.seq, duplicate=not job.created)
    async with socket.deliver_lock:
        if job.created and next_is(socket, message.seq):
            socket.cursor = message.seq
            ack["message"] = sealing.serialize(message, job.body, viewer=job.sender, patient_id=socket.patient_id)
        await socket.send_frame(ack)


async def take_stored(socket: Socket, conversation_id: int, messages: list[dict[str, Any]]) -> None:
    """Messages another local socket has just stored, shown without reading them back when they
    are the very next ones this socket needs; otherwise the doorbell (or the sweep) brings them
    from the database in order, and the cursor makes sure nothing is shown twice."""
    async with socket.deliver_lock:
        if not next_is(socket, messages[0]["seq"]):
            return
        socket.cursor = messages[-1]["seq"]
        page = selectors.Page(conversation_id=conversation_id, messages=messages, last_seq=socket.cursor)
        await socket.send_frame(frames.messages(page, replay=False))
        metrics.messages_delivered(len(messages), replay=False)


async def deliver(socket: Socket, after_seq: int | None, *, replay: bool) -> None:
    """Send what follows ``after_seq`` (None: what follows the socket's cursor)."""
    async with socket.deliver_lock:
        if socket.closing or (after_seq is None and socket.paused):
            return
        await _deliver_locked(socket, socket.cursor if after_seq is None else after_seq, replay=replay)


async def _deliver_locked(socket: Socket, after_seq: int, *, replay: bool) -> None:
    request = store.PageRequest(
        after_seq=after_seq,
        limit=REPLAY_PAGE,
        # Replays and live deliveries are both reads of health data: one event per page.
        audit_action="message.resume" if replay else "message.deliver",
        max_bytes=PAGE_BYTES,
        conversation_id=socket.conversation_id,
        keys=socket.keys,
    )
    await committer.run(request, socket.access.prepare)
    if isinstance(request.error, errors.NotAllowed):
        await socket.refuse()
        return
    if request.error is not None:
        raise request.error
    page = request.page
    assert page is not None
    if page.conversation_id is not None:
        socket.conversation_id = page.conversation_id
    if page.messages:
        socket.cursor = page.messages[-1]["seq"]
    elif replay:
        socket.cursor = min(after_seq, page.last_seq)
    socket.paused = page.limited
    if page.messages or replay:
        await socket.send_frame(frames.messages(page, replay=replay))
        metrics.messages_delivered(len(page.messages), replay=replay)


async def catch_up(socket: Socket) -> None:
    """Read what a lost doorbell left behind (or what came between "ready" and the grace's end)."""
    try:
        await deliver(socket, None, replay=False)
    except Exception:
        logger.exception("messaging: catching up failed")


_catching_up: set[asyncio.Task[None]] = set()


def end_grace(socket: Socket) -> None:
    """The client did not resume in time: live delivery starts from the cursor anyway."""
    if not socket.resumed and not socket.closing:
        socket.resumed = True
        socket.paused = False
        task = asyncio.ensure_future(catch_up(socket))
        _catching_up.add(task)  # a reference until done (the loop keeps only weak ones)
        task.add_done_callback(_catching_up.discard)


# In the database thread --------------------------------------------------------------------------


def ready(socket: Socket) -> frames.ReadyFrame:
    """Where the conversation stands at connect, as the handshake's access decision lets the user
    see it: the cursor starts at its ``last_seq``."""
    user, patient = access.handshake_participants(socket.access)
    conversation_id, last_seq, last_read_seq = selectors.where_it_stands(user=user, patient=patient)
    if conversation_id is not None:
        socket.conversation_id = conversation_id
    return frames.ready(
        patient_id=socket.patient_id,
        user_id=socket.user_id,
        conversation_id=conversation_id,
        last_seq=last_seq,
        last_read_seq=last_read_seq,
    )


def mark_read(socket: Socket, seq: int, loop: asyncio.AbstractEventLoop) -> int:
    """The client's read marker, moved forward; its doorbell rung on the socket's ``loop``."""
    user, patient = access.fresh_participants(socket.access)
    return services.mark_read(user=user, patient=patient, seq=seq, loop=loop)
