"""Settings for the Daphne processes of bench/messaging.py: Paceway's settings (so the same
channel layer, database and cache as configured by REDIS_URL / DATABASE_URL), with the per-user
send rate and connection cap raised so the benchmark measures delivery, not throttling, and
without DEBUG's per-query logging (as in production)."""

import os

from paceway.settings import *  # noqa: F403

DEBUG = False
MESSAGING_SEND_RATE = (1_000_000_000, 10)
MESSAGING_MAX_CONNECTIONS = 100_000

if os.environ.get("BENCH_DB_THREADS"):  # to compare thread counts: BENCH_DB_THREADS=1 ...
    MESSAGING_DB_THREADS = int(os.environ["BENCH_DB_THREADS"])

if os.environ.get("BENCH_QUERY_LOG"):  # SQL statements per delivered message, by kind
    import collections
    import json
    import threading
    import time

    from django.db.backends.signals import connection_created

    _counts: collections.Counter[str] = collections.Counter()
    _lock = threading.Lock()

    def _kind(sql: str) -> str:
        words = sql.split()
        head = " ".join(words[:1]).upper()
        table = next(
            (w for w in words if w.strip('"').startswith(("messaging_", "audit_", "accounts_", "keyring_", "django_"))),
            "",
        )
        return f"{head} {table.strip(chr(34))}"

    def _wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        with _lock:
            _counts[_kind(sql)] += 1
        return execute(sql, params, many, context)

    def _on_connection(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
        if _wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(_wrapper)

    connection_created.connect(_on_connection, weak=False)

    def _dump() -> None:
        while True:
            time.sleep(1.0)
            with _lock:
                snapshot = dict(_counts)
            with open(os.environ["BENCH_QUERY_LOG"], "w") as out:
                json.dump(snapshot, out, indent=1, sort_keys=True)

    threading.Thread(target=_dump, daemon=True).start()
