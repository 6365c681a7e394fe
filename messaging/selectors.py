"""Reads of conversations: pages of messages (opened for their viewer, audited) for the API,
the thread page and the record, and unread counts for other pages (no message text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, IntegerField, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from paceway.accounts.access import caseload_patient_ids, is_assigned
from paceway.accounts.roles import is_patient, is_therapist
from paceway.audit.services import audit

from .access import require_participant
from .frames import clean_limit, clean_seq
from .models import Conversation, Message, ReadReceipt
from .sealing import key_for, open_message, serialize

if TYPE_CHECKING:
    from paceway.accounts.models import User


@dataclass
class Page:
    conversation_id: int | None
    messages: list[dict[str, Any]] = field(default_factory=list)
    limited: bool = False
    next_after_seq: int | None = None
    last_seq: int = 0


def conversation_of(patient: User) -> Conversation | None:
    return Conversation.objects.filter(patient_id=patient.pk).select_related("data_key").first()


def where_it_stands(*, user: User, patient: User) -> tuple[int | None, int, int]:
    """(conversation id or None, its last seq, ``user``'s read marker) in one query: what a
    socket's "ready" frame says at connect."""
    marker = ReadReceipt.objects.filter(conversation=OuterRef("pk"), user_id=user.pk).values("last_read_seq")[:1]
    row = (
        Conversation.objects.filter(patient_id=patient.pk)
        .annotate(read=Subquery(marker))
        .values_list("pk", "last_seq", "read")
        .first()
    )
    if row is None:
        return None, 0, 0
    pk, last_seq, read = row
    return int(pk), int(last_seq), int(read or 0)


def last_read_seq(*, user: User, conversation: Conversation | None) -> int:
    if conversation is None:
        return 0
    value = (
        ReadReceipt.objects.filter(conversation=conversation, user_id=user.pk)
        .values_list("last_read_seq", flat=True)
        .first()
    )
    return int(value or 0)


def list_messages(
    *,
    user: Any,
    patient: Any,
    after_seq: Any = 0,
    limit: Any = None,
    audit_action: str | None = "message.list",
) -> Page:
    """Messages with seq > after_seq, oldest first, at most ``limit``; ``limited`` when more
    remain (then ``next_after_seq`` is the token to ask with)."""
    after_seq = clean_seq(after_seq)
    limit = clean_limit(limit)
    require_participant(user, patient)
    conversation = conversation_of(patient)
    if conversation is None:
        return Page(conversation_id=None)
    rows = list(
        Message.objects.filter(conversation=conversation, seq__gt=after_seq)
        .select_related("sender")
        .order_by("seq")[: limit + 1]
    )
    limited = len(rows) > limit
    rows = rows[:limit]
    page = Page(conversation_id=conversation.pk, limited=limited, last_seq=conversation.last_seq)
    if rows:
        key = key_for(conversation)
        page.messages = [serialize(m, open_message(key, m), viewer=user, patient_id=patient.pk) for m in rows]
    if limited:
        page.next_after_seq = rows[-1].seq
    if audit_action:
        audit(actor=user, action=audit_action, patient=patient, obj=conversation)
    return page


def recent_messages(*, user: User, patient: User, limit: int = 100) -> Page:
    """The latest ``limit`` messages (for the thread page), oldest first."""
    require_participant(user, patient)
    conversation = conversation_of(patient)
    if conversation is None:
        return Page(conversation_id=None)
    rows = list(
        Message.objects.filter(conversation=conversation).select_related("sender").order_by("-seq")[: limit + 1]
    )
    older = len(rows) > limit
    rows = list(reversed(rows[:limit]))
    key = key_for(conversation) if rows else b""
    page = Page(conversation_id=conversation.pk, limited=older, last_seq=conversation.last_seq)
    page.messages = [serialize(m, open_message(key, m), viewer=user, patient_id=patient.pk) for m in rows]
    audit(actor=user, action="message.list", patient=patient, obj=conversation)
    return page


def _read_marker(user_id: int) -> Coalesce:
    marker = ReadReceipt.objects.filter(conversation=OuterRef("conversation"), user_id=user_id).values("last_read_seq")[
        :1
    ]
    return Coalesce(Subquery(marker, output_field=IntegerField()), Value(0))


def patient_unread_count(patient: User) -> int:
    """Messages from the care team the patient has not read yet."""
    if not is_patient(patient):
        return 0
    return (
        Message.objects.filter(conversation__patient_id=patient.pk)
        .exclude(sender_id=patient.pk)
        .annotate(read_upto=_read_marker(patient.pk))
        .filter(seq__gt=F("read_upto"))
        .count()
    )


def caseload_unread_counts(therapist: User, patient_ids: list[int] | None = None) -> dict[int, int]:
    """{patient_id: messages from that patient the therapist has not read}, one query."""
    if not is_therapist(therapist):
        return {}
    allowed = set(caseload_patient_ids(therapist))
    ids = list(allowed if patient_ids is None else allowed.intersection(patient_ids))
    if not ids:
        return {}
    rows = (
        Message.objects.filter(conversation__patient_id__in=ids, sender_id=F("conversation__patient_id"))
        .annotate(read_upto=_read_marker(therapist.pk))
        .filter(seq__gt=F("read_upto"))
        .values("conversation__patient_id")
        .annotate(n=Count("pk"))
    )
    counts = {pid: 0 for pid in ids}
    counts.update({row["conversation__patient_id"]: row["n"] for row in rows})
    return counts


def unread_count(user: User, patient: User) -> int:
    """Unread messages in one patient's conversation for the patient or their therapist."""
    if is_patient(user) and user.pk == patient.pk:
        return patient_unread_count(patient)
    if is_therapist(user) and is_assigned(user, patient):
        return caseload_unread_counts(user, [patient.pk]).get(patient.pk, 0)
    return 0


def last_seqs(patient_ids: list[int]) -> dict[int, int]:
    """Each conversation's newest seq by patient id (one query; no message text): what the
    sockets of a process compare their cursors with, to catch up on a lost doorbell."""
    found: dict[int, int] = {}
    for start in range(0, len(patient_ids), 1000):
        rows = Conversation.objects.filter(patient_id__in=patient_ids[start : start + 1000])
        found.update(rows.values_list("patient_id", "last_seq"))
    return found


def awaiting_reply(therapist: User, patient_ids: list[int] | None = None) -> dict[int, tuple[Any, int]]:
    """{patient_id: (since, count)} for the therapist's patients whose newest messages have no
    reply from the care team yet: ``since`` is the oldest unanswered message's time. One query,
    no message text."""
    if not is_therapist(therapist):
        return {}
    allowed = set(caseload_patient_ids(therapist))
    ids = list(allowed if patient_ids is None else allowed.intersection(patient_ids))
    if not ids:
        return {}
    last_reply = (
        Message.objects.filter(conversation=OuterRef("conversation"))
        .exclude(sender_id=OuterRef("conversation__patient_id"))
        .order_by("-seq")
        .values("seq")[:1]
    )
    rows = (
        Message.objects.filter(conversation__patient_id__in=ids, sender_id=F("conversation__patient_id"))
        .annotate(replied_upto=Coalesce(Subquery(last_reply, output_field=IntegerField()), Value(0)))
        .filter(seq__gt=F("replied_upto"))
        .values("conversation__patient_id")
        .annotate(since=Min("created_at"), n=Count("pk"))
    )
    return {row["conversation__patient_id"]: (row["since"], row["n"]) for row in rows}
