"""Helpers to drive the real ASGI stack (origin check, session auth, router) in-process."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from paceway.asgi import application


def session_cookie(user: Any) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def socket(
    patient_id: int, *, session_key: str | None = None, origin: bytes = b"http://testserver"
) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin))
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(application, f"/ws/messages/{patient_id}/", headers=headers)


async def open_socket(user: Any, patient: Any, *, resume: bool = True) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    from channels.db import database_sync_to_async

    _client, key = await database_sync_to_async(session_cookie)(user)
    comm = socket(patient.pk, session_key=key)
    connected, _ = await comm.connect(timeout=3)
    assert connected
    ready = await comm.receive_json_from(timeout=3)
    assert ready["type"] == "ready"
    if resume:  # as a client does after "ready": live messages wait for this
        await comm.send_json_to({"action": "resume", "after_seq": ready["last_seq"]})
        replay = await comm.receive_json_from(timeout=3)
        assert replay["type"] == "messages" and replay["replay"] is True, replay
    return comm, ready


async def frames_until(comm: WebsocketCommunicator, kind: str, timeout: float = 3) -> dict[str, Any]:
    """Skip frames of other types until one of ``kind`` arrives."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        frame = json.loads(await comm.receive_from(timeout=max(0.05, deadline - loop.time())))
        if frame.get("type") == kind:
            return frame


async def expect_close(comm: WebsocketCommunicator, timeout: float = 1.0) -> int:
    """Read until the server closes; return the close code."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        output = await comm.receive_output(timeout=max(0.05, deadline - loop.time()))
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))
