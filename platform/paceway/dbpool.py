"""The PostgreSQL pool's check of a connection before lending it, at most once a second each.

Django's own (``CONN_HEALTH_CHECKS`` with a pool) probes on every loan. With the pool a
connection goes back after every request, and after every database call of a socket, so that
probe was a round trip per call: a fifth of a reconnect storm's handshake time (py-spy,
``bench/messaging_idle.py``). A connection used in the last second was seen alive; one that died
in a server restart since then fails that one call, is discarded when returned (psycopg's pool
drops broken connections) and the next loan probes again: the window the messaging threads
already had (``messaging.db_work.HEALTH_CHECK_SECONDS``). Django passes the pool its check
itself (a ``check`` in the pool's OPTIONS would be passed twice), so ours replaces it once the
pool exists (``install``, on ``connection_created``).
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

CHECK_SECONDS = 1.0

_checked_at: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def check_connection(conn: Any) -> None:
    """The pool's ``check``: raise if ``conn`` is dead, probing it only when it has not been seen
    alive for ``CHECK_SECONDS``."""
    from psycopg_pool import ConnectionPool

    now = time.monotonic()
    with _lock:
        seen = _checked_at.get(conn)
    if seen is not None and now - seen < CHECK_SECONDS and not conn.closed and not conn.broken:
        return
    ConnectionPool.check_connection(conn)
    with _lock:
        _checked_at[conn] = now


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: give this alias's pool (if it has one and checks) our check."""
    pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
    if pool is not None and getattr(pool, "_check", None) not in (None, check_connection):
        pool._check = check_connection
