"""The conversation socket, ws/messages/<patient_id>/: connect, dispatch frames, relay messages.

Frames are parsed and built in ``frames``; access is a memo per socket (``access``, re-decided by
``recheck``); what is shown, in order and once, is ``delivery``'s; the channel layer only rings
({conversation_id, seq}). Close codes: 1009 frame too big, 4401 session ended, 4403 access lost,
4429 too many sockets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.functional import empty
from django.utils.translation import gettext as _

from paceway.doorbell import session_fingerprint
from paceway.keyring.crypto import DecryptionError

from . import access, delivery, errors, frames, limits, local_delivery, recheck, sweep
from .db_work import in_db_thread

logger = logging.getLogger(__name__)

CLOSE_TOO_BIG = 1009
CLOSE_SESSION_ENDED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429
RESUME_GRACE_SECONDS = 3.0


class ConversationConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels' own, without its ``aclose_old_connections()`` (a hop to the sync thread)
        before every frame and event: this consumer never queries in the event loop's thread;
        every database call goes through ``in_db_thread``, which tidies connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.closing, self.slot, self.cursor = False, None, 0
        self.joined: list[str] = []
        self.paused, self.resumed = True, False  # live delivery waits for the first resume
        self.watchdog: asyncio.TimerHandle | asyncio.Task[None] | None = None
        self._deliver_lock: asyncio.Lock | None = None
        # Filled in the database thread: the conversation's id and its unwrapped data key (held
        # for the socket's lifetime; the conversation's erased_at is re-read with every page).
        self.conversation_id: int | None = None
        self.keys: dict[int, bytes] = {}
        user, session = self.scope.get("user"), self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.session_fp = session_fingerprint(self.session_key)
        if user is None or not user.is_authenticated or not self.session_key:
            await self.close()
            return
        self.user_id = int(user.pk)
        self.patient_id = int(self.scope["url_route"]["kwargs"]["patient_id"])
        self.access = access.SocketAccess(self.user_id, self.patient_id, self.session_key)
        # The session as loaded for this handshake: no second read, but its limits hold here too.
        loaded = getattr(user, "_wrapped", user)  # Channels' lazy user, resolved by its middleware
        if loaded is empty:
            loaded = None
        allowed, self.slot = await in_db_thread(access.admit)(self.access, session, self.channel_name, loaded)
        if not allowed:
            await self.close()  # before accept: the handshake is refused (403), nothing revealed
            return
        if self.slot is None:
            await self.accept()
            await self.send_frame(frames.error("too_many_connections", _("Too many open connections."), retryable=True))
            await self._close(CLOSE_TOO_MANY)
            return
        # Subscribe first, then read where the conversation stands: nothing committed after this
        # point can be missed (its push finds us subscribed, or the client's resume replays it).
        self.subscribed = await sweep.subscribe(self)
        ready = await in_db_thread(delivery.ready)(self)
        self.cursor = ready["last_seq"]
        await self.accept()
        await self.send_frame(ready)
        local_delivery.register(self)
        sweep.watch(self.loop)
        recheck.arm(self)
        self.loop.call_later(RESUME_GRACE_SECONDS, delivery.end_grace, self)

    @property
    def deliver_lock(self) -> asyncio.Lock:
        """Made on first use: most sockets idle, and a lock costs a few hundred bytes each."""
        if self._deliver_lock is None:
            self._deliver_lock = asyncio.Lock()
        return self._deliver_lock

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if getattr(self, "patient_id", None) is not None:
            local_delivery.unregister(self)
        watchdog = getattr(self, "watchdog", None)
        if watchdog is not None:
            watchdog.cancel()
        for group in getattr(self, "joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as exc:  # noqa: BLE001 - leaving a group must never fail a disconnect
                logger.info("messaging: group_discard failed: %s", type(exc).__name__)
        if getattr(self, "slot", None) is not None:
            await sync_to_async(limits.release_slot, thread_sensitive=False)(self.user_id, self.slot, self.channel_name)

    # Frames from the client ----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        self.access.last_client_frame = time.time()
        if bytes_data is not None:
            if len(bytes_data) > frames.MAX_FRAME_BYTES:
                await self._close(CLOSE_TOO_BIG)
            else:
                await self.send_frame(frames.error("bad_frame", _("Send JSON text frames.")))
            return
        text = text_data or ""
        if (
            len(text) > frames.MAX_FRAME_BYTES // 4
            and len(text.encode("utf-8", "surrogatepass")) > frames.MAX_FRAME_BYTES
        ):
            await self._close(CLOSE_TOO_BIG)
            return
        try:
            frame = frames.parse(text)
        except frames.FrameError as exc:  # not a frame, or a value refused: named by its client_id
            await self.send_frame(
                frames.error(exc.code, exc.message, field=exc.field, client_id=exc.client_id, retryable=exc.retryable)
            )
            return
        try:
            await self._dispatch(frame)
        except errors.NotAllowed:
            await self.refuse()
        except Exception as exc:
            if isinstance(exc, DecryptionError):
                logger.error("messaging: a message of conversation for patient %s failed to decrypt", self.patient_id)
            elif not isinstance(exc, errors.MessagingError):
                logger.exception("messaging: error handling a %s frame", frame["action"])
            await self.send_frame(frames.refusal(exc, frame["client_id"]))

    async def _dispatch(self, frame: frames.InboundFrame) -> None:
        if frame["action"] == "send":
            await delivery.send(self, frame)
        elif frame["action"] == "resume":
            self.resumed = True
            await delivery.deliver(self, frame["after_seq"], replay=True)
        elif frame["action"] == "mark_read":
            marker = await in_db_thread(delivery.mark_read)(self, frame["seq"], asyncio.get_running_loop())
            await self.send_frame(frames.marked_read(marker))
        else:
            await self.send_frame(frames.pong())

    # Events from the channel layer, this process's other sockets and the sweep -------------------

    async def messaging_new(self, event: dict[str, Any]) -> None:
        if self.closing or self.paused:
            return
        seq = event.get("seq")
        if isinstance(seq, int) and seq <= self.cursor:
            return  # already delivered (e.g. replayed, or our own page)
        if await recheck.still_allowed(self):
            await delivery.deliver(self, None, replay=False)

    async def messaging_read(self, event: dict[str, Any]) -> None:
        if not self.closing and await recheck.still_allowed(self):
            await self.send_frame(frames.read(user_id=event.get("user_id"), seq=event.get("seq")))

    async def messaging_recheck(self, event: dict[str, Any]) -> None:
        self.access.forget()  # care team, logout or deactivation: no memoized decision
        if self.closing:
            return
        ended = event.get("ended_session")
        if ended and ended == self.session_fp:
            await self._close(CLOSE_SESSION_ENDED)
            return
        await recheck.recheck(self)

    async def take_stored(self, conversation_id: int, messages: list[dict[str, Any]]) -> None:
        """Messages another socket of this process has just stored (``local_delivery``)."""
        await delivery.take_stored(self, conversation_id, messages)

    async def catch_up(self) -> None:
        """Read what a lost doorbell left behind (the sweep found this socket's cursor behind)."""
        await delivery.catch_up(self)

    def participants(self) -> tuple[Any, Any]:
        """For ``local_delivery`` (in the group commit's thread): the access memo's user and patient."""
        return self.access.participants()

    # Relay ----------------------------------------------------------------------------------------

    async def send_frame(self, frame: frames.OutboundFrame) -> None:
        await self.send(text_data=frames.encode(frame))

    async def refuse(self) -> None:
        """Access is gone: close with 4403."""
        await self._close(CLOSE_FORBIDDEN)

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)
