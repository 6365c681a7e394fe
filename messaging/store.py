"""The sockets' hot path: store many messages, or read many pages, in a few statements.

The group commit (``group_commit``) hands over everything the process's sockets queued since
its last round; ``services.send_message`` uses the same code for one message. Below the
services (which add the policy: who may, how fast); never importing them. The statements
are written out (the ORM's query building cost more than the database did), with every value a
bound parameter and every table name taken from the models. Each one's measured gain is noted
beside it (``bench/messaging_sql.py``: one round of 50 conversations, median ms per round,
written out vs the best ORM equivalent).

On SQLite there is no row lock: the next seq (``last_seq + 1``) is predicted from a plain read,
which is safe only because SQLite has a single writer (``transaction_mode`` IMMEDIATE in the
settings takes the write lock at BEGIN, so nobody can commit between the read and the insert).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from paceway import sqlscript
from paceway.accounts import hooks
from paceway.accounts.models import User
from paceway.keyring.models import DataKey
from paceway.keyring.services import create_data_key, unwrap

from .errors import ConversationClosed, MessagingError
from .models import Conversation, Message, ReadReceipt
from .round import Round
from .sealing import open_message, seal, serialize
from .selectors import Page, conversation_of

CONVERSATIONS = Conversation._meta.db_table
MESSAGES = Message._meta.db_table
RECEIPTS = ReadReceipt._meta.db_table
USERS = User._meta.db_table


@dataclass
class Outgoing:
    """One message to store: the caller fills ``sender`` and ``patient`` after its access
    check, with ``client_id`` and ``body`` already cleaned. ``keys`` is the caller's cache of
    unwrapped data keys by conversation id, read and filled here."""

    sender_id: int
    client_id: str
    body: str
    keys: dict[int, bytes] = field(default_factory=dict)
    sender: Any = None
    patient: Any = None
    message: Message | None = None
    created: bool = False
    error: Exception | None = None

    def take_participants(self, user: Any, patient: Any) -> None:
        self.sender, self.patient = user, patient


@dataclass
class PageRequest:
    """A socket's read of what follows ``after_seq``: the caller fills ``user`` and
    ``patient`` after its access check; ``keys`` caches unwrapped data keys."""

    after_seq: int
    limit: int
    audit_action: str | None
    max_bytes: int | None = None  # a page's text, roughly: a socket's frames have a size limit
    conversation_id: int | None = None
    keys: dict[int, bytes] = field(default_factory=dict)
    user: Any = None
    patient: Any = None
    page: Page | None = None
    error: Exception | None = None

    def take_participants(self, user: Any, patient: Any) -> None:
        self.user, self.patient = user, patient


@dataclass
class _Locked:
    id: int
    last_seq: int
    erased: bool
    data_key_id: Any


def _db() -> Any:
    return connections[router.db_for_write(Message)]


# Rows ---------------------------------------------------------------------------------------------


def conversation_for(patient: Any) -> Conversation:
    """The patient's conversation, created with its own data key on first use."""
    existing = conversation_of(patient)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            data_key = create_data_key(purpose="messaging.conversation")
            return Conversation.objects.create(patient_id=patient.pk, data_key=data_key)
    except IntegrityError:  # created concurrently
        return Conversation.objects.select_related("data_key").get(patient_id=patient.pk)


def advance_receipt(conversation: Conversation, user: Any, seq: int) -> bool:
    """Move the marker forward; one UPDATE when the receipt exists (the usual case)."""
    receipts = ReadReceipt.objects.filter(conversation=conversation, user_id=user.pk)
    if receipts.filter(last_read_seq__lt=seq).update(last_read_seq=seq, updated_at=timezone.now()):
        return True
    receipt, created = ReadReceipt.objects.get_or_create(
        conversation=conversation, user_id=user.pk, defaults={"last_read_seq": seq}
    )
    if created:
        return True
    if receipt.last_read_seq >= seq:
        return False
    return bool(  # created concurrently between the UPDATE and get_or_create
        ReadReceipt.objects.filter(pk=receipt.pk, last_read_seq__lt=seq).update(
            last_read_seq=seq, updated_at=timezone.now()
        )
    )


# Sends ------------------------------------------------------------------------------------------


def store_messages(jobs: list[Outgoing], round: Round | None = None) -> None:
    """Store each job's message in the caller's transaction.

    Idempotent per (conversation, sender, client_id): a retry gets the original message and
    ``created`` False. Sequence numbers are assigned under row locks on the conversations: seq
    n+1 is only handed out after the transaction holding n has committed, so "seq > last seen"
    never skips a row, and seqs are dense. A job that cannot be stored gets ``error``. The push
    to open sockets goes out on commit and may fail without failing the send.

    Audit events and doorbells go into ``round``; without one, they are written now and rung on
    commit."""
    if not jobs:
        return
    if round is None:
        own = Round()
        store_messages(jobs, own)
        own.finish_alone()
        return
    db = _db()
    conversations, earlier = _lock_conversations(db, {job.patient.pk: job.patient for job in jobs}, jobs)
    locked_seq = {c.id: c.last_seq for c in conversations.values()}
    now = timezone.now()
    new: list[Outgoing] = []
    for job in jobs:
        conversation = conversations[job.patient.pk]
        found = earlier.get((conversation.id, job.sender.pk, job.client_id))
        if found is not None:
            job.message, job.created = found, False
        elif conversation.erased:
            job.error = ConversationClosed(_("This conversation was erased."))
        else:
            # Predicted seq: the row lock on PostgreSQL; on SQLite only its single writer (see top).
            conversation.last_seq += 1
            job.message, job.created = _sealed(conversation, job, now), True
            earlier[(conversation.id, job.sender.pk, job.client_id)] = job.message
            new.append(job)
    if not new:
        return
    messages = [job.message for job in new if job.message is not None]
    moved = {c.id: c.last_seq for c in conversations.values() if c.last_seq != locked_seq[c.id]}
    marks = _read_marks(new)
    inserted, _moved, advanced = sqlscript.run(
        db, [_insert(db, messages), _move_conversations(db, moved), _advance_senders(db, marks, now)]
    )
    assert inserted.rows is not None
    ids = {(conversation_id, seq): pk for pk, conversation_id, seq in inserted.rows}
    for m in messages:
        m.pk = ids[(m.conversation_id, m.seq)]
    if advanced.rowcount < len(marks):  # someone's first message: create (or catch up) their receipt
        users = {job.sender.pk: job.sender for job in new}
        for (conversation_id, user_id), seq in marks.items():
            advance_receipt(Conversation(pk=conversation_id), users[user_id], seq)
    for job in new:
        # No savepoint of its own: a failed audit fails (and rolls back) the whole send.
        round.audit(actor=job.sender, action="message.send", patient=job.patient, obj=job.message)
    for job in new:
        if job.sender.pk == job.patient.pk:  # the patient's own words: screened for possible risk
            hooks.free_text_written(job.patient, "message", [job.body])
    # One doorbell per conversation, for its newest message: a socket reads all it has missed.
    newest = {(job.patient.pk, stored.conversation_id): stored.seq for job in new if (stored := job.message)}
    round.doorbells += [(patient_id, conversation_id, seq) for (patient_id, conversation_id), seq in newest.items()]
    round.stored += len(new)


def _lock_conversations(
    db: Any, patients: dict[int, Any], jobs: list[Outgoing]
) -> tuple[dict[int, _Locked], dict[tuple[int, int, str], Message]]:
    """The patients' conversations (created on first use), locked FOR UPDATE in id order, and
    the messages already stored under the jobs' client ids (retries) by (conversation, sender,
    client_id): one round trip on PostgreSQL, and the earlier rows themselves only if any."""
    # Raw SQL: lock + retries in one round trip, 0.64-0.78 ms vs ORM 2.2-3.3 ms (PostgreSQL; SQLite 0.37 vs 1.49).
    of_patients, patient_params = sqlscript.any_of(db, "patient_id", list(patients))
    lock = (
        f"SELECT id, patient_id, last_seq, erased_at, data_key_id FROM {CONVERSATIONS}"  # noqa: S608
        f" WHERE {of_patients} ORDER BY id"
    )
    if db.features.has_select_for_update:
        lock += " FOR UPDATE"  # SQLite: none; its single writer makes the seq prediction safe (see top)
    in_conversations, params = sqlscript.any_of(db, "c.patient_id", list(patients))
    by_senders, sender_params = sqlscript.any_of(db, "m.sender_id", sorted({job.sender.pk for job in jobs}))
    by_client_ids, client_params = sqlscript.any_of(db, "m.client_id", sorted({job.client_id for job in jobs}))
    earlier = (
        f"SELECT m.id, m.sender_id, m.client_id FROM {MESSAGES} m"  # noqa: S608
        f" JOIN {CONVERSATIONS} c ON c.id = m.conversation_id"
        f" WHERE {in_conversations} AND {by_senders} AND {by_client_ids}"
    )
    statements = [(lock, patient_params), (earlier, [*params, *sender_params, *client_params])]
    locked, found = sqlscript.run(db, statements)
    if locked.rows is not None and len(locked.rows) < len(patients):
        for patient_id, patient in patients.items():
            if patient_id not in {row[1] for row in locked.rows}:
                conversation_for(patient)
        locked, found = sqlscript.run(db, statements)
    assert locked.rows is not None and found.rows is not None
    conversations = {row[1]: _Locked(row[0], int(row[2]), row[3] is not None, row[4]) for row in locked.rows}
    wanted = {(job.sender.pk, job.client_id) for job in jobs}
    ids = [pk for pk, sender_id, client_id in found.rows if (sender_id, client_id) in wanted]
    rows = Message.objects.using(db.alias).select_related("sender").in_bulk(ids) if ids else {}
    return conversations, {(m.conversation_id, m.sender_id, m.client_id): m for m in rows.values()}


def _sealed(conversation: _Locked, job: Outgoing, now: datetime.datetime) -> Message:
    key = job.keys.get(conversation.id)
    if key is None:
        key = job.keys[conversation.id] = unwrap(DataKey.objects.get(pk=conversation.data_key_id))
    seq = conversation.last_seq
    return Message(
        conversation_id=conversation.id,
        sender=job.sender,
        client_id=job.client_id,
        seq=seq,
        ciphertext=seal(key, conversation.id, seq, job.sender.pk, job.client_id, job.body),
        created_at=now,
    )


_MESSAGE_COLUMNS = [
    ("conversation_id", "bigint"),
    ("sender_id", "bigint"),
    ("client_id", "text"),
    ("seq", "bigint"),
    ("ciphertext", "bytea"),
    ("created_at", "timestamptz"),
]


# Raw SQL (_insert, _move_conversations, _advance_senders): one round trip for the three, 2.6-3.0 ms vs
# ORM 29-44 ms (bulk_create, bulk_update, an UPDATE per read marker) on PostgreSQL; SQLite 1.2 vs 21.7.
def _insert(db: Any, messages: list[Message]) -> tuple[str, list[Any]]:
    rows = [
        (
            m.conversation_id,
            m.sender_id,
            m.client_id,
            m.seq,
            m.ciphertext,
            db.ops.adapt_datetimefield_value(m.created_at),
        )
        for m in messages
    ]
    new, params = sqlscript.rows_cte(db, "new", _MESSAGE_COLUMNS, rows)
    names = ", ".join(name for name, _type in _MESSAGE_COLUMNS)
    sql = f"{new} INSERT INTO {MESSAGES} ({names}) SELECT {names} FROM new RETURNING id, conversation_id, seq"  # noqa: S608
    return sql, params


def _move_conversations(db: Any, last_seqs: dict[int, int]) -> tuple[str, list[Any]]:
    moved, params = sqlscript.rows_cte(db, "moved", [("id", "bigint"), ("last_seq", "bigint")], list(last_seqs.items()))
    sql = f"{moved} UPDATE {CONVERSATIONS} SET last_seq = moved.last_seq FROM moved WHERE {CONVERSATIONS}.id = moved.id"  # noqa: S608
    return sql, params


def _read_marks(jobs: list[Outgoing]) -> dict[tuple[int, int], int]:
    """Each sender has read up to their own latest message: (conversation, user) -> seq."""
    marks: dict[tuple[int, int], int] = {}
    for job in jobs:
        assert job.message is not None
        marks[(job.message.conversation_id, job.sender.pk)] = job.message.seq
    return marks


def _advance_senders(db: Any, marks: dict[tuple[int, int], int], now: datetime.datetime) -> tuple[str, list[Any]]:
    """One UPDATE for every sender's read marker (a sender's marker is always below a new seq,
    so it updates one row per mark unless the sender has no receipt yet)."""
    rows = [(conversation_id, user_id, seq) for (conversation_id, user_id), seq in marks.items()]
    marked, params = sqlscript.rows_cte(
        db, "marked", [("conversation_id", "bigint"), ("user_id", "bigint"), ("seq", "bigint")], rows
    )
    sql = (
        f"{marked} UPDATE {RECEIPTS} SET last_read_seq = marked.seq, updated_at = %s FROM marked"  # noqa: S608
        f" WHERE {RECEIPTS}.conversation_id = marked.conversation_id AND {RECEIPTS}.user_id = marked.user_id"
        f" AND {RECEIPTS}.last_read_seq < marked.seq"
    )
    return sql, [*params, db.ops.adapt_datetimefield_value(now)]


# Reads ------------------------------------------------------------------------------------------


def read_pages(requests: list[PageRequest], round: Round | None = None) -> None:
    """``selectors.list_messages`` for sockets that have checked access themselves and know
    their conversation: one query for every request's rows (with their sender's name and the
    conversation's ``last_seq`` joined), each message decrypted once however many sockets read
    it, and one audit event per page that has messages (or per request, for other actions than
    live delivery). Run it in a transaction: the pages must not be shown unless their audit
    events commit. The events go into ``round`` (without one, now)."""
    if round is None:
        own = Round()
        read_pages(requests, own)
        own.write_audit()
        return
    for request in requests:
        if request.conversation_id is None:
            found = conversation_of(request.patient)
            if found is None:
                request.page = Page(conversation_id=None)
            else:
                request.conversation_id = found.pk
    wanted = [r for r in requests if r.page is None]
    if not wanted:
        return
    db = _db()
    rows = _rows_after(db, wanted)
    empty = [r for r in wanted if not _window(r, rows)]
    last_seqs = _last_seqs(db, {r.conversation_id for r in empty if r.conversation_id}) if empty else {}
    opened: dict[int, str] = {}  # message id -> text: decrypted once per round, however many sockets read it
    for request in wanted:
        try:
            request.page = _page_of(request, _window(request, rows), last_seqs, opened)
        except MessagingError as exc:
            request.error = exc
            continue
        _audit_page(request, round)


@dataclass
class _Row:
    message: Message
    sender_name: str
    last_seq: int
    erased: bool
    data_key_id: Any


# Raw SQL: 5.8-7.9 ms vs ORM 18-21 ms (Q per window, select_related) on PostgreSQL; SQLite 1.3 vs 9.2.
def _rows_after(db: Any, requests: list[PageRequest]) -> dict[int, list[_Row]]:
    """Seqs are dense (see ``store_messages``), so the ``limit`` + 1 rows after ``after_seq``
    are exactly those up to ``after_seq + limit + 1``. One window per conversation (the union
    of its requests'), rows by conversation in seq order."""
    windows: dict[int, tuple[int, int]] = {}
    for r in requests:
        assert r.conversation_id is not None
        low, high = r.after_seq, r.after_seq + r.limit + 1
        if r.conversation_id in windows:
            low, high = min(low, windows[r.conversation_id][0]), max(high, windows[r.conversation_id][1])
        windows[r.conversation_id] = (low, high)
    wanted, params = sqlscript.rows_cte(
        db,
        "wanted",
        [("conversation_id", "bigint"), ("after_seq", "bigint"), ("top_seq", "bigint")],
        [(c, low, high) for c, (low, high) in windows.items()],
    )
    columns = (
        "m.id, m.conversation_id, m.sender_id, m.client_id, m.seq, m.ciphertext, m.created_at,"
        " u.display_name, u.email, c.last_seq, c.erased_at, c.data_key_id"
    )
    sql = (
        f"{wanted} SELECT {columns} FROM wanted"  # noqa: S608
        f" JOIN {MESSAGES} m ON m.conversation_id = wanted.conversation_id"
        " AND m.seq > wanted.after_seq AND m.seq <= wanted.top_seq"
        f" JOIN {CONVERSATIONS} c ON c.id = m.conversation_id"
        f" JOIN {USERS} u ON u.id = m.sender_id ORDER BY m.conversation_id, m.seq"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows: dict[int, list[_Row]] = {}
    for (
        pk,
        conversation_id,
        sender_id,
        client_id,
        seq,
        ciphertext,
        created_at,
        name,
        email,
        last_seq,
        erased_at,
        key_id,
    ) in fetched:
        message = Message(
            id=pk,
            conversation_id=conversation_id,
            client_id=client_id,
            seq=seq,
            ciphertext=bytes(ciphertext),
            created_at=_as_datetime(created_at),
            sender_id=sender_id,
        )
        sender_name = User.name_from(name, email)
        rows.setdefault(conversation_id, []).append(
            _Row(message, sender_name, int(last_seq), erased_at is not None, key_id)
        )
    return rows


def _as_datetime(value: Any) -> datetime.datetime:
    """What the database returned for a datetime column (SQLite: text, in UTC)."""
    parsed = value if isinstance(value, datetime.datetime) else parse_datetime(str(value))
    assert parsed is not None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def _window(request: PageRequest, rows: dict[int, list[_Row]]) -> list[_Row]:
    assert request.conversation_id is not None
    top = request.after_seq + request.limit + 1
    return [r for r in rows.get(request.conversation_id, []) if request.after_seq < r.message.seq <= top]


# Raw SQL: 0.43-0.57 ms vs ORM 0.80 ms (values_list) on PostgreSQL; SQLite 0.11 vs 0.29.
def _last_seqs(db: Any, conversation_ids: set[int]) -> dict[int, int]:
    chosen, params = sqlscript.any_of(db, "id", sorted(conversation_ids))
    sql = f"SELECT id, last_seq FROM {CONVERSATIONS} WHERE {chosen}"  # noqa: S608
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: int(last_seq) for pk, last_seq in cursor.fetchall()}


def _page_of(request: PageRequest, rows: list[_Row], last_seqs: dict[int, int], opened: dict[int, str]) -> Page:
    conversation_id = request.conversation_id
    assert conversation_id is not None
    if not rows:
        return Page(conversation_id=conversation_id, last_seq=last_seqs.get(conversation_id, 0))
    if rows[0].erased:
        raise ConversationClosed(_("This conversation was erased."))
    page = Page(conversation_id=conversation_id, last_seq=rows[0].last_seq)
    key = request.keys.get(conversation_id)
    if key is None:
        key = request.keys[conversation_id] = unwrap(DataKey.objects.get(pk=rows[0].data_key_id))
    size = 0
    for r in rows[: request.limit]:
        body = opened.get(r.message.id)
        if body is None:
            body = opened[r.message.id] = open_message(key, r.message)
        size += len(body.encode()) + 400  # generous for the frame's other fields
        if page.messages and request.max_bytes is not None and size > request.max_bytes:
            break  # the rest on the next page: a frame has a size limit
        page.messages.append(
            serialize(r.message, body, viewer=request.user, patient_id=request.patient.pk, sender_name=r.sender_name)
        )
    if len(page.messages) < len(rows):
        page.limited, page.next_after_seq = True, page.messages[-1]["seq"]
    return page


def _audit_page(request: PageRequest, round: Round) -> None:
    page = request.page
    assert page is not None
    if not request.audit_action or (not page.messages and request.audit_action == "message.deliver"):
        return
    seqs = f":{page.messages[0]['seq']}-{page.messages[-1]['seq']}" if page.messages else ""
    round.audit(
        actor=request.user,
        action=request.audit_action,
        patient=request.patient,
        object_type="Conversation",
        object_id=f"{page.conversation_id}{seqs}",
    )
