"""The PostgreSQL pool probes a connection before lending it at most once a second (issue 15:
a probe per loan was a fifth of a reconnect storm's handshake time), and still replaces one
that died."""

import os
import time
from urllib.parse import urlsplit

import psycopg
import pytest

from paceway import dbpool


class FakeConnection:
    """What the pool's check looks at: autocommit, closed, broken, and ``execute``."""

    def __init__(self) -> None:
        self.autocommit, self.closed, self.broken = True, False, False
        self.probes = 0

    def execute(self, query: str) -> None:
        if self.closed or self.broken:
            raise psycopg.OperationalError("the connection is lost")
        self.probes += 1


def test_it_probes_a_connection_once_a_second_not_on_every_loan():
    conn = FakeConnection()
    for _ in range(50):
        dbpool.check_connection(conn)
    assert conn.probes == 1


def test_it_probes_again_once_the_second_is_over(monkeypatch):
    conn = FakeConnection()
    dbpool.check_connection(conn)
    later = time.monotonic() + dbpool.CHECK_SECONDS + 0.1
    monkeypatch.setattr(dbpool.time, "monotonic", lambda: later)
    dbpool.check_connection(conn)
    assert conn.probes == 2


def test_it_refuses_a_connection_that_died_even_within_the_second():
    conn = FakeConnection()
    dbpool.check_connection(conn)
    conn.broken = True
    with pytest.raises(psycopg.OperationalError):
        dbpool.check_connection(conn)


POSTGRES = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")


@POSTGRES
def test_the_pool_lends_a_working_connection_after_its_server_side_died():
    from psycopg_pool import ConnectionPool

    server = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()  # any database
    with ConnectionPool(server, min_size=1, max_size=1, check=dbpool.check_connection) as pool:
        with pool.connection() as conn:
            pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        with psycopg.connect(server, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 30
        while True:  # a loan within the second may still fail once; never the ones after it
            try:
                with pool.connection() as conn:
                    assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] != pid
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, "the dead connection was never replaced"
                time.sleep(0.2)


@POSTGRES
@pytest.mark.django_db
def test_djangos_pool_uses_the_once_a_second_check():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.pool._check is dbpool.check_connection
