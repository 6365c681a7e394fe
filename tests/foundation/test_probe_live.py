"""Holes an outside probe found in the WebSocket edge, tested through a real Daphne process.

The consumer tests (``channels.testing``) never see Daphne's own WebSocket protocol (autobahn),
which checks frame sizes and UTF-8 before the consumer does. These tests start the real server.
The logout test needs Redis (the logout happens in this process, the socket lives in Daphne's);
the others run on the embedded defaults too.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.live_servers import DaphneServer, database_url_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

SETTINGS_MODULE = "tests.messaging.live_settings"
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the logout is heard across processes)"
)


@pytest.fixture
def daphne():
    """One Daphne on the test database; on this process's Redis when there is one (the logout
    made here must reach the socket there), else on the embedded in-memory layer."""
    server = DaphneServer(
        database_url=database_url_for(connection.settings_dict),
        redis_url=os.environ.get("REDIS_URL", ""),
        settings_module=SETTINGS_MODULE,
    )
    try:
        yield server.start()
    finally:
        server.stop()


def logged_in(user: Any) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


CSRF = "probeprobeprobeprobeprobeprobe12"  # any well-formed token: the cookie and header agree


def http(
    server: DaphneServer, method: str, path: str, cookie: str, body: bytes = b"", content_type: str = ""
) -> tuple[int, bytes]:
    """One request to the real server, with the session cookie and a CSRF token."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={CSRF}", "X-CSRFToken": CSRF}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_it_answers_deeply_nested_json_with_400(personas, daphne):
    from messaging.models import Message

    _client, cookie = logged_in(personas.patient)
    body = ("[" * 100_000 + "]" * 100_000).encode()
    status, content = http(
        daphne, "POST", f"/api/v1/conversations/{personas.patient.pk}/messages", cookie, body, "application/json"
    )
    assert status == 400, content[:300]
    assert b"Traceback" not in content
    assert not Message.objects.exists()


def test_it_refuses_a_nul_in_a_form_field_with_400_on_either_database(personas, daphne):
    from urllib.parse import urlencode

    from modules.outcomes import services as outcomes
    from modules.outcomes.models import QuestionnaireResponse
    from tests.outcomes.helpers import weekly

    submission = outcomes.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=list(weekly(1).items()),
    )
    _client, cookie = logged_in(personas.patient)
    form = {code: "0" for code in weekly(0)} | {"reason": "a typo\x00"}
    status, content = http(
        daphne,
        "POST",
        f"/outcomes/responses/{submission.response.pk}/amend/",
        cookie,
        urlencode(form).encode(),
        "application/x-www-form-urlencoded",
    )
    assert status == 400, content[:300]
    assert QuestionnaireResponse.objects.filter(patient=personas.patient).count() == 1


async def connect(server: DaphneServer, path: str, cookie: str) -> Any:
    from websockets.asyncio.client import connect as ws_connect

    return await ws_connect(
        server.ws_url(path),
        origin=server.origin,
        additional_headers={"Cookie": cookie},
        open_timeout=5,
        max_size=2**24,
    )


async def close_code(ws: Any, timeout: float) -> int | None:
    """The code of the close frame the server sent (None: the connection dropped without one)."""
    from websockets.exceptions import ConnectionClosed

    deadline = time.monotonic() + timeout
    try:
        while True:
            await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd is not None else None


async def messages_socket(server: DaphneServer, patient: Any, cookie: str) -> Any:
    ws = await connect(server, f"/ws/messages/{patient.pk}/", cookie)
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "ready"
    return ws


def test_it_closes_a_frame_over_64_kib_with_1009(personas, daphne):
    _client, cookie = logged_in(personas.patient)

    async def scenario():
        ws = await messages_socket(daphne, personas.patient, cookie)
        await ws.send(json.dumps({"action": "ping", "pad": "x" * (64 * 1024)}))
        assert await close_code(ws, 3) == 1009

    async_to_sync(scenario)()


def test_it_closes_a_frame_of_invalid_utf8_with_1007(personas, daphne):
    _client, cookie = logged_in(personas.patient)

    async def scenario():
        ws = await messages_socket(daphne, personas.patient, cookie)
        await ws.send(b'{"action": "ping", "x": "\xff\xfe"}', text=True)
        assert await close_code(ws, 3) == 1007

    async_to_sync(scenario)()


def test_the_alerts_socket_closes_an_oversized_frame_with_1009(personas, daphne):
    _client, cookie = logged_in(personas.therapist)

    async def scenario():
        ws = await connect(daphne, "/ws/alerts/", cookie)
        await ws.send("x" * (64 * 1024 + 1))
        assert await close_code(ws, 3) == 1009

    async_to_sync(scenario)()


@needs_redis
def test_it_closes_the_alerts_socket_within_a_second_of_logout(personas, daphne):
    client, cookie = logged_in(personas.therapist)
    _other, other_cookie = logged_in(personas.therapist)

    async def scenario():
        from asgiref.sync import sync_to_async

        ws = await connect(daphne, "/ws/alerts/", cookie)
        other_device = await connect(daphne, "/ws/alerts/", other_cookie)
        await sync_to_async(client.logout)()
        started = time.monotonic()
        assert await close_code(ws, 1.0) == 4401
        assert time.monotonic() - started < 1.0
        # The therapist's other session keeps its socket.
        await asyncio.wait_for(await other_device.ping(), 2)
        await other_device.close()

    async_to_sync(scenario)()


@needs_redis
def test_it_closes_the_alerts_socket_of_a_deactivated_therapist(personas, daphne):
    _client, cookie = logged_in(personas.therapist)

    async def scenario():
        from asgiref.sync import sync_to_async

        ws = await connect(daphne, "/ws/alerts/", cookie)
        therapist = personas.therapist
        therapist.is_active = False
        await sync_to_async(therapist.save)()
        assert await close_code(ws, 1.0) in (4401, 4403)

    async_to_sync(scenario)()


def test_the_schema_and_docs_are_for_signed_in_staff_only(personas, daphne):
    _client, patient_cookie = logged_in(personas.patient)
    _client, therapist_cookie = logged_in(personas.therapist)
    for path in ("/api/schema/", "/api/docs/"):
        assert http(daphne, "GET", path, "")[0] == 403
        assert http(daphne, "GET", path, patient_cookie)[0] == 403
        assert http(daphne, "GET", path, therapist_cookie)[0] == 200
    _status, content = http(daphne, "GET", "/api/schema/", therapist_cookie)
    assert f"name: {settings.SESSION_COOKIE_NAME}".encode() in content
    import yaml

    responses = yaml.safe_load(content)["paths"]["/api/v1/conversations/{patient_id}/messages"]["post"]["responses"]
    assert {"201", "400", "403", "404", "429"} <= set(responses)
