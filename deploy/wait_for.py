"""Wait until every migration is applied, then exit 0 (deploy/entrypoint.sh runs it before web, worker, beat).

Compose's `depends_on: condition: service_completed_successfully` makes Docker start web, worker
and beat only after `migrate` has exited 0, but podman-compose ignores the condition and a
Kubernetes Deployment has no such ordering at all. Waiting here, in the image, gives every engine
the same guarantee: a process never serves or runs tasks against an older schema than its code.
"Applied" means what `manage.py migrate --check` means: no migration left in the plan to the
newest leaf of every app. The database not answering yet counts as not applied.

WAIT_SECONDS (default 300) is the deadline; past it, exit 1 with a message naming the variable.
WAIT_SECONDS=0 skips the wait.
"""

from __future__ import annotations

import os
import sys
import time

WAIT_ENV = "WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 300.0
RETRY_SECONDS = 2.0


def wait_seconds() -> float:
    raw = os.environ.get(WAIT_ENV, "").strip()
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{WAIT_ENV}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise SystemExit(f"{WAIT_ENV}={raw!r} must be 0 (no wait) or more")
    return value


def unapplied_migrations() -> int | str:
    """The number of migrations still to apply, or why the database could not be asked."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as exc:
        connection.close()  # the next try starts on a fresh connection
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return f"database not reachable ({type(exc).__name__}: {first_line})"


def wait_for_migrations(limit: float, retry: float = RETRY_SECONDS) -> int:
    deadline = time.monotonic() + limit
    said: type | None = None  # one line per kind of state, not one per migration applied meanwhile
    while True:
        state = unapplied_migrations()
        if state == 0:
            if said is not None:
                print("wait_for: all migrations applied", flush=True)
            return 0
        if type(state) is not said:
            what = f"{state} migrations not applied yet" if isinstance(state, int) else state
            print(f"wait_for: {what}; waiting (up to {limit:g} s, {WAIT_ENV})", flush=True)
            said = type(state)
        if time.monotonic() >= deadline:
            print(
                f"wait_for: the database schema was not up to date within {WAIT_ENV}={limit:g} s "
                f"({state}); has the migrate job run? Raise {WAIT_ENV} if it needs longer.",
                file=sys.stderr,
                flush=True,
            )
            return 1
        time.sleep(min(retry, max(0.0, deadline - time.monotonic())))


def main() -> int:
    limit = wait_seconds()
    if limit == 0:
        return 0
    # One connection, no pool: no background connection threads, and the real error (refused,
    # wrong password) instead of the pool's "couldn't get a connection" after its timeout.
    os.environ["DATABASE_POOL_MAX"] = "0"
    import django

    django.setup()
    return wait_for_migrations(limit)


if __name__ == "__main__":
    sys.exit(main())
