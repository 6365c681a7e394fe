"""Exactly one Celery beat scheduler per deployment, its state in the database.

The schedule and each entry's last run live in the database (django-celery-beat), so a crash or
a second copy cannot corrupt a local file, and a replacement on another machine carries on
where the last one stopped. Before it schedules anything, a beat takes a lock that dies with its
process: a PostgreSQL advisory lock held on a connection of its own (every replica on every
machine sees it), or, on SQLite (one machine), an ``flock`` on a file beside the database. A
second beat waits, saying so, and takes over if the first one stops or crashes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
import zlib
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# Advisory locks are per database: two deployments on one server do not block each other.
ADVISORY_KEY = zlib.crc32(b"paceway-celery-beat")
WAIT_POLL_SECONDS = 2.0
WAIT_REPORT_SECONDS = 60.0
CHECK_SECONDS = 30.0


class BeatLock:
    """Held from ``try_acquire()`` returning True until ``release()`` or the process ends."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self.vendor = connections[alias].vendor
        self._connection: Any = None
        self._file: Any = None

    def describe(self) -> str:
        if self.vendor == "postgresql":
            return f"PostgreSQL advisory lock {ADVISORY_KEY} in database {settings.DATABASES[self.alias]['NAME']!r}"
        return f"file lock {self.path()}"

    def path(self) -> Path:
        return Path(str(settings.DATABASES[self.alias]["NAME"]) + ".beat.lock")

    def try_acquire(self) -> bool:
        if self.vendor == "postgresql":
            wrapper = connections[self.alias]
            # A connection of its own, never returned to Django's handling (which closes
            # connections between tasks): the lock lives exactly as long as this session.
            conn = wrapper.get_new_connection(wrapper.get_connection_params())
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
                (held,) = cursor.fetchone()
            if held:
                self._connection = conn
            else:
                conn.close()
            return bool(held)
        handle = open(self.path(), "a+")  # noqa: SIM115 (kept open while the lock is held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        """False if the lock's database session was lost (the server restarted, say)."""
        if self._connection is not None:
            try:
                with self._connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except psycopg.Error:  # its own raw connection: psycopg's errors, not Django's
                return False
            return True
        return self._file is not None

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
        if self._file is not None:
            self._file.close()
            self._file = None


_lock: BeatLock | None = None
_waiting = False
_building = False


def hold_beat_lock(*, poll: float = WAIT_POLL_SECONDS) -> BeatLock:
    """Wait until this process is the one scheduler, reporting who it waits for."""
    global _lock, _waiting
    if _lock is not None:
        return _lock
    if _waiting:
        # Celery's SIGTERM handler builds the scheduler again to save it: stop instead.
        raise SystemExit("beat: stopped while waiting for the scheduler lock")
    lock = BeatLock()
    _waiting = True
    try:
        reported = 0.0
        while not lock.try_acquire():
            now = time.monotonic()
            if now - reported >= WAIT_REPORT_SECONDS:
                logger.warning(
                    "beat: another scheduler is running (it holds the %s); this one waits and takes over "
                    "if that one stops. Only one beat may schedule tasks.",
                    lock.describe(),
                )
                reported = now
            time.sleep(poll)
    finally:
        _waiting = False
    logger.info("beat: this process is the scheduler (holds the %s).", lock.describe())
    _lock = lock
    return lock


class SingleDatabaseScheduler(DatabaseScheduler):
    """django-celery-beat's scheduler, run by one process at a time."""

    _last_check = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        global _building
        if kwargs.get("lazy"):  # the banner builds a lazy one just to describe it
            super().__init__(*args, **kwargs)
            return
        if _building:
            # Celery's SIGTERM handler builds the scheduler again (to save it) if the signal comes
            # while the first one is still being built; that would reuse the database connection
            # in the middle of a query and hang. There is nothing to save yet: stop.
            raise SystemExit("beat: stopped while starting")
        _building = True
        try:
            self.beat_lock = hold_beat_lock()
            super().__init__(*args, **kwargs)
        finally:
            _building = False

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.monotonic()
        if now - self._last_check >= CHECK_SECONDS:
            self._last_check = now
            if not self.beat_lock.still_held():
                logger.critical("beat: lost the scheduler lock (database connection gone); exiting to be restarted.")
                raise SystemExit(1)
        return float(super().tick(*args, **kwargs))
