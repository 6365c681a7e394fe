"""The conversation socket: ws/messages/<patient_id>/.

Client frames (JSON text, at most 64 KiB):
  {"action": "send", "client_id", "body"} -> {"type": "ack", "client_id", "seq", "duplicate",
                                              "message" (when new and next on this socket)}
  {"action": "resume", "after_seq": N}    -> {"type": "messages", "replay": true, ...}
  {"action": "mark_read", "seq": N}       -> {"type": "marked_read", "last_read_seq"}
  {"action": "ping"}                      -> {"type": "pong"}
After "ready", live messages wait until the client's first "resume" has been answered (at most
3 s): the replay of what the client missed always comes before them, each message once.
Server frames: "ready" on connect, "messages" (replay or live, with "limited" and
"next_after_seq" when a page is full), "read" (the other side's read receipt), "error"
({"code", "detail", "retryable", and "client_id" when the frame it answers had one; a
"rate_limited" error also has "retry_after" in seconds}). A send answered by a retryable error
(or not answered at all: the socket dropped) is sent again with the same client_id: the server
stores a client_id once and answers a retry with the original seq ("duplicate": true).

Close codes: 1009 frame too big, 4401 session ended, 4403 access lost, 4429 too many sockets.
The channel layer only carries {conversation_id, seq}; the socket reads the row itself, unless
the message was stored by this process, which hands it over directly (``local_delivery``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from paceway.doorbell import conversation_group, session_fingerprint, user_group
from paceway.keyring.crypto import DecryptionError
from paceway.ops import metrics

from . import access, errors, frames, limits, local_delivery, sealing, selectors, services, store, sweep
from .db_work import in_db_thread
from .group_commit import committer

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
REPLAY_PAGE = 200
PAGE_BYTES = MAX_FRAME_BYTES * 3 // 4  # a page stays under the frame limit (one message always fits)
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
        self.closing = False
        self.joined: list[str] = []
        self.slot: int | None = None
        self.cursor = 0
        # Live delivery waits for the client's first resume, so that its replay (what it missed
        # while away) always comes before live messages; at most RESUME_GRACE_SECONDS, for a
        # client that does not resume. Paused again while a replay is paged (``limited``).
        self.paused = True
        self.resumed = False
        self.watchdog: asyncio.TimerHandle | asyncio.Task[None] | None = None
        self._deliver_lock: asyncio.Lock | None = None
        # Per-socket caches, filled in the database thread: the conversation's id and its
        # unwrapped data key (held in memory for the socket's lifetime; the conversation's
        # erased_at is re-read with every page). The access decision is ``self.access``.
        self.conversation_id: int | None = None
        self.keys: dict[int, bytes] = {}
        user = self.scope.get("user")
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.session_fp = session_fingerprint(self.session_key)
        if user is None or not user.is_authenticated or not self.session_key:
            await self.close()
            return
        self.user_id = int(user.pk)
        self.patient_id = int(self.scope["url_route"]["kwargs"]["patient_id"])
        self.access = access.SocketAccess(self.user_id, self.patient_id, self.session_key)
        # The session as loaded for this handshake: no second read, but its limits hold here too.
        allowed, self.slot = await in_db_thread(access.admit)(self.access, session, self.channel_name)
        if not allowed:
            await self.close()  # before accept: the handshake is refused (403), nothing revealed
            return
        if self.slot is None:
            await self.accept()
            await self._error("too_many_connections", _("Too many open connections."), retryable=True)
            await self._close(CLOSE_TOO_MANY)
            return
        # Subscribe first, then read where the conversation stands: nothing committed after this
        # point can be missed (its push finds us subscribed, or the client's resume replays it).
        self.subscribed = await self._subscribe()
        ready = await in_db_thread(self._ready)()
        self.cursor = ready["last_seq"]
        await self.accept()
        await self._send_json(ready)
        local_delivery.register(self)
        sweep.watch(self.loop)
        self._schedule_check()
        self.loop.call_later(RESUME_GRACE_SECONDS, self._end_grace)

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
            except Exception as exc:
                logger.info("messaging: group_discard failed: %s", type(exc).__name__)
        if getattr(self, "slot", None) is not None:
            await sync_to_async(limits.release_slot, thread_sensitive=False)(self.user_id, self.slot, self.channel_name)

    # Frames from the client ----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        self.access.last_client_frame = time.time()
        if bytes_data is not None:
            if len(bytes_data) > MAX_FRAME_BYTES:
                await self._close(CLOSE_TOO_BIG)
            else:
                await self._error("bad_frame", _("Send JSON text frames."))
            return
        text = text_data or ""
        if len(text) > MAX_FRAME_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            await self._close(CLOSE_TOO_BIG)
            return
        try:
            frame = frames.parse(text)
        except frames.FrameError as exc:  # not a frame, or a value refused: named by its client_id
            error = frames.error(
                exc.code, exc.message, field=exc.field, client_id=exc.client_id, retryable=exc.retryable
            )
            await self._send_json(error)
            return
        # Every error about a frame names that frame's client_id (when it has one), so that the
        # client knows which message of its outbox it concerns, and says whether a retry with
        # the same client_id may succeed (the client keeps the message and retries) or not (the
        # client gives the text back to the person).
        client_id = frame["client_id"]
        try:
            await self._dispatch(frame)
        except errors.NotAllowed:
            await self._close(CLOSE_FORBIDDEN)
        except errors.RateLimited as exc:
            await self._error(exc.code, exc.message, client_id=client_id, retry_after=exc.retry_after, retryable=True)
        except errors.MessagingError as exc:
            await self._error(exc.code, exc.message, field=exc.field, client_id=client_id, retryable=False)
        except DecryptionError:
            logger.error(
                "messaging: a message of conversation for patient %s failed to decrypt",
                self.patient_id,
            )
            await self._error(
                "unavailable", _("This conversation cannot be read."), client_id=client_id, retryable=False
            )
        except Exception:
            logger.exception("messaging: error handling a %s frame", frame["action"])
            await self._error(
                "server_error", _("Something went wrong. Please try again."), client_id=client_id, retryable=True
            )

    async def _dispatch(self, frame: frames.InboundFrame) -> None:
        if frame["action"] == "send":
            await self._action_send(frame)
        elif frame["action"] == "resume":
            self.resumed = True
            await self._deliver(frame["after_seq"], replay=True)
        elif frame["action"] == "mark_read":
            marker = await in_db_thread(self._mark_read)(frame["seq"], asyncio.get_running_loop())
            await self._send_json(frames.marked_read(marker))
        else:
            await self._send_json(frames.pong())

    async def _action_send(self, frame: frames.SendFrame) -> None:
        job = store.Outgoing(sender_id=self.user_id, client_id=frame["client_id"], body=frame["body"], keys=self.keys)
        await committer.run(job, self.access.prepare, origin=self)
        if job.error is not None:
            raise job.error  # an error frame with this frame's client_id (see ``receive``)
        message = job.message
        assert message is not None
        self.conversation_id = message.conversation_id
        # Committed by now: the ack can promise durability. It carries the new message as this
        # socket shows it when it is the very next one this socket needs (no echo frame);
        # otherwise the message comes in order in a "messages" frame, like any other.
        ack = frames.ack(client_id=message.client_id, seq=message.seq, duplicate=not job.created)
        async with self.deliver_lock:
            if job.created and self._next_is(message.seq):
                self.cursor = message.seq
                ack["message"] = sealing.serialize(message, job.body, viewer=job.sender, patient_id=self.patient_id)
            await self._send_json(ack)

    async def take_stored(self, conversation_id: int, messages: list[dict[str, Any]]) -> None:
        """Messages another local socket has just stored (see ``local_delivery``), shown
        without reading them back when they are the very next ones this socket needs;
        otherwise the push (or the timer) brings them from the database in order, and this
        socket's cursor makes sure nothing is shown twice."""
        async with self.deliver_lock:
            if not self._next_is(messages[0]["seq"]):
                return
            self.cursor = messages[-1]["seq"]
            page = selectors.Page(conversation_id=conversation_id, messages=messages, last_seq=self.cursor)
            await self._send_json(frames.messages(page, replay=False))
            metrics.messages_delivered(len(messages), replay=False)

    def _next_is(self, seq: int) -> bool:
        """Is ``seq`` the very next message this open, live socket needs?"""
        return not self.closing and not self.paused and self.cursor == seq - 1

    def _end_grace(self) -> None:
        if not self.resumed and not self.closing:
            self.resumed = True
            self.paused = False
            self.grace_task = asyncio.ensure_future(self.catch_up())  # from the cursor: what came since "ready"

    # Events from the channel layer ------------------------------------------------------------

    async def messaging_new(self, event: dict[str, Any]) -> None:
        if self.closing or self.paused:
            return
        seq = event.get("seq")
        if isinstance(seq, int) and seq <= self.cursor:
            return  # already delivered (e.g. replayed, or our own page)
        if not await self._access_memo():
            return
        await self._deliver(None, replay=False)

    async def messaging_read(self, event: dict[str, Any]) -> None:
        if self.closing or not await self._access_memo():
            return
        await self._send_json(frames.read(user_id=event.get("user_id"), seq=event.get("seq")))

    async def messaging_recheck(self, event: dict[str, Any]) -> None:
        self.access.forget()  # care team, logout or deactivation: no memoized decision
        if self.closing:
            return
        ended = event.get("ended_session")
        if ended and ended == self.session_fp:
            await self._close(CLOSE_SESSION_ENDED)
            return
        await self._recheck()

    # Internals ------------------------------------------------------------------------------------

    async def _deliver(self, after_seq: int | None, *, replay: bool) -> None:
        """Send what follows ``after_seq`` (None: what follows this socket's cursor)."""
        async with self.deliver_lock:
            if self.closing or (after_seq is None and self.paused):
                return
            if after_seq is None:
                after_seq = self.cursor
            await self._deliver_locked(after_seq, replay=replay)

    async def _deliver_locked(self, after_seq: int, *, replay: bool) -> None:
        request = store.PageRequest(
            after_seq=after_seq,
            limit=REPLAY_PAGE,
            # Replays and live deliveries are both reads of health data: one event per page.
            audit_action="message.resume" if replay else "message.deliver",
            max_bytes=PAGE_BYTES,
            conversation_id=self.conversation_id,
            keys=self.keys,
        )
        await committer.run(request, self.access.prepare)
        if isinstance(request.error, errors.NotAllowed):
            await self._close(CLOSE_FORBIDDEN)
            return
        if request.error is not None:
            raise request.error
        page = request.page
        assert page is not None
        if page.conversation_id is not None:
            self.conversation_id = page.conversation_id
        if page.messages:
            self.cursor = page.messages[-1]["seq"]
        elif replay:
            self.cursor = min(after_seq, page.last_seq)
        self.paused = page.limited
        if page.messages or replay:
            await self._send_json(frames.messages(page, replay=replay))
            metrics.messages_delivered(len(page.messages), replay=replay)

    async def _subscribe(self) -> bool:
        ok = True
        for group in (conversation_group(self.patient_id), user_group(self.user_id)):
            if group in self.joined:
                continue
            try:
                await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name), 2.0)
                self.joined.append(group)
            except Exception as exc:  # Redis down: stay open, catch up from the database on a timer
                logger.warning("messaging: subscribe failed: %s", type(exc).__name__)
                ok = False
        return ok

    def _schedule_check(self) -> None:
        """Arm this socket's only timer: the next access re-check, when its decision is due
        (``memo_seconds`` after it was made) or its session would expire, whichever comes first.
        An idle socket waits on a timer rather than in a sleeping task (a task with its
        coroutines costs about 1 KB per socket). Connection slots, resubscription and lost
        doorbells are seen to for all of a process's sockets at once (``sweep``)."""
        memo = self.access
        due = memo.due_in()
        if memo.session_deadline is not None:
            due = min(due, max(0.0, memo.session_deadline - time.time()) + 1.0)
        self.watchdog = asyncio.get_running_loop().call_later(due, self._start_check)

    def _start_check(self) -> None:
        self.watchdog = asyncio.ensure_future(self._periodic_check())

    async def _periodic_check(self) -> None:
        """Recheck access and the session (closing the socket when either is gone); then arm
        the next check (none once closed). Outside the group commit: in a database thread."""
        if self.closing:
            return
        try:
            if not await self._recheck():
                return
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("messaging: periodic check failed")
            if not self.closing:  # the decision stays due (a send re-checks first); try again soon
                self.watchdog = asyncio.get_running_loop().call_later(
                    access.jittered(min(60.0, access.recheck_seconds())), self._start_check
                )
            return
        if not self.closing:
            self.access.memo_seconds = access.jittered(access.recheck_seconds())
            self._schedule_check()

    async def catch_up(self) -> None:
        """Read what a lost doorbell left behind (the sweep found this socket's cursor behind)."""
        try:
            await self._deliver(None, replay=False)
        except Exception:
            logger.exception("messaging: catching up failed")

    async def _recheck(self) -> bool:
        allowed = await in_db_thread(access.decide)(self.access, session=access.FRESH)
        if not allowed:
            await self._close(CLOSE_FORBIDDEN)
        return allowed

    async def _access_memo(self) -> bool:
        if not self.access.due():
            return True
        allowed = await in_db_thread(access.decide)(self.access)
        if not allowed:
            await self._close(CLOSE_FORBIDDEN)
        return allowed

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    async def _error(self, code: str, detail: str, **extra: Any) -> None:
        await self._send_json(frames.error(code, detail, **extra))

    async def _send_json(self, frame: frames.OutboundFrame) -> None:
        await self.send(text_data=frames.encode(frame))

    # Sync parts (run in the database thread) --------------------------------------------------

    def participants(self) -> tuple[Any, Any]:
        """For ``local_delivery``: this socket's user and patient as its access memo has them."""
        return self.access.participants()

    def _ready(self) -> frames.ReadyFrame:
        """Where the conversation stands, as the handshake's access decision lets the user see it."""
        user, patient = access.handshake_participants(self.access)
        conversation = selectors.conversation_of(patient)
        if conversation is not None:
            self.conversation_id = conversation.pk
        return frames.ready(
            patient_id=self.patient_id,
            user_id=self.user_id,
            conversation_id=conversation.pk if conversation else None,
            last_seq=conversation.last_seq if conversation else 0,
            last_read_seq=selectors.last_read_seq(user=user, conversation=conversation),
        )

    def _mark_read(self, seq: Any, loop: asyncio.AbstractEventLoop) -> int:
        user, patient = access.fresh_participants(self.access)
        return services.mark_read(user=user, patient=patient, seq=seq, loop=loop)
