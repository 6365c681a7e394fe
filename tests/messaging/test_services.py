from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import errors, frames, selectors, services
from messaging.models import Conversation, Message
from paceway.accounts import services as account_services
from paceway.audit.models import AuditEvent

from .helpers import send


def test_it_assigns_increasing_seq_and_lists_in_order(personas):
    for i in range(5):
        who = personas.patient if i % 2 == 0 else personas.therapist
        send(who, personas.patient, body=f"message {i}")
    page = selectors.list_messages(user=personas.therapist, patient=personas.patient)
    assert [m["seq"] for m in page.messages] == [1, 2, 3, 4, 5]
    assert [m["body"] for m in page.messages] == [f"message {i}" for i in range(5)]
    assert page.limited is False and page.next_after_seq is None
    assert Conversation.objects.get(patient=personas.patient).last_seq == 5


def test_it_answers_a_retry_with_the_original_seq(personas):
    first, created = services.send_message(
        sender=personas.patient, patient=personas.patient, client_id="abc-1", body="once"
    )
    send(personas.therapist, personas.patient)
    again, created_again = services.send_message(
        sender=personas.patient, patient=personas.patient, client_id="abc-1", body="once"
    )
    assert created and not created_again
    assert again.pk == first.pk and again.seq == first.seq == 1
    assert Message.objects.count() == 2


def test_it_keeps_client_ids_per_sender(personas):
    a, _ = services.send_message(sender=personas.patient, patient=personas.patient, client_id="same", body="p")
    b, created = services.send_message(sender=personas.therapist, patient=personas.patient, client_id="same", body="t")
    assert created and (a.seq, b.seq) == (1, 2)


def test_it_pages_with_limited_and_a_next_token(personas):
    for i in range(7):
        send(personas.patient, personas.patient, body=str(i))
    seen, after, pages = [], 0, 0
    while True:
        page = selectors.list_messages(user=personas.patient, patient=personas.patient, after_seq=after, limit=3)
        pages += 1
        seen += [m["seq"] for m in page.messages]
        if not page.limited:
            break
        after = page.next_after_seq
    assert seen == list(range(1, 8)) and pages == 3


@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "admin"])
def test_it_refuses_outsiders(personas, who):
    send(personas.patient, personas.patient, body="private")
    outsider = getattr(personas, who)
    with pytest.raises(errors.NotAllowed):
        services.send_message(sender=outsider, patient=personas.patient, client_id="x", body="hi")
    with pytest.raises(errors.NotAllowed):
        selectors.list_messages(user=outsider, patient=personas.patient)
    with pytest.raises(errors.NotAllowed):
        services.mark_read(user=outsider, patient=personas.patient, seq=1)
    assert Message.objects.count() == 1


def test_a_patient_cannot_write_into_another_patients_conversation(personas):
    with pytest.raises(errors.NotAllowed):
        services.send_message(sender=personas.stranger, patient=personas.patient, client_id="x", body="y")


def test_reassignment_moves_the_history_to_the_new_therapist(personas):
    send(personas.therapist, personas.patient, body="from the first therapist")
    send(personas.patient, personas.patient, body="reply")
    account_services.assign_patient(
        actor=personas.admin,
        patient=personas.patient,
        therapist=personas.unassigned_therapist,
        reason="leave",
    )
    page = selectors.list_messages(user=personas.unassigned_therapist, patient=personas.patient)
    assert [m["body"] for m in page.messages] == ["from the first therapist", "reply"]
    with pytest.raises(errors.NotAllowed):
        selectors.list_messages(user=personas.therapist, patient=personas.patient)
    with pytest.raises(errors.NotAllowed):
        send(personas.therapist, personas.patient)


@pytest.mark.parametrize(
    ("client_id", "body", "field"),
    [
        ("ok", "", "body"),
        ("ok", "   \n ", "body"),
        ("ok", "x" * (frames.MAX_BODY_CHARS + 1), "body"),
        ("ok", "nul\x00byte", "body"),
        ("ok", 42, "body"),
        ("", "hi", "client_id"),
        ("has space", "hi", "client_id"),
        ("x" * 65, "hi", "client_id"),
        (None, "hi", "client_id"),
    ],
)
def test_it_validates_input(personas, client_id, body, field):
    with pytest.raises(errors.InvalidInput) as exc:
        services.send_message(sender=personas.patient, patient=personas.patient, client_id=client_id, body=body)
    assert exc.value.field == field
    assert Message.objects.count() == 0


def test_it_accepts_the_maximum_length(personas):
    message = send(personas.patient, personas.patient, body="é" * frames.MAX_BODY_CHARS)
    assert message.seq == 1


def test_it_audits_sends_and_reads_without_text(personas):
    send(personas.patient, personas.patient, body="my secret pain story")
    selectors.list_messages(user=personas.therapist, patient=personas.patient)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "message.send" in actions and "message.list" in actions
    for row in AuditEvent.objects.values():
        assert "secret" not in repr(row)


def test_read_markers_and_unread_counts(personas):
    send(personas.patient, personas.patient, body="p1")
    send(personas.therapist, personas.patient, body="t1")
    send(personas.therapist, personas.patient, body="t2")
    assert selectors.patient_unread_count(personas.patient) == 2
    # The therapist's own sends moved their marker past the patient's message.
    assert selectors.caseload_unread_counts(personas.therapist) == {personas.patient.pk: 0}
    send(personas.patient, personas.patient, body="p2")
    assert selectors.caseload_unread_counts(personas.therapist) == {personas.patient.pk: 1}
    assert selectors.patient_unread_count(personas.patient) == 0  # replying reads the thread
    assert services.mark_read(user=personas.therapist, patient=personas.patient, seq=99) == 4
    assert selectors.caseload_unread_counts(personas.therapist) == {personas.patient.pk: 0}
    # Markers never move back.
    assert services.mark_read(user=personas.therapist, patient=personas.patient, seq=1) == 4
    assert selectors.unread_count(personas.unassigned_therapist, personas.patient) == 0


def test_caseload_unread_counts_is_one_query(personas):
    send(personas.patient, personas.patient)
    with CaptureQueriesContext(connection) as ctx:
        selectors.caseload_unread_counts(personas.therapist)
    assert len(ctx.captured_queries) <= 3


@pytest.mark.django_db(transaction=True)
def test_a_send_commits_when_the_channel_layer_is_down(personas, monkeypatch):
    from channels.layers import get_channel_layer

    async def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(get_channel_layer(), "group_send", broken)
    message, created = services.send_message(
        sender=personas.patient, patient=personas.patient, client_id="down-1", body="still stored"
    )
    assert created and message.seq == 1
    assert Message.objects.filter(pk=message.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_channel_layer_carries_no_text(personas, layer_traffic):
    send(personas.patient, personas.patient, body="Zebra-unique-words in my body")
    services.mark_read(user=personas.therapist, patient=personas.patient, seq=1)
    assert layer_traffic, "a push was expected after commit"
    assert {event["type"] for _, event in layer_traffic} == {"messaging.new", "messaging.read"}
    for group, event in layer_traffic:
        assert "Zebra" not in repr(event) and "Zebra" not in group
        assert set(event) <= {"type", "conversation_id", "seq", "user_id"}


def test_no_push_before_commit(personas, layer_traffic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(personas.patient, personas.patient)
    assert layer_traffic == [] and len(callbacks) == 1


@pytest.mark.skipif(not __import__("os").environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_send_rate_counts_in_redis_across_a_round(settings):
    import os
    import time
    import uuid

    from django.core.cache import cache

    from messaging import limits

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.MESSAGING_SEND_RATE = (3, 3600)  # one window for the whole test
    verdicts = limits.allow_sends([7, 7, 8, 7]) + limits.allow_sends([7, 8])
    assert [allowed for allowed, _ in verdicts] == [True, True, True, True, False, True]
    assert all(1 <= retry_after <= 3600 for _, retry_after in verdicts)
    # Plain Redis integers under Django's keys: the cache API reads the same counters.
    assert cache.get(f"messaging:rate:7:{int(time.time() // 3600)}") == 4
