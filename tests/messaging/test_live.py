"""Live tests: real Daphne processes sharing Redis and the test database.

Skipped unless REDIS_URL is set (cross-process delivery needs Redis). The Daphne processes use a
private, non-persistent redis-server when one is installed (so restarting it disturbs nobody);
otherwise the REDIS_URL one, which is then never restarted.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.live_servers import DaphneServer, RedisServer, database_url_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (cross-process delivery)"),
]

SETTINGS_MODULE = "tests.messaging.live_settings"


@pytest.fixture
def redis_url():
    if shutil.which("redis-server") is None:
        yield os.environ["REDIS_URL"], None
        return
    server = RedisServer().start()
    try:
        yield server.url, server
    finally:
        server.stop()


@pytest.fixture
def two_daphnes(redis_url):
    url, _redis = redis_url
    database_url = database_url_for(connection.settings_dict)
    servers = [
        DaphneServer(database_url=database_url, redis_url=url, settings_module=SETTINGS_MODULE) for _ in range(2)
    ]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def cookie_for(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def open_ws(server: DaphneServer, patient_id: int, cookie: str) -> Any:
    from websockets.asyncio.client import connect

    ws = await connect(
        server.ws_url(f"/ws/messages/{patient_id}/"),
        origin=server.origin,
        additional_headers={"Cookie": cookie},
        open_timeout=5,
        max_size=2**24,
    )
    ready = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ready["type"] == "ready"
    return ws


async def next_of(ws: Any, kind: str, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), max(0.05, deadline - time.monotonic())))
        if frame.get("type") == kind:
            return frame


def test_a_message_sent_through_one_daphne_reaches_a_socket_on_another(personas, two_daphnes):
    a, b = two_daphnes
    patient_cookie, therapist_cookie = cookie_for(personas.patient), cookie_for(personas.therapist)

    async def scenario():
        sender = await open_ws(a, personas.patient.pk, patient_cookie)
        receiver = await open_ws(b, personas.patient.pk, therapist_cookie)
        await sender.send(json.dumps({"action": "send", "client_id": "x-1", "body": "across processes"}))
        ack = await next_of(sender, "ack")
        frame = await next_of(receiver, "messages")
        assert ack["seq"] == 1
        assert [(m["seq"], m["body"]) for m in frame["messages"]] == [(1, "across processes")]
        # A foreign Origin is refused by the real server too.
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        with pytest.raises(InvalidStatus):
            await connect(
                b.ws_url(f"/ws/messages/{personas.patient.pk}/"),
                origin="https://evil.example",
                additional_headers={"Cookie": therapist_cookie},
                open_timeout=5,
            )
        await sender.close()
        await receiver.close()

    async_to_sync(scenario)()


@pytest.mark.skipif(
    "sqlite" in settings.DATABASES["default"]["ENGINE"],
    reason="two processes writing concurrently need PostgreSQL",
)
def test_a_2000_message_stream_survives_crashes_and_a_redis_restart(personas, two_daphnes, redis_url):
    a, b = two_daphnes
    _url, redis = redis_url
    total, window = 2000, 20
    patient_cookie, therapist_cookie = cookie_for(personas.patient), cookie_for(personas.therapist)
    pid = personas.patient.pk
    acked: dict[str, int] = {}
    order: list[str] = []
    stats = {"gaps": 0, "raw_duplicates": 0, "reconnects_sender": 0, "reconnects_receiver": 0}
    received: list[int] = []
    events: list[str] = []

    async def sender() -> None:
        from websockets.exceptions import ConnectionClosed

        pending: dict[str, str] = {}
        next_i = 0
        while len(acked) < total:
            try:
                ws = await open_ws(a, pid, patient_cookie)
            except Exception:  # noqa: BLE001 - servers are being killed: any failure to open means retry
                await asyncio.sleep(0.2)
                continue
            try:
                for cid, body in list(pending.items()):  # retries: same client ids
                    await ws.send(json.dumps({"action": "send", "client_id": cid, "body": body}))
                while len(acked) < total:
                    while len(pending) < window and next_i < total:
                        cid, body = f"s{next_i:05d}", f"message {next_i} " + "x" * 150
                        pending[cid] = body
                        order.append(cid)
                        next_i += 1
                        await ws.send(json.dumps({"action": "send", "client_id": cid, "body": body}))
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 15))
                    if frame["type"] == "ack":
                        cid = frame["client_id"]
                        if cid in acked:
                            assert acked[cid] == frame["seq"], "a retry got a different seq"
                        acked[cid] = frame["seq"]
                        pending.pop(cid, None)
                    elif frame["type"] == "error":
                        raise AssertionError(f"error frame: {frame}")
            except (ConnectionClosed, OSError, TimeoutError):
                stats["reconnects_sender"] += 1
                await asyncio.sleep(0.1)
            finally:
                await ws.close()

    async def receiver() -> None:
        from websockets.exceptions import ConnectionClosed

        last = 0
        while last < total:
            try:
                ws = await open_ws(b, pid, therapist_cookie)
            except Exception:  # noqa: BLE001 - servers are being killed: any failure to open means retry
                await asyncio.sleep(0.2)
                continue
            try:
                await ws.send(json.dumps({"action": "resume", "after_seq": last}))
                while last < total:
                    try:
                        frame = json.loads(await asyncio.wait_for(ws.recv(), 3))
                    except TimeoutError:  # quiet: ask the database (pushes may have been lost)
                        await ws.send(json.dumps({"action": "resume", "after_seq": last}))
                        continue
                    if frame["type"] != "messages":
                        continue
                    for message in frame["messages"]:
                        seq = message["seq"]
                        if seq <= last:
                            stats["raw_duplicates"] += 1
                            continue
                        if seq != last + 1:
                            stats["gaps"] += 1
                        last = seq
                        received.append(seq)
                    if frame["limited"]:
                        await ws.send(json.dumps({"action": "resume", "after_seq": last}))
            except (ConnectionClosed, OSError):
                stats["reconnects_receiver"] += 1
                await asyncio.sleep(0.1)
            finally:
                await ws.close()

    async def chaos() -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        plan = [(500, "kill receiver's daphne"), (1000, "restart redis"), (1500, "kill sender's daphne")]
        for threshold, action in plan:
            while len(acked) < threshold:
                await asyncio.sleep(0.01)
            events.append(f"{action} at {len(acked)} acked, {loop.time() - t0:.1f} s")
            if action.startswith("kill receiver"):
                await loop.run_in_executor(None, b.restart)
            elif action == "restart redis":
                if redis is not None:
                    await loop.run_in_executor(None, redis.restart)
            else:
                await loop.run_in_executor(None, a.restart)

    async def scenario() -> None:
        await asyncio.wait_for(asyncio.gather(sender(), receiver(), chaos()), 240)

    started = time.monotonic()
    async_to_sync(scenario)()
    elapsed = time.monotonic() - started
    print(f"\nstream of {total}: {elapsed:.1f} s, {stats}, events={events}")

    seqs_in_send_order = [acked[cid] for cid in order]
    assert sorted(acked.values()) == list(range(1, total + 1))  # none lost, none stored twice
    assert seqs_in_send_order == sorted(seqs_in_send_order)  # in the order they were sent
    assert received == list(range(1, total + 1))  # the other side got each once, in order
    assert stats["gaps"] == 0
    assert stats["reconnects_receiver"] >= 1 and stats["reconnects_sender"] >= 1
