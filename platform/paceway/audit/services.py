"""Writing audit events. One call declares what is audited:

    audit(actor=request.user, action="diary.read", patient=patient, obj=entry)

It runs in the caller's transaction; if it fails, the caller fails and no data is served.
Code that audits many reads or writes in one transaction (the messaging sockets' group commit)
collects the events in its ``messaging.round.Round`` (passed as an argument, no thread-local) and
appends them together with ``append_events``, in four statements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.utils import timezone

from paceway import sqlscript

from .chain import GENESIS, WRONG_KEY, chain_for, key_matches, link
from .context import client_ip_var, request_id_var
from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from paceway.accounts.models import User
    from paceway.typing import RequestUser

EVENTS = AuditEvent._meta.db_table
HEADS = AuditChainHead._meta.db_table


def audit(
    *,
    actor: RequestUser | None,
    action: str,
    patient: User | int | None = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: int | str = "",
    savepoint: bool = True,
) -> AuditEvent:
    """``savepoint=False`` (inside a caller's transaction) skips the nested savepoint: a failure
    then marks the caller's whole transaction for rollback, which is what a caller wants that
    fails with its audit anyway."""
    event = build_event(actor, action, patient, obj, object_type, object_id)
    with transaction.atomic(savepoint=savepoint):
        append_events([event])
    return event


class WrongAuditKeyError(RuntimeError):
    pass


_key_checked: set[str] = set()


def _ensure_right_key() -> None:
    """Never extend the log under a wrong AUDIT_HMAC_KEY (checked once per process and key):
    its rows could not be verified later, with either key."""
    from django.conf import settings

    key = str(settings.AUDIT_HMAC_KEY)
    if key in _key_checked:
        return
    if key_matches() is False:
        raise WrongAuditKeyError(WRONG_KEY + " Nothing was written to the log.")
    _key_checked.add(key)


def append_events(events: list[AuditEvent]) -> None:
    """Chain and store ``events`` in the caller's transaction, in two round trips on PostgreSQL
    however many there are: lock the heads of their chains (in a fixed order, so appenders
    never deadlock) and take the ids (the MAC covers the primary key); then insert the sealed
    rows and move the heads."""
    _ensure_right_key()
    db = connections[router.db_for_write(AuditEvent)]
    heads, ids = _locked_heads_and_ids(db, sorted({event.chain for event in events}), len(events))
    for event, pk in zip(events, ids, strict=True):
        head = heads[event.chain]
        event.pk = pk
        event.mac = link(head[1] or GENESIS, event)
        head[0], head[1] = pk, event.mac
    sqlscript.run(db, [_insert(db, events), _move_heads(db, heads)])


def _locked_heads_and_ids(db: Any, chains: list[int], count: int) -> tuple[dict[int, list[Any]], list[int]]:
    """{chain: [last_event_id, mac]}, locked until commit (a chain's head is created with its
    first event), and the next ``count`` ids of the audit table, taken after the locks, so a
    chain's rows are in id order. (SQLite needs no row lock: its transactions take the write
    lock at BEGIN.)"""
    params = [chain + 1 for chain in chains]
    chosen, chosen_params = sqlscript.any_of(db, "id", params)
    heads = f"SELECT id, last_event_id, mac FROM {HEADS} WHERE {chosen} ORDER BY id"  # noqa: S608
    if db.features.has_select_for_update:
        heads += " FOR UPDATE"
    found, ids = sqlscript.run(db, [(heads, chosen_params), _new_ids(db, count)])
    if len(found.rows or []) < len(chains):
        AuditChainHead.objects.using(db.alias).bulk_create(
            [AuditChainHead(pk=pk, mac=GENESIS) for pk in params], ignore_conflicts=True
        )
        # Ids again, taken now that every head is locked (the first ones are left as a gap).
        found, ids = sqlscript.run(db, [(heads, chosen_params), _new_ids(db, count)])
    id_rows = ids.rows or []
    if db.vendor == "postgresql":
        new_ids = sorted(row[0] for row in id_rows)
    else:
        # Predicted ids: safe only because SQLite has a single writer (the write lock is taken at
        # BEGIN, see above), so nobody can insert between reading the last id and our INSERT.
        new_ids = list(range(id_rows[0][0] + 1, id_rows[0][0] + 1 + count))
    return {pk - 1: [last_id, mac] for pk, last_id, mac in found.rows or []}, new_ids


def _new_ids(db: Any, count: int) -> tuple[str, list[Any]]:
    """PostgreSQL: ``count`` ids from the sequence. SQLite: the last id, from which the next ones
    are predicted; that assumes a single writer (``transaction_mode`` IMMEDIATE in the settings)."""
    if db.vendor == "postgresql":
        return "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [EVENTS, count]
    # SQLite (AUTOINCREMENT): the last id, past both the highest ever handed out and the highest row.
    highest = f"SELECT MAX(id) FROM {EVENTS}"  # noqa: S608 (model table name)
    handed_out = "SELECT seq FROM sqlite_sequence WHERE name = %s"
    return f"SELECT MAX(COALESCE(({handed_out}), 0), COALESCE(({highest}), 0))", [EVENTS]


_COLUMNS = [
    ("id", "bigint"),
    ("created_at", "timestamptz"),
    ("actor_id", "bigint"),
    ("actor_role", "text"),
    ("patient_id", "bigint"),
    ("action", "text"),
    ("object_type", "text"),
    ("object_id", "text"),
    ("client_ip", "text"),
    ("request_id", "text"),
    ("chain", "smallint"),
    ("mac", "text"),
]


def _insert(db: Any, events: list[AuditEvent]) -> tuple[str, list[Any]]:
    rows = [
        (
            e.pk,
            db.ops.adapt_datetimefield_value(e.created_at),
            e.actor_id,
            e.actor_role,
            e.patient_id,
            e.action,
            e.object_type,
            e.object_id,
            e.client_ip,
            e.request_id,
            e.chain,
            e.mac,
        )
        for e in events
    ]
    new, params = sqlscript.rows_cte(db, "new", _COLUMNS, rows)
    names = ", ".join(name for name, _type in _COLUMNS)
    return f"{new} INSERT INTO {EVENTS} ({names}) SELECT {names} FROM new", params  # noqa: S608


def _move_heads(db: Any, heads: dict[int, list[Any]]) -> tuple[str, list[Any]]:
    rows = [(chain + 1, last_id, mac) for chain, (last_id, mac) in heads.items()]
    moved, params = sqlscript.rows_cte(db, "moved", [("id", "bigint"), ("last_id", "bigint"), ("mac", "text")], rows)
    sql = (
        f"{moved} UPDATE {HEADS} SET last_event_id = moved.last_id, mac = moved.mac"  # noqa: S608
        f" FROM moved WHERE {HEADS}.id = moved.id"
    )
    return sql, params


def build_event(
    actor: RequestUser | None,
    action: str,
    patient: User | int | None,
    obj: Model | None,
    object_type: str,
    object_id: int | str,
) -> AuditEvent:
    """An unsaved event: ``audit`` appends it at once, the messaging round (``append_events``) with
    the rest of its transaction's events."""
    signed_in = actor if actor is not None and actor.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj.__class__.__name__
        object_id = object_id or obj.pk
    patient_id = patient.pk if isinstance(patient, Model) else patient
    actor_id = signed_in.pk if signed_in is not None else None
    return AuditEvent(
        chain=chain_for(patient_id=patient_id, actor_id=actor_id),
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_role=str(signed_in.role) if signed_in is not None else "",
        patient_id=patient_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        client_ip=client_ip_var.get(),
        request_id=request_id_var.get(),
        mac="pending",
    )
