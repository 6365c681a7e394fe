from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from messaging import consumers, delivery, frames, selectors
from messaging.frames import MAX_FRAME_BYTES
from paceway.accounts import services as account_services
from paceway.accounts.models import CareAssignment

from .helpers import send
from .wsutil import expect_close, frames_until, open_socket, session_cookie, socket

pytestmark = pytest.mark.django_db(transaction=True)


def run(coro_fn, *args):
    return async_to_sync(coro_fn)(*args)


def test_it_refuses_anonymous(personas):
    async def scenario():
        comm = socket(personas.patient.pk)
        connected, _ = await comm.connect(timeout=3)
        assert not connected
        await comm.disconnect()

    run(scenario)


def test_it_refuses_a_foreign_or_missing_origin(personas):
    _client, key = session_cookie(personas.patient)

    async def scenario():
        for origin in (b"https://evil.example", b"http://testserver.evil.example", b""):
            comm = socket(personas.patient.pk, session_key=key, origin=origin)
            connected, _ = await comm.connect(timeout=3)
            assert not connected, origin
            await comm.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "admin"])
def test_it_refuses_outsiders(personas, who):
    _client, key = session_cookie(getattr(personas, who))

    async def scenario():
        comm = socket(personas.patient.pk, session_key=key)
        connected, _ = await comm.connect(timeout=3)
        assert not connected
        await comm.disconnect()

    run(scenario)


def test_it_refuses_a_therapist_without_mfa(personas):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=personas.therapist).delete()
    _client, key = session_cookie(personas.therapist)

    async def scenario():
        comm = socket(personas.patient.pk, session_key=key)
        connected, _ = await comm.connect(timeout=3)
        assert not connected

    run(scenario)


def test_send_is_acked_with_seq_and_pushed_to_the_other_side(personas):
    async def scenario():
        patient, _ = await open_socket(personas.patient, personas.patient)
        therapist, ready = await open_socket(personas.therapist, personas.patient)
        assert ready["last_seq"] == 0
        await patient.send_json_to({"action": "send", "client_id": "m-1", "body": "<b>hi</b>"})
        ack = await frames_until(patient, "ack")
        shown = ack.pop("message")  # the sender's copy comes with the ack
        assert ack == {"type": "ack", "client_id": "m-1", "seq": 1, "duplicate": False}
        assert shown["body"] == "<b>hi</b>" and shown["mine"] is True and shown["seq"] == 1
        live = await frames_until(therapist, "messages")
        assert [m["body"] for m in live["messages"]] == ["<b>hi</b>"]
        assert live["messages"][0]["seq"] == 1 and live["replay"] is False
        # Retry: same seq, not stored twice, not pushed twice.
        await patient.send_json_to({"action": "send", "client_id": "m-1", "body": "<b>hi</b>"})
        again = await frames_until(patient, "ack")
        assert again["seq"] == 1 and again["duplicate"] is True
        await therapist.send_json_to({"action": "mark_read", "seq": 1})
        assert (await frames_until(therapist, "marked_read"))["last_read_seq"] == 1
        receipt = await frames_until(patient, "read")
        assert receipt["seq"] == 1 and receipt["user_id"] == personas.therapist.pk
        await patient.disconnect()
        await therapist.disconnect()

    run(scenario)
    from paceway.audit.models import AuditEvent

    delivered = AuditEvent.objects.filter(action="message.deliver", actor_id=personas.therapist.pk)
    assert delivered.exists() and delivered.first().object_id.endswith(":1-1")


def test_frames_over_64_kib_close_with_1009(personas):
    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_to(text_data="x" * (64 * 1024 + 1))
        assert await expect_close(comm) == 1009

    run(scenario)


def test_multibyte_frames_are_measured_in_bytes(personas):
    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_to(text_data="é" * (33 * 1024))  # 66 KiB of UTF-8
        assert await expect_close(comm) == 1009

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[" * 100_000 + "]" * 100_000, None),  # over 64 KiB: closes instead
        ("[" * 20_000 + "]" * 20_000, "bad_json"),  # deep nesting
        ("[1, 2]", "bad_frame"),
        ('{"action": "dance"}', "unknown_action"),
        ('{"action": 5}', "unknown_action"),
        ('{"body": "no action"}', "unknown_action"),
        ('{"action": "send", "client_id": "bad id", "body": "x"}', "invalid"),
        ('{"action": "send", "client_id": "ok", "body": ""}', "invalid"),
        ('{"action": "send", "client_id": "ok", "body": {"x": 1}}', "invalid"),
        ('{"action": "resume", "after_seq": -1}', "invalid"),
        ('{"action": "resume", "after_seq": "abc"}', "invalid"),
        ('{"action": "mark_read", "seq": null}', "invalid"),
    ],
)
def test_bad_frames_get_an_error_and_the_socket_survives(personas, frame, code):
    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_to(text_data=frame)
        if code is None:
            assert await expect_close(comm) == 1009
            return
        error = await frames_until(comm, "error")
        assert error["code"] == code
        assert "Traceback" not in json.dumps(error)
        await comm.send_json_to({"action": "ping"})
        assert (await frames_until(comm, "pong"))["type"] == "pong"
        await comm.disconnect()

    run(scenario)


def test_binary_frames_get_an_error(personas):
    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_to(bytes_data=b"\x00\x01")
        assert (await frames_until(comm, "error"))["code"] == "bad_frame"
        await comm.disconnect()

    run(scenario)


def test_sends_are_rate_limited_per_user(personas, settings):
    settings.MESSAGING_SEND_RATE = (3, 60)

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        other, _ = await open_socket(personas.therapist, personas.patient)
        for i in range(3):
            await comm.send_json_to({"action": "send", "client_id": f"r{i}", "body": "x"})
            assert (await frames_until(comm, "ack"))["seq"] == i + 1
        await comm.send_json_to({"action": "send", "client_id": "r9", "body": "x"})
        error = await frames_until(comm, "error")
        assert error["code"] == "rate_limited" and error["client_id"] == "r9"
        assert error["retry_after"] >= 1
        # The socket survives, and other users are unaffected.
        await comm.send_json_to({"action": "ping"})
        await frames_until(comm, "pong")
        await other.send_json_to({"action": "send", "client_id": "t1", "body": "y"})
        assert (await frames_until(other, "ack"))["seq"] == 4
        await comm.disconnect()
        await other.disconnect()

    run(scenario)


def test_connections_per_user_are_capped(personas, settings):
    settings.MESSAGING_MAX_CONNECTIONS = 2

    async def scenario():
        first, _ = await open_socket(personas.patient, personas.patient)
        second, _ = await open_socket(personas.patient, personas.patient)
        _client, key = await database_sync_to_async(session_cookie)(personas.patient)
        third = socket(personas.patient.pk, session_key=key)
        connected, _ = await third.connect(timeout=3)
        assert connected
        assert (await frames_until(third, "error"))["code"] == "too_many_connections"
        assert await expect_close(third) == consumers.CLOSE_TOO_MANY
        # Another user is unaffected; a freed slot can be used again.
        other, _ = await open_socket(personas.therapist, personas.patient)
        await first.disconnect()
        fourth, _ = await open_socket(personas.patient, personas.patient)
        for comm in (second, other, fourth):
            await comm.disconnect()

    run(scenario)


def test_resume_replays_what_was_missed_in_pages(personas, monkeypatch):
    monkeypatch.setattr(delivery, "REPLAY_PAGE", 3)
    for i in range(7):
        send(personas.therapist if i % 2 else personas.patient, personas.patient, body=f"m{i}")

    async def scenario():
        comm, ready = await open_socket(personas.patient, personas.patient)
        assert ready["last_seq"] == 7
        seen, after = [], 2
        while True:
            await comm.send_json_to({"action": "resume", "after_seq": after})
            page = await frames_until(comm, "messages")
            assert page["replay"] is True
            seen += [m["seq"] for m in page["messages"]]
            if not page["limited"]:
                break
            after = page["next_after_seq"]
        assert seen == [3, 4, 5, 6, 7]
        # Then it streams.
        await database_sync_to_async(send)(personas.therapist, personas.patient, "live")
        live = await frames_until(comm, "messages")
        assert [m["seq"] for m in live["messages"]] == [8]
        await comm.disconnect()

    run(scenario)


def test_a_backlog_of_long_messages_is_paged_under_the_frame_limit(personas):
    long_text = "é" * frames.MAX_BODY_CHARS  # 16,000 bytes of UTF-8 each
    for i in range(12):
        send(personas.therapist, personas.patient, body=f"{i} {long_text}"[: frames.MAX_BODY_CHARS])

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        seen, after, frames = [], 0, 0
        while True:
            await comm.send_json_to({"action": "resume", "after_seq": after})
            raw = await comm.receive_from(timeout=3)
            assert len(raw.encode()) <= MAX_FRAME_BYTES
            page = json.loads(raw)
            frames += 1
            seen += [m["seq"] for m in page["messages"]]
            if not page["limited"]:
                break
            after = page["next_after_seq"]
        assert seen == list(range(1, 13)) and frames > 1
        await comm.disconnect()

    run(scenario)


def test_a_lost_push_is_healed_by_the_next_one(personas):
    """Pushes carry only a seq; the socket reads everything after its cursor from the DB."""

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        # Two messages committed while the push is lost (written without going through on_commit).
        from messaging.models import Conversation

        await database_sync_to_async(send)(personas.therapist, personas.patient, "one")
        await frames_until(comm, "messages")
        conv = await database_sync_to_async(Conversation.objects.get)(patient=personas.patient)
        from unittest import mock

        with mock.patch("paceway.doorbell.new_messages", return_value=False):
            await database_sync_to_async(send)(personas.therapist, personas.patient, "lost")
        await database_sync_to_async(send)(personas.therapist, personas.patient, "three")
        frame = await frames_until(comm, "messages")
        assert [m["body"] for m in frame["messages"]] == ["lost", "three"]
        assert conv.pk == frame["conversation_id"]
        await comm.disconnect()

    run(scenario)


def test_unassignment_closes_the_former_therapists_socket(personas):
    async def scenario():
        therapist, _ = await open_socket(personas.therapist, personas.patient)
        patient, _ = await open_socket(personas.patient, personas.patient)
        await database_sync_to_async(account_services.assign_patient)(
            actor=personas.admin,
            patient=personas.patient,
            therapist=personas.unassigned_therapist,
            reason="therapist on leave",
        )
        assert await expect_close(therapist, timeout=1.0) == consumers.CLOSE_FORBIDDEN
        # The patient stays connected; the new therapist can connect and sees history.
        await patient.send_json_to({"action": "ping"})
        await frames_until(patient, "pong")
        newcomer, _ = await open_socket(personas.unassigned_therapist, personas.patient)
        await newcomer.disconnect()
        await patient.disconnect()

    run(scenario)


def test_logout_closes_that_sessions_sockets(personas):
    async def scenario():
        client, key = await database_sync_to_async(session_cookie)(personas.patient)
        comm = socket(personas.patient.pk, session_key=key)
        assert (await comm.connect(timeout=3))[0]
        await frames_until(comm, "ready")
        other_device, _ = await open_socket(personas.patient, personas.patient)
        await database_sync_to_async(client.logout)()
        assert await expect_close(comm, timeout=1.0) == consumers.CLOSE_SESSION_ENDED
        # Another session of the same user stays open.
        await other_device.send_json_to({"action": "ping"})
        await frames_until(other_device, "pong")
        await other_device.disconnect()

    run(scenario)


def test_deactivation_closes_sockets(personas):
    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        therapist, _ = await open_socket(personas.therapist, personas.patient)

        def deactivate():
            personas.patient.is_active = False
            personas.patient.save(update_fields=["is_active"])

        await database_sync_to_async(deactivate)()
        assert await expect_close(comm, timeout=1.0) == consumers.CLOSE_FORBIDDEN
        assert await expect_close(therapist, timeout=1.0) == consumers.CLOSE_FORBIDDEN

    run(scenario)


def test_the_periodic_check_closes_a_socket_that_lost_access(personas, settings):
    settings.MESSAGING_RECHECK_SECONDS = 0.2

    async def scenario():
        comm, _ = await open_socket(personas.therapist, personas.patient)
        # Ended behind the application's back: no hook fires, only the timer can notice.
        from django.utils import timezone

        await database_sync_to_async(CareAssignment.objects.filter(patient=personas.patient).update)(
            ended_at=timezone.now()
        )
        assert await expect_close(comm, timeout=1.5) == consumers.CLOSE_FORBIDDEN

    run(scenario)


def test_sends_commit_and_ack_when_the_layer_is_down(personas, monkeypatch):
    from channels.layers import get_channel_layer

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)

        async def broken(*args, **kwargs):
            raise ConnectionError("redis down")

        monkeypatch.setattr(get_channel_layer(), "group_send", broken)
        await comm.send_json_to({"action": "send", "client_id": "d1", "body": "durable"})
        assert (await frames_until(comm, "ack"))["seq"] == 1
        monkeypatch.undo()
        stored = await database_sync_to_async(selectors.list_messages)(user=personas.patient, patient=personas.patient)
        assert [m["body"] for m in stored.messages] == ["durable"]
        await comm.disconnect()

    run(scenario)


def test_socket_traffic_through_the_layer_has_no_text(personas, layer_traffic):
    async def scenario():
        patient, _ = await open_socket(personas.patient, personas.patient)
        therapist, _ = await open_socket(personas.therapist, personas.patient)
        await patient.send_json_to({"action": "send", "client_id": "s1", "body": "Quokka secret"})
        await frames_until(patient, "ack")
        live = await frames_until(therapist, "messages")
        assert live["messages"][0]["body"] == "Quokka secret"
        await patient.disconnect()
        await therapist.disconnect()

    run(scenario)
    assert layer_traffic
    assert all("Quokka" not in repr(event) for _, event in layer_traffic)


def test_an_idle_session_closes_the_socket(personas, settings):
    """The role's idle limit holds on a socket too: a therapist who walked away is cut off."""
    import time as clock
    from importlib import import_module

    from paceway.accounts.middleware import SEEN_AT

    from .wsutil import session_cookie, socket

    settings.MESSAGING_RECHECK_SECONDS = 0.2

    async def scenario():
        _client, key = await database_sync_to_async(session_cookie)(personas.therapist)
        comm = socket(personas.patient.pk, session_key=key)
        connected, _ = await comm.connect(timeout=3)
        assert connected

        def idle_for_16_minutes():
            store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
            store[SEEN_AT] = clock.time() - 16 * 60
            store.save()

        await database_sync_to_async(idle_for_16_minutes)()
        assert await expect_close(comm, timeout=1.5) == consumers.CLOSE_FORBIDDEN

    run(scenario)


def test_it_names_the_client_id_in_a_server_error_from_a_failed_round(personas, monkeypatch):
    """A round of the group commit that fails (the database restarting, say) answers each of
    its sends with a retryable error naming the send's client_id; a retry with the same
    client_id is stored once."""
    from django.db import OperationalError

    from messaging import store

    real = store.store_messages
    failures = {"left": 1}

    def flaky(jobs, round=None):
        if jobs and failures["left"]:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(jobs, round)

    monkeypatch.setattr(store, "store_messages", flaky)

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_json_to({"action": "send", "client_id": "f-1", "body": "kept"})
        error = await frames_until(comm, "error")
        assert error["code"] == "server_error" and error["client_id"] == "f-1"
        assert error["retryable"] is True
        assert "OperationalError" not in json.dumps(error) and "kept" not in json.dumps(error)
        await comm.send_json_to({"action": "send", "client_id": "f-1", "body": "kept"})
        ack = await frames_until(comm, "ack")
        assert (ack["client_id"], ack["seq"], ack["duplicate"]) == ("f-1", 1, False)
        await comm.send_json_to({"action": "send", "client_id": "f-1", "body": "kept"})
        again = await frames_until(comm, "ack")
        assert (again["seq"], again["duplicate"]) == (1, True)
        await comm.disconnect()

    run(scenario)
    stored = selectors.list_messages(user=personas.patient, patient=personas.patient)
    assert [(m["client_id"], m["body"]) for m in stored.messages] == [("f-1", "kept")]


def test_it_names_the_client_id_when_a_whole_round_fails(personas, monkeypatch):
    """Even a failure before any job is tried (the rate limiter's cache down) names each send."""
    from messaging import limits

    def down(sender_ids):
        if not sender_ids:
            return []
        raise ConnectionError("cache down")

    monkeypatch.setattr(limits, "allow_sends", down)

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_json_to({"action": "send", "client_id": "w-1", "body": "x"})
        error = await frames_until(comm, "error")
        assert (error["code"], error["client_id"], error["retryable"]) == ("server_error", "w-1", True)
        await comm.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"client_id": "p-1", "body": ""}, "invalid"),
        ({"client_id": "p-1", "body": "x" * (frames.MAX_BODY_CHARS + 1)}, "invalid"),
        ({"client_id": "p-1", "body": {"x": 1}}, "invalid"),
    ],
)
def test_it_names_the_client_id_in_a_permanent_error(personas, frame, code):
    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_json_to({"action": "send", **frame})
        error = await frames_until(comm, "error")
        assert (error["code"], error["client_id"], error["retryable"]) == (code, "p-1", False)
        await comm.disconnect()

    run(scenario)


def test_it_names_the_client_id_in_a_rate_limit_error(personas, settings):
    settings.MESSAGING_SEND_RATE = (1, 60)

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_json_to({"action": "send", "client_id": "q-1", "body": "x"})
        await frames_until(comm, "ack")
        await comm.send_json_to({"action": "send", "client_id": "q-2", "body": "y"})
        error = await frames_until(comm, "error")
        assert (error["code"], error["client_id"], error["retryable"]) == ("rate_limited", "q-2", True)
        assert error["retry_after"] >= 1
        await comm.disconnect()

    run(scenario)


def test_it_names_the_client_id_when_a_conversation_cannot_be_read(personas, monkeypatch):
    from messaging import store
    from paceway.keyring.crypto import DecryptionError

    real = store.store_messages

    def broken(jobs, round=None):
        if jobs:
            raise DecryptionError("bad key")
        return real(jobs, round)

    monkeypatch.setattr(store, "store_messages", broken)

    async def scenario():
        comm, _ = await open_socket(personas.patient, personas.patient)
        await comm.send_json_to({"action": "send", "client_id": "u-1", "body": "x"})
        error = await frames_until(comm, "error")
        assert (error["code"], error["client_id"], error["retryable"]) == ("unavailable", "u-1", False)
        await comm.disconnect()

    run(scenario)


def test_it_sends_the_replay_before_live_messages_after_a_reconnect(personas):
    """Messages committed between "ready" and the client's resume come once, in the replay,
    never as live frames ahead of it."""
    send(personas.patient, personas.patient, body="missed")

    async def scenario():
        receiver, _ready = await open_socket(personas.therapist, personas.patient, resume=False)
        sender, _ = await open_socket(personas.patient, personas.patient)
        await sender.send_json_to({"action": "send", "client_id": "l-1", "body": "while reconnecting"})
        await frames_until(sender, "ack")
        assert await receiver.receive_nothing(timeout=0.3)  # live waits for the resume
        await receiver.send_json_to({"action": "resume", "after_seq": 0})
        replay = await frames_until(receiver, "messages")
        assert replay["replay"] is True
        assert [m["body"] for m in replay["messages"]] == ["missed", "while reconnecting"]
        await sender.send_json_to({"action": "send", "client_id": "l-2", "body": "live"})
        live = await frames_until(receiver, "messages")
        assert (live["replay"], [m["seq"] for m in live["messages"]]) == (False, [3])
        for comm in (receiver, sender):
            await comm.disconnect()

    run(scenario)


def test_it_goes_live_without_a_resume_after_a_grace(personas, monkeypatch):
    monkeypatch.setattr(consumers, "RESUME_GRACE_SECONDS", 0.2)

    async def scenario():
        receiver, _ = await open_socket(personas.therapist, personas.patient, resume=False)
        await database_sync_to_async(send)(personas.patient, personas.patient, "first")
        live = await frames_until(receiver, "messages", timeout=3)
        assert [m["body"] for m in live["messages"]] == ["first"]
        await receiver.disconnect()

    run(scenario)
