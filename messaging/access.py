"""Who may read or write a conversation: the patient and their current care team.

Writes and reads check with ``require_participant``. A socket decides once at connect and keeps
the decision in a ``SocketAccess`` memo, decided again when it is due (``memo_seconds`` after it
was made, or at once after a recheck event) by the functions below; they run in a database
thread (never the event loop's), and the group commit's thread and ``local_delivery`` ask the
memo (``participants``, ``prepare``) rather than the socket.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils.translation import gettext_lazy as _

from paceway.accounts.access import can_change_clinical, can_view_clinical
from paceway.accounts.mfa import mfa_satisfied
from paceway.accounts.middleware import LOGIN_AT, SEEN_AT, session_deadline, session_expired

from . import limits
from .errors import NotAllowed

FRESH = object()
"""``decide(memo, session=FRESH)``: read the session again."""


def require_participant(user: Any, patient: Any, *, write: bool = False) -> None:
    """``NotAllowed`` (a 404 to the edges) unless ``user`` may read (or ``write``) the conversation."""
    allowed = can_change_clinical(user, patient) if write else can_view_clinical(user, patient)
    if not allowed:
        raise NotAllowed(_("Not found."))


def recheck_seconds() -> float:
    """Access is decided at connect and decided again on events: logout, deactivation and changes
    of the care team ring the socket at once (a recheck event), and the session's expiry has a
    timer of its own. This periodic re-check (jittered: 0.5-1x) only bounds what an event lost
    while Redis was down can leave stale; at 300 s, 2,000 idle sockets make about 9 a second."""
    return float(getattr(settings, "MESSAGING_RECHECK_SECONDS", 300))


def jittered(seconds: float) -> float:
    """Spread over 0.5-1x, so that sockets opened together (after a restart, say) do not all
    re-check at once."""
    return seconds * random.uniform(0.5, 1.0)


class Participants(Protocol):
    """A group-commit job that takes the socket's user and patient once access is checked."""

    def take_participants(self, user: Any, patient: Any) -> None: ...


@dataclass(eq=False, slots=True)
class SocketAccess:
    """One socket's access decision. ``decided_at`` is ``time.monotonic()`` from before the reads
    it was made of, so a change made meanwhile (and its recheck event) is never masked. The user
    and patient rows are kept only once the socket has sent or read (``holds_rows``): most
    sockets idle, and rows cost memory."""

    user_id: int
    patient_id: int
    session_key: str | None
    memo_seconds: float = field(default_factory=lambda: jittered(recheck_seconds()))
    allowed: bool = False
    decided_at: float = 0.0
    session_deadline: float | None = None  # time.time() when the session would expire
    last_client_frame: float = 0.0  # time.time() of the person's last frame: activity
    holds_rows: bool = False
    user: Any = None
    patient: Any = None

    def due(self) -> bool:
        """No decision, or one older than ``memo_seconds``: decide again before relying on it."""
        return not self.allowed or time.monotonic() - self.decided_at >= self.memo_seconds

    def due_in(self) -> float:
        """Seconds until the decision is due (0: now)."""
        if not self.allowed:
            return 0.0
        return max(0.0, self.decided_at + self.memo_seconds - time.monotonic())

    def forget(self) -> None:
        """A recheck event (care team, logout, deactivation): no memoized decision."""
        self.allowed = False

    def participants(self) -> tuple[Any, Any]:
        """The user and patient as of the last decision (see ``checked``)."""
        return checked(self)

    def prepare(self, job: Participants) -> None:
        """The group commit's access check for this socket's job (in its thread)."""
        job.take_participants(*checked(self))


def load(memo: SocketAccess, user: Any = None) -> tuple[Any, Any]:
    """The socket's user and the conversation's patient, fresh from the database (one query).
    ``user``: the socket's user as this handshake has just loaded it (then only the patient is
    read, and nothing when the user is the patient)."""
    wanted = {memo.user_id, memo.patient_id}
    found = {}
    if user is not None and user.pk == memo.user_id:
        found[user.pk] = user
        wanted.discard(user.pk)
    if wanted:
        found.update({u.pk: u for u in get_user_model().objects.filter(pk__in=wanted)})
    patient = found.get(memo.patient_id)
    if patient is not None and patient.role != "patient":
        patient = None
    return found.get(memo.user_id), patient


def decide(memo: SocketAccess, *, session: Any = None, keep: bool = False, user: Any = None) -> bool:
    """Access as the database has it now, and the session's limits when ``session`` is given
    (a loaded session store, or ``FRESH`` to read it again). ``keep``: keep the rows even if the
    socket holds none yet (the handshake's are used once more, for the "ready" frame). ``user``:
    the row the handshake's session has just loaded (see ``load``)."""
    started = time.monotonic()
    user, patient = load(memo, user)
    allowed = (
        user is not None
        and patient is not None
        and user.is_active
        and (session is None or session_alive(memo, user, session))
        and mfa_satisfied(user)
        and can_view_clinical(user, patient)
    )
    if allowed and (memo.holds_rows or keep):
        memo.user, memo.patient = user, patient
    memo.allowed, memo.decided_at = allowed, started
    return allowed


def checked(memo: SocketAccess) -> tuple[Any, Any]:
    """The user and patient as of the last access decision (a new one when it is due);
    ``NotAllowed`` when access is gone. Usually the socket's own timer has re-decided before a
    send needs it."""
    if memo.due():
        memo.holds_rows = True  # from now on decisions keep the rows they load
        if not decide(memo):
            raise NotAllowed()
    elif memo.user is None:  # decided, but the rows were not kept (an idle socket's first use)
        memo.holds_rows = True
        memo.user, memo.patient = fresh_participants(memo)
    return memo.user, memo.patient


def fresh_participants(memo: SocketAccess) -> tuple[Any, Any]:
    """The user and patient read now (not kept); ``NotAllowed`` if either is gone."""
    user, patient = load(memo)
    if user is None or patient is None:
        raise NotAllowed()
    return user, patient


def handshake_participants(memo: SocketAccess) -> tuple[Any, Any]:
    """The rows the handshake's decision loaded, used once for the "ready" frame: an idle socket
    keeps none (memory)."""
    user, patient = (memo.user, memo.patient) if memo.user is not None else load(memo)
    if not memo.holds_rows:
        memo.user = memo.patient = None
    return user, patient


def session_alive(memo: SocketAccess, user: Any, session: Any) -> bool:
    """The session still exists and is within its role's idle and absolute limits (what the
    person does on the socket counts as activity, as a page request would). Notes when it
    would expire, for the socket's timer."""
    if session is FRESH:
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=memo.session_key)
    if session.get(SESSION_KEY) != str(memo.user_id):
        return False
    now = time.time()
    login_at = float(session.get(LOGIN_AT, now))
    seen_at = max(float(session.get(SEEN_AT, now)), memo.last_client_frame)
    role = str(user.role)
    if session_expired(role, login_at=login_at, seen_at=seen_at, now=now):
        return False
    memo.session_deadline = session_deadline(role, login_at=login_at, seen_at=seen_at)
    return True


def admit(memo: SocketAccess, session: Any, channel_name: str, user: Any = None) -> tuple[bool, int | None]:
    """The handshake's access decision and connection slot (None: too many sockets), in one trip
    to a database thread (not Channels' single shared thread, where every handshake's session is
    read). ``user``: the row Channels loaded for this handshake's session, a moment ago."""
    if not decide(memo, session=session, keep=True, user=user):
        return False, None
    return True, limits.acquire_slot(memo.user_id, channel_name)
