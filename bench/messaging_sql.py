"""The store's written-out SQL beside the best ORM equivalent, statement by statement.

One group-commit round of 50 conversations (one message each, as at 50 busy conversations),
timed in this process (median of 30, milliseconds per round, in a transaction rolled back at the
end). The figures are the ones quoted beside each statement in ``messaging/store.py``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paceway_sqlbench .venv/bin/python bench/messaging_sql.py
"""

from __future__ import annotations

import functools
import operator
import os
import uuid

from _setup import django_setup, median_ms

os.environ.setdefault("LOG_LEVEL", "WARNING")
django_setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from messaging import store  # noqa: E402
from messaging.models import Conversation, Message, ReadReceipt  # noqa: E402
from paceway import sqlscript  # noqa: E402
from paceway.accounts.models import User  # noqa: E402

CONVERSATIONS = 50


class _Rollback(Exception):
    pass


def main() -> None:
    tag = uuid.uuid4().hex[:8]
    patients = [
        User.objects.create_user(f"p{i}-{tag}@bench.invalid", role="patient", display_name=f"P{i}")
        for i in range(CONVERSATIONS)
    ]
    conversations = [store.conversation_for(p) for p in patients]
    for c, p in zip(conversations, patients, strict=True):
        ReadReceipt.objects.create(conversation=c, user_id=p.pk, last_read_seq=0)
    db = connection
    by_patient = {p.pk: p for p in patients}
    ids = [c.pk for c in conversations]
    seq = iter(range(1, 10**6))

    def jobs() -> list[store.Outgoing]:
        out = []
        for p in patients:
            job = store.Outgoing(sender_id=p.pk, client_id=uuid.uuid4().hex, body="x")
            job.sender, job.patient = p, p
            out.append(job)
        return out

    def messages() -> list[Message]:
        n, now = next(seq), timezone.now()
        return [
            Message(
                conversation_id=c.pk,
                sender_id=c.patient_id,
                client_id=f"{n}-{c.pk}",
                seq=n,
                ciphertext=b"x" * 200,
                created_at=now,
            )
            for c in conversations
        ]

    results: list[tuple[str, float, float]] = []
    try:
        with transaction.atomic():
            # Lock the conversations and find retries: one round trip (two statements).
            def lock_raw() -> None:
                store._lock_conversations(db, by_patient, jobs())

            def lock_orm() -> None:
                js = jobs()
                list(
                    Conversation.objects.select_for_update()
                    .filter(patient_id__in=list(by_patient))
                    .order_by("id")
                    .values_list("id", "patient_id", "last_seq", "erased_at", "data_key_id")
                )
                list(
                    Message.objects.filter(
                        conversation__patient_id__in=list(by_patient),
                        sender_id__in=sorted({j.sender.pk for j in js}),
                        client_id__in=sorted({j.client_id for j in js}),
                    ).values_list("id", "sender_id", "client_id")
                )

            results.append(("lock + retries", median_ms(lock_raw), median_ms(lock_orm)))

            # Insert, move last_seq, advance the senders' markers: one round trip (three statements).
            def write_raw() -> None:
                ms = messages()
                marks = {(m.conversation_id, m.sender_id): m.seq for m in ms}
                sqlscript.run(
                    db,
                    [
                        store._insert(db, ms),
                        store._move_conversations(db, {m.conversation_id: m.seq for m in ms}),
                        store._advance_senders(db, marks, timezone.now()),
                    ],
                )

            def write_orm() -> None:
                ms = messages()
                Message.objects.bulk_create(ms)
                moved = [Conversation(pk=m.conversation_id, last_seq=m.seq) for m in ms]
                Conversation.objects.bulk_update(moved, ["last_seq"])
                now = timezone.now()
                for m in ms:
                    ReadReceipt.objects.filter(
                        conversation_id=m.conversation_id, user_id=m.sender_id, last_read_seq__lt=m.seq
                    ).update(last_read_seq=m.seq, updated_at=now)

            results.append(("insert + move + mark", median_ms(write_raw), median_ms(write_orm)))

            # Read the page after each socket's cursor (the last 3 messages of each conversation).
            top = next(seq) - 1

            def read_raw() -> None:
                requests = [
                    store.PageRequest(after_seq=top - 3, limit=200, audit_action=None, conversation_id=i) for i in ids
                ]
                store._rows_after(db, requests)

            def read_orm() -> None:
                wanted = functools.reduce(
                    operator.or_, [Q(conversation_id=i, seq__gt=top - 3, seq__lte=top + 198) for i in ids]
                )
                for m in (
                    Message.objects.filter(wanted)
                    .select_related("sender", "conversation")
                    .order_by("conversation_id", "seq")
                ):
                    m.sender.name  # noqa: B018 - what the page shows

            results.append(("pages after cursors", median_ms(read_raw), median_ms(read_orm)))

            def seqs_raw() -> None:
                store._last_seqs(db, set(ids))

            def seqs_orm() -> None:
                dict(Conversation.objects.filter(id__in=ids).values_list("id", "last_seq"))

            results.append(("last seqs", median_ms(seqs_raw), median_ms(seqs_orm)))
            raise _Rollback
    except _Rollback:
        pass
    print(f"database: {db.vendor}; {CONVERSATIONS} conversations, one message each per round")
    print(f"{'statements':24} {'raw ms':>8} {'ORM ms':>8} {'ORM/raw':>8}")
    for name, raw, orm in results:
        print(f"{name:24} {raw:8.2f} {orm:8.2f} {orm / raw:8.2f}")


if __name__ == "__main__":
    main()
