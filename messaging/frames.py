"""What a client sends and what it is answered, in one place.

The cleaners (``clean_*``) check the values of a send, a resume, a read marker or a page request
for the socket, the API and the page thread (``InvalidInput``). The conversation socket's frames
are typed here: ``parse`` turns a client's JSON text into one of the inbound frames (cleaned),
and the builders make every frame the server sends (``thread.js`` reads them).

Client frames (JSON text, at most 64 KiB):
  {"action": "send", "client_id", "body"} -> {"type": "ack", "client_id", "seq", "duplicate",
                                              "message" (when new and next on this socket)}
  {"action": "resume", "after_seq": N}    -> {"type": "messages", "replay": true, ...}
  {"action": "mark_read", "seq": N}       -> {"type": "marked_read", "last_read_seq"}
  {"action": "ping"}                      -> {"type": "pong"}
Server frames: "ready" on connect, "messages" (replay or live, with "limited" and
"next_after_seq" when a page is full), "read" (the other side's read receipt), "error"
({"code", "detail", "retryable", and "client_id" when the frame it answers had one; a
"rate_limited" error also has "retry_after" in seconds}). A send answered by a retryable error
(or not answered at all: the socket dropped) is sent again with the same client_id: the server
stores a client_id once and answers a retry with the original seq ("duplicate": true).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

from django.utils.translation import gettext_lazy as _

from paceway.keyring.crypto import DecryptionError

from .errors import InvalidInput, MessagingError, RateLimited

if TYPE_CHECKING:
    from .selectors import Page

MAX_FRAME_BYTES = 64 * 1024  # a client's frame, and the server's pages (``delivery.PAGE_BYTES``)
MAX_BODY_CHARS = 8000
DEFAULT_PAGE = 100
MAX_PAGE = 500
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def clean_client_id(value: Any) -> str:
    if not isinstance(value, str) or not CLIENT_ID_RE.match(value):
        raise InvalidInput(_("client_id must be 1 to 64 letters, digits or . _ : -"), field="client_id")
    return value


def clean_body(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("The message must be text."), field="body")
    if "\x00" in value:
        raise InvalidInput(_("The message contains a null character."), field="body")
    if not value.strip():
        raise InvalidInput(_("The message is empty."), field="body")
    if len(value) > MAX_BODY_CHARS:
        raise InvalidInput(
            _("A message can be at most %(max)d characters.") % {"max": MAX_BODY_CHARS},
            field="body",
        )
    return value


def clean_seq(value: Any, *, name: str = "after_seq") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isdigit() and len(value) < 19:
            value = int(value)
        else:
            raise InvalidInput(_("%(name)s must be a whole number.") % {"name": name}, field=name)
    if value < 0 or value > 2**62:
        raise InvalidInput(_("%(name)s is out of range.") % {"name": name}, field=name)
    return int(value)


def clean_limit(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_PAGE
    limit = clean_seq(value, name="limit")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(_("limit must be between 1 and %(max)d.") % {"max": MAX_PAGE}, field="limit")
    return limit


# Inbound frames ---------------------------------------------------------------------------------


class SendFrame(TypedDict):
    action: Literal["send"]
    client_id: str
    body: str


class ResumeFrame(TypedDict):
    action: Literal["resume"]
    after_seq: int
    client_id: str | None


class MarkReadFrame(TypedDict):
    action: Literal["mark_read"]
    seq: int
    client_id: str | None


class PingFrame(TypedDict):
    action: Literal["ping"]
    client_id: str | None


InboundFrame = SendFrame | ResumeFrame | MarkReadFrame | PingFrame


class FrameError(InvalidInput):
    """A frame refused before it is acted on. ``code`` says why (``bad_json``, ``bad_frame``,
    ``unknown_action``, or ``invalid`` for a value); ``client_id`` is the frame's, when it named
    one, so that the client knows which message of its outbox it concerns."""

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        field: str | None = None,
        client_id: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.code = code
        self.client_id = client_id
        self.retryable = retryable


def parse(text: str) -> InboundFrame:
    """The client's frame, its values cleaned; ``FrameError`` when it is not one."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError("bad_json", _("The frame is not valid JSON.")) from None
    if not isinstance(raw, dict):
        raise FrameError("bad_frame", _("A frame is a JSON object with an action."))
    action = raw.get("action")
    if action not in ("send", "resume", "mark_read", "ping"):
        raise FrameError("unknown_action", _("Unknown action."))
    client_id = client_id_of(raw)
    try:
        if action == "send":
            return SendFrame(
                action="send", client_id=clean_client_id(raw.get("client_id")), body=clean_body(raw.get("body"))
            )
        if action == "resume":
            return ResumeFrame(action="resume", after_seq=clean_seq(raw.get("after_seq", 0)), client_id=client_id)
        if action == "mark_read":
            return MarkReadFrame(action="mark_read", seq=clean_seq(raw.get("seq"), name="seq"), client_id=client_id)
    except InvalidInput as exc:
        raise FrameError(exc.code, exc.message, field=exc.field, client_id=client_id, retryable=False) from None
    return PingFrame(action="ping", client_id=client_id)


def client_id_of(raw: dict[str, Any]) -> str | None:
    """The client_id an error about this frame names (any frame may carry one)."""
    value = raw.get("client_id")
    return value if isinstance(value, str) and len(value) <= 64 else None


# Outbound frames --------------------------------------------------------------------------------


class ReadyFrame(TypedDict):
    type: Literal["ready"]
    patient_id: int
    user_id: int
    conversation_id: int | None
    last_seq: int
    last_read_seq: int
    max_body: int


class MessagesFrame(TypedDict):
    type: Literal["messages"]
    replay: bool
    conversation_id: int | None
    messages: list[dict[str, Any]]
    limited: bool
    next_after_seq: int | None
    last_seq: int


class AckFrame(TypedDict):
    type: Literal["ack"]
    client_id: str
    seq: int
    duplicate: bool
    message: NotRequired[dict[str, Any]]  # the new message, when it is next on the sender's socket


class MarkedReadFrame(TypedDict):
    type: Literal["marked_read"]
    last_read_seq: int


class ReadFrame(TypedDict):
    type: Literal["read"]
    user_id: Any
    seq: Any


class PongFrame(TypedDict):
    type: Literal["pong"]


class ErrorFrame(TypedDict):
    type: Literal["error"]
    code: str
    detail: str
    field: NotRequired[str]
    client_id: NotRequired[str]
    retryable: NotRequired[bool]
    retry_after: NotRequired[int]


OutboundFrame = ReadyFrame | MessagesFrame | AckFrame | MarkedReadFrame | ReadFrame | PongFrame | ErrorFrame


def ready(
    *, patient_id: int, user_id: int, conversation_id: int | None, last_seq: int, last_read_seq: int
) -> ReadyFrame:
    return ReadyFrame(
        type="ready",
        patient_id=patient_id,
        user_id=user_id,
        conversation_id=conversation_id,
        last_seq=last_seq,
        last_read_seq=last_read_seq,
        max_body=MAX_BODY_CHARS,
    )


def messages(page: Page, *, replay: bool) -> MessagesFrame:
    return MessagesFrame(
        type="messages",
        replay=replay,
        conversation_id=page.conversation_id,
        messages=page.messages,
        limited=page.limited,
        next_after_seq=page.next_after_seq,
        last_seq=page.last_seq,
    )


def ack(*, client_id: str, seq: int, duplicate: bool) -> AckFrame:
    return AckFrame(type="ack", client_id=client_id, seq=seq, duplicate=duplicate)


def marked_read(last_read_seq: int) -> MarkedReadFrame:
    return MarkedReadFrame(type="marked_read", last_read_seq=last_read_seq)


def read(*, user_id: Any, seq: Any) -> ReadFrame:
    return ReadFrame(type="read", user_id=user_id, seq=seq)


def pong() -> PongFrame:
    return PongFrame(type="pong")


def error(
    code: str,
    detail: Any,
    *,
    field: str | None = None,
    client_id: str | None = None,
    retryable: bool | None = None,
    retry_after: int | None = None,
) -> ErrorFrame:
    """An error frame; the optional keys only when they apply."""
    frame = ErrorFrame(type="error", code=code, detail=str(detail))
    if field is not None:
        frame["field"] = field
    if client_id is not None:
        frame["client_id"] = client_id
    if retryable is not None:
        frame["retryable"] = retryable
    if retry_after is not None:
        frame["retry_after"] = retry_after
    return frame


def refusal(exc: Exception, client_id: str | None) -> ErrorFrame:
    """The error frame answering a frame whose handling failed. It names the frame's client_id
    (so the client knows which message of its outbox it concerns) and says whether a retry with
    the same client_id may succeed (the client keeps the message) or not (the client gives the
    text back to the person)."""
    if isinstance(exc, RateLimited):
        return error(exc.code, exc.message, client_id=client_id, retry_after=exc.retry_after, retryable=True)
    if isinstance(exc, MessagingError):
        return error(exc.code, exc.message, field=exc.field, client_id=client_id, retryable=False)
    if isinstance(exc, DecryptionError):
        return error("unavailable", _("This conversation cannot be read."), client_id=client_id, retryable=False)
    return error("server_error", _("Something went wrong. Please try again."), client_id=client_id, retryable=True)


def encode(frame: OutboundFrame) -> str:
    return json.dumps(frame, ensure_ascii=False)
