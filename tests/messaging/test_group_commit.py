"""The sockets' group commit: many sends and reads in one transaction, each job's answer its own,
and stored messages handed straight to the other sockets of the same process."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction

from messaging import errors, store
from messaging.group_commit import committer
from messaging.models import Conversation, Message
from paceway.audit.chain import verify
from paceway.audit.models import AuditEvent

from .helpers import send
from .wsutil import frames_until, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def outgoing(sender, patient, client_id, body="hello"):
    return store.Outgoing(sender_id=sender.pk, client_id=client_id, body=body, sender=sender, patient=patient)


def test_one_round_stores_many_messages_with_dense_seqs_and_answers_retries(personas):
    jobs = [
        outgoing(personas.patient, personas.patient, "a"),
        outgoing(personas.therapist, personas.patient, "b"),
        outgoing(personas.stranger, personas.stranger, "c"),
        outgoing(personas.patient, personas.patient, "a"),  # a retry within the same round
        outgoing(personas.patient, personas.patient, "d"),
    ]
    with transaction.atomic():
        store.store_messages(jobs)
    assert [(j.message.seq, j.created) for j in jobs] == [(1, True), (2, True), (1, True), (1, False), (3, True)]
    assert Conversation.objects.get(patient=personas.patient).last_seq == 3
    assert Message.objects.count() == 4
    assert AuditEvent.objects.filter(action="message.send").count() == 4
    assert verify().ok
    again = outgoing(personas.therapist, personas.patient, "b")
    with transaction.atomic():
        store.store_messages([again])
    assert (again.message.seq, again.created) == (2, False)


def test_reads_of_one_conversation_from_different_points_each_get_their_page(personas):
    for i in range(6):
        send(personas.therapist, personas.patient, body=f"m{i}")
    requests = [
        store.PageRequest(
            after_seq=after, limit=limit, audit_action="message.deliver", user=user, patient=personas.patient
        )
        for after, limit, user in ((0, 2, personas.patient), (4, 10, personas.therapist), (6, 10, personas.patient))
    ]
    with transaction.atomic():
        store.read_pages(requests)
    first, second, third = (r.page for r in requests)
    assert [m["body"] for m in first.messages] == ["m0", "m1"] and first.limited and first.next_after_seq == 2
    assert [m["seq"] for m in second.messages] == [5, 6] and not second.limited
    assert third.messages == [] and third.last_seq == 6
    # One audit event per page with messages; none for the empty live read.
    assert AuditEvent.objects.filter(action="message.deliver").count() == 2


def test_sockets_reading_the_same_messages_in_one_round_decrypt_each_once(personas, monkeypatch):
    for i in range(3):
        send(personas.therapist, personas.patient, body=f"m{i}")
    opened = []
    real_open = store.open_message

    def counting_open(key, message):
        opened.append(message.seq)
        return real_open(key, message)

    monkeypatch.setattr(store, "open_message", counting_open)
    readers = (personas.patient, personas.therapist, personas.therapist)  # the therapist in two tabs
    requests = [
        store.PageRequest(after_seq=0, limit=10, audit_action="message.deliver", user=user, patient=personas.patient)
        for user in readers
    ]
    with transaction.atomic():
        store.read_pages(requests)
    assert [[m["body"] for m in r.page.messages] for r in requests] == [["m0", "m1", "m2"]] * 3
    assert [[m["mine"] for m in r.page.messages] for r in requests] == [[False] * 3, [True] * 3, [True] * 3]
    assert sorted(opened) == [1, 2, 3]
    assert AuditEvent.objects.filter(action="message.deliver").count() == 3  # each socket's read is audited


def test_a_job_that_breaks_its_round_fails_alone(personas):
    good = outgoing(personas.patient, personas.patient, "good")
    broken = outgoing(personas.therapist, personas.patient, "broken")
    broken.sender_id = broken.sender.pk
    broken.sender = type(personas.therapist)(pk=10**9, role="therapist")  # no such user: the insert fails

    def prepared(job):
        return None

    async def scenario():
        await asyncio.gather(committer.run(good, prepared), committer.run(broken, prepared))

    async_to_sync(scenario)()
    assert good.error is None and good.created and good.message.seq == 1
    assert broken.error is not None and broken.message is None
    assert list(Message.objects.values_list("client_id", flat=True)) == ["good"]
    assert verify().ok


def test_a_refused_job_gets_its_refusal_and_the_others_go_on(personas):
    refused = outgoing(personas.stranger, personas.patient, "nope")
    fine = outgoing(personas.patient, personas.patient, "fine")

    def refuse(job):
        raise errors.NotAllowed()

    async def scenario():
        await asyncio.gather(committer.run(refused, refuse), committer.run(fine, lambda job: None))

    async_to_sync(scenario)()
    assert isinstance(refused.error, errors.NotAllowed) and refused.message is None
    assert fine.error is None and fine.created


def test_a_message_reaches_the_senders_other_tab_and_the_therapist_once_each(personas):
    async def scenario():
        tab1, _ = await open_socket(personas.patient, personas.patient)
        tab2, _ = await open_socket(personas.patient, personas.patient)
        therapist, _ = await open_socket(personas.therapist, personas.patient)
        stranger, _ = await open_socket(personas.stranger, personas.stranger)
        await tab1.send_json_to({"action": "send", "client_id": "x1", "body": "from tab 1"})
        assert (await frames_until(tab1, "ack"))["message"]["body"] == "from tab 1"
        for comm in (tab2, therapist):
            frame = await frames_until(comm, "messages")
            assert [m["body"] for m in frame["messages"]] == ["from tab 1"]
        assert await stranger.receive_nothing(timeout=0.3)
        for comm in (tab1, tab2, therapist):  # nothing twice (the doorbell finds the cursor past it)
            assert await comm.receive_nothing(timeout=0.3)
        for comm in (tab1, tab2, therapist, stranger):
            await comm.disconnect()

    async_to_sync(scenario)()
    delivered = AuditEvent.objects.filter(action="message.deliver")
    assert sorted(delivered.values_list("actor_id", flat=True)) == sorted([personas.patient.pk, personas.therapist.pk])
