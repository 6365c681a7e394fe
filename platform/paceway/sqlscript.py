"""Several SQL statements in one round trip, where the database allows it.

The sockets' group commit runs a dozen statements per round on one thread; each round trip
also costs that thread a wait for the GIL, which the event loop holds most of the time. On
PostgreSQL (psycopg's client-side binding, Django's default) one ``execute`` can carry several
statements; SQLite runs them one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    rows: list[tuple[Any, ...]] | None  # None for a statement that returns no rows
    rowcount: int


def run(db: Any, statements: list[tuple[str, list[Any]]]) -> list[Result]:
    """Run ``statements`` (SQL with %s placeholders, params) in order, in the caller's
    transaction; one result per statement."""
    results: list[Result] = []
    with db.cursor() as cursor:
        if db.vendor != "postgresql" or len(statements) == 1:
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(Result(cursor.fetchall() if cursor.description else None, cursor.rowcount))
            return results
        cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
        raw = cursor.cursor
        for index in range(len(statements)):
            if index:
                raw.nextset()
            results.append(Result(raw.fetchall() if raw.description else None, raw.rowcount))
    return results
