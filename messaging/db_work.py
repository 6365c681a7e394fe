"""Where the sockets' database work runs, off the event loop.

Most of it (connect, read receipts, access re-checks) runs in a small thread pool
(``in_db_thread``). Sends and deliveries, the hot path, go through ``group_commit``: one thread
takes everything the process's sockets have queued and does it in one transaction, so the
statements and the commit (an fsync on PostgreSQL) are shared by every message in it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.db.utils import load_backend

T = TypeVar("T")

_db_pool: ThreadPoolExecutor | None = None


def db_threads() -> int:
    """How many threads run the sockets' other database work (connect, read receipts, access
    re-checks; sends and reads go through ``group_commit``) in one process. Django's default
    for async code is one thread for everything; two let one socket's wait for the database
    overlap another's. SQLite has a single writer, so there one thread avoids busy waits."""
    configured = getattr(settings, "MESSAGING_DB_THREADS", None)
    if configured is not None:
        return max(1, int(configured))
    return 1 if _db_vendor() == "sqlite" else 2


def _db_vendor() -> str:
    """The default database's vendor without touching ``connection`` in the event loop (each
    socket's async context would get its own database wrapper)."""
    engine = connections.settings[DEFAULT_DB_ALIAS]["ENGINE"]
    return str(load_backend(engine).DatabaseWrapper.vendor)


def _pool(size: int) -> ThreadPoolExecutor:
    global _db_pool
    if _db_pool is None or _db_pool._max_workers != size:
        _db_pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="messaging-db")
    return _db_pool


def shutdown_db_pool(timeout: float = 10.0) -> None:
    """Close every pool thread's database connection and retire the pool (tests call this
    before the test database is dropped; a new pool starts on next use)."""
    global _db_pool
    pool, _db_pool = _db_pool, None
    if pool is None:
        return
    size = pool._max_workers
    barrier = threading.Barrier(size)

    def close_here() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout)  # one job per thread: each waits until all threads hold one
        connections.close_all()

    for _n in range(size):
        pool.submit(close_here)
    pool.shutdown(wait=True)


HEALTH_CHECK_SECONDS = 1.0
_checked_at = threading.local()


def _reuse_connections() -> None:
    """``close_old_connections`` as at the start of every database call, but with
    ``CONN_HEALTH_CHECKS`` a pool thread's connection is probed (``SELECT 1``) at most once per
    ``HEALTH_CHECK_SECONDS`` rather than once per call, i.e. per message. Errors since the last
    call still force a probe (Django's ``errors_occurred``), and max-age expiry still closes."""
    close_old_connections()
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or not conn.settings_dict.get("CONN_HEALTH_CHECKS"):
            continue
        ident, at = getattr(_checked_at, conn.alias, (None, 0.0))
        if ident == id(conn.connection) and now - at < HEALTH_CHECK_SECONDS:
            conn.health_check_done = True  # type: ignore[attr-defined]  # probed by this thread under a second ago
        else:
            setattr(_checked_at, conn.alias, (id(conn.connection), now))  # probed in this call


class _PoolSyncToAsync(DatabaseSyncToAsync):
    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        _reuse_connections()
        try:
            return super(DatabaseSyncToAsync, self).thread_handler(loop, *args, **kwargs)
        finally:
            close_old_connections()


def in_db_thread(func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``database_sync_to_async`` for the socket's database work (see ``db_threads``)."""

    async def call(*args: Any, **kwargs: Any) -> T:
        size = db_threads()
        if size == 1:
            return cast(T, await database_sync_to_async(func)(*args, **kwargs))
        return cast(T, await _PoolSyncToAsync(func, thread_sensitive=False, executor=_pool(size))(*args, **kwargs))

    return call
