"""A gate for WebSocket handshakes: at most a few in progress per process at once.

After a restart every client reconnects within a second or two. Each handshake costs a session
and user read, an access check, a connection slot and channel-layer subscriptions; begun all at
once, thousands of them share the process and all finish late, clients give up and retry, and
the process spends itself on handshakes nobody waits for any more. Behind the gate they are done
a few at a time, in the order they came: most finish quickly, the rest wait for their turn
without costing anything, and a client that gives up while waiting (its connection closes)
leaves the queue without any work done for it.

``MESSAGING_HANDSHAKES_AT_ONCE`` (16 by default) sets the width of the gate.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()
_DONE = {"websocket.accept", "websocket.close", "websocket.http.response.start"}


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(int(getattr(settings, "MESSAGING_HANDSHAKES_AT_ONCE", 16)))
    return gate


class HandshakeGate:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        first = await receive()  # "websocket.connect"
        gate = _gate()
        turn: asyncio.Future[Any] = asyncio.ensure_future(gate.acquire())
        next_message: asyncio.Future[Message] = asyncio.ensure_future(receive())
        await asyncio.wait({turn, next_message}, return_when=asyncio.FIRST_COMPLETED)
        if next_message.done():  # the client went away while waiting: nothing to do for it
            if turn.done() and not turn.cancelled():
                gate.release()
            else:
                turn.cancel()
            return
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                gate.release()

        buffered = [first]
        following: asyncio.Future[Message] | None = next_message

        async def gated_receive() -> Message:
            nonlocal following
            if buffered:
                return buffered.pop()
            if following is not None:
                pending, following = following, None
                return await pending
            return await receive()

        async def gated_send(message: Message) -> None:
            if message.get("type") in _DONE:
                release()  # accepted or refused: the next handshake's turn
            await send(message)

        try:
            await self.app(scope, gated_receive, gated_send)
        finally:
            release()
            if following is not None:
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await following
