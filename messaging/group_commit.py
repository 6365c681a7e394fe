"""Group commit for the sockets' sends and deliveries.

A socket hands its send (``store.Outgoing``) or its read (``store.PageRequest``) to
``run``. One thread per process takes everything queued since its last round and does it in
one transaction: the reads first (so nothing uncommitted is shown), then the sends, then every
audit event, then one commit. With 50 busy conversations that is about a dozen statements and
one fsync for dozens of messages, instead of about ten statements and an fsync for each.
A round that fails is redone one job at a time, so that a job's error is its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connections, transaction

from . import errors, limits, local_delivery, store
from .db_work import _reuse_connections
from .round import Round

logger = logging.getLogger(__name__)

Job = store.Outgoing | store.PageRequest
Prepare = Callable[[Job], None]
MAX_ROUND = 256  # jobs per transaction; the rest wait for the next round


@dataclass
class _Queued:
    job: Job
    prepare: Prepare  # the socket's access check: fills the job's user and patient, or raises
    future: asyncio.Future[None]
    loop: asyncio.AbstractEventLoop
    origin: object = None  # the socket that queued it (it has its own copy of what it sends)


class GroupCommit:
    def __init__(self) -> None:
        self._queued: list[_Queued] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopping = False

    async def run(self, job: Job, prepare: Prepare, origin: object = None) -> None:
        """Done when the job's round has committed (or failed: then ``job.error`` is set).
        Cancelling the caller does not cancel the job."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._queued.append(_Queued(job, prepare, future, loop, origin))
            if self._thread is None:
                self._stopping = False
                self._thread = threading.Thread(target=self._serve, name="messaging-group-commit", daemon=True)
                self._thread.start()
        self._wake.set()
        await asyncio.shield(future)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, close the thread's database connection and end the thread
        (tests call this before the test database is dropped; the next job starts a new one)."""
        with self._lock:
            thread, self._stopping = self._thread, True
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def _serve(self) -> None:
        try:
            while True:
                self._wake.wait()
                with self._lock:
                    this_round, self._queued = self._queued[:MAX_ROUND], self._queued[MAX_ROUND:]
                    if not self._queued:
                        self._wake.clear()
                    if not this_round and self._stopping:
                        self._thread = None
                        return
                self._do_round(this_round)
        finally:
            connections.close_all()

    def _do_round(self, queued: list[_Queued]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Queued]] = {}
        for item in queued:
            by_loop.setdefault(item.loop, []).append(item)
        for loop, items in by_loop.items():  # one loop per process outside tests
            try:
                handovers, done = _commit(items)
                local_delivery.hand_over(handovers)
                done.ring(loop)
            except Exception as exc:  # every job must get an answer
                logger.exception("messaging: group commit round failed")
                for item in items:
                    item.job.error = item.job.error or exc
            finally:
                _wake_up(loop, [item.future for item in items])


def _wake_up(loop: asyncio.AbstractEventLoop, futures: list[asyncio.Future[None]]) -> None:
    def resolve() -> None:
        for future in futures:
            if not future.done():
                future.set_result(None)

    with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
        loop.call_soon_threadsafe(resolve)


def _commit(items: list[_Queued]) -> tuple[list[local_delivery.Handover], Round]:
    """The round's transaction; what to hand to this process's other sockets after it, and the
    committed round (its doorbells to ring)."""
    _reuse_connections()
    try:
        ready = _prepared(items)
        if not ready:
            return [], Round()
        try:
            return _apply(ready)
        except Exception as exc:  # noqa: BLE001 - handed to the job, whose waiter re-raises it
            if len(ready) == 1:
                _forget(ready[0].job)
                ready[0].job.error = exc
                return [], Round()
            handovers: list[local_delivery.Handover] = []
            committed = Round()
            for item in ready:  # find whose job it was: each alone, in its own transaction
                _forget(item.job)
                try:
                    own_handovers, own_round = _apply([item])
                except Exception as own:  # noqa: BLE001 - handed to the job, whose waiter re-raises it
                    _forget(item.job)
                    item.job.error = own
                    continue
                handovers += own_handovers
                committed.absorb(own_round)
            return handovers, committed
    finally:
        close_old_connections()


def _prepared(items: list[_Queued]) -> list[_Queued]:
    """Rate limits (one round trip for all sends) and access checks; the jobs that may go on."""
    sends = [item for item in items if isinstance(item.job, store.Outgoing)]
    verdicts = limits.allow_sends([item.job.sender_id for item in sends])  # type: ignore[union-attr]
    for item, (allowed, retry_after) in zip(sends, verdicts, strict=True):
        if not allowed:
            item.job.error = errors.RateLimited(retry_after)
    ready = []
    for item in items:
        if item.job.error is not None:
            continue
        try:
            item.prepare(item.job)
        except Exception as exc:  # noqa: BLE001 - handed to the job, whose waiter re-raises it
            item.job.error = exc
            continue
        ready.append(item)
    return ready


def _apply(items: list[_Queued]) -> tuple[list[local_delivery.Handover], Round]:
    """One transaction for the jobs; its audit events written together before commit. The round
    is returned only if it committed: a rolled-back round rings nothing."""
    sent = [(item.job, item.origin) for item in items if isinstance(item.job, store.Outgoing)]
    round = Round()
    with transaction.atomic():
        store.read_pages([item.job for item in items if isinstance(item.job, store.PageRequest)], round)
        store.store_messages([job for job, _origin in sent], round)
        handovers = local_delivery.prepare(sent, round)
        round.write_audit()
    return handovers, round


def _forget(job: Job) -> None:
    """Drop what a failed round wrote into the job, before it is redone alone."""
    if isinstance(job, store.Outgoing):
        job.message, job.created = None, False
    else:
        job.page = None
    job.error = None


committer = GroupCommit()
