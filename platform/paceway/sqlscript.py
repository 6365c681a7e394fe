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


def any_of(db: Any, column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """A condition: ``column`` is one of ``values``. On PostgreSQL that is one array parameter,
    so the statement's text (and psycopg's parse of it, which it caches by text) is the same
    whatever the number of values."""
    if db.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def rows_cte(db: Any, name: str, columns: list[tuple[str, str]], rows: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """``WITH name(columns) AS (...)`` holding ``rows``, to join or select from. ``columns`` are
    (name, PostgreSQL type) pairs; on PostgreSQL each column is one array parameter (text that
    does not change with the number of rows), elsewhere the rows are a VALUES list."""
    names = ", ".join(column for column, _type in columns)
    if db.vendor == "postgresql":
        arrays = ", ".join(f"%s::{pg_type}[]" for _column, pg_type in columns)
        sql = f"WITH {name}({names}) AS (SELECT * FROM unnest({arrays}))"  # noqa: S608 (names from code)
        return sql, [list(c) for c in zip(*rows, strict=True)]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return f"WITH {name}({names}) AS (VALUES {', '.join([row] * len(rows))})", [v for r in rows for v in r]
