"""The handshake gate: a few WebSocket handshakes at a time; a client gone while waiting costs nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync

from paceway.handshake import HandshakeGate


class Handshake:
    def __init__(self, gate: HandshakeGate) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.inbox.put_nowait({"type": "websocket.connect"})
        self.task = asyncio.ensure_future(gate({"type": "websocket"}, self.inbox.get, self._send))

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


async def _until(check: Any, timeout: float = 2.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_it_lets_a_few_handshakes_through_at_a_time_and_forgets_those_who_left(settings):
    settings.MESSAGING_HANDSHAKES_AT_ONCE = 1
    started: list[int] = []
    go: dict[int, asyncio.Event] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        me = len(started)
        started.append(me)
        go[me] = asyncio.Event()
        await go[me].wait()
        await send({"type": "websocket.accept"})
        assert (await receive())["type"] == "websocket.disconnect"

    async def scenario() -> None:
        gate = HandshakeGate(app)
        first, second, third = Handshake(gate), Handshake(gate), Handshake(gate)
        await _until(lambda: len(started) == 1)
        for _ in range(20):  # give the waiting handshakes every chance to run, without a clock
            await asyncio.sleep(0)
        assert len(started) == 1  # the others wait their turn
        second.inbox.put_nowait({"type": "websocket.disconnect", "code": 1006})  # gave up waiting
        await _until(second.task.done)
        assert second.sent == []
        go[0].set()  # the first is accepted: the third's turn (the second never ran)
        await _until(lambda: len(started) == 2)
        go[1].set()
        await _until(lambda: third.sent == [{"type": "websocket.accept"}])
        for handshake in (first, third):
            handshake.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(asyncio.gather(first.task, third.task), 2)
        assert first.sent == [{"type": "websocket.accept"}]

    async_to_sync(scenario)()
