"""The alerts socket, ws/alerts/: a doorbell for the therapist's dashboard.

Only an authenticated, active therapist whose MFA is satisfied may connect; the socket joins the
therapist's own group and forwards ``{"type": "alert"}`` when a risk alert is raised for one of
their patients (or, for a clinical lead, one routed to the fallback queue). No health data and no
ids travel: the page only offers to reload, and the reload goes through the usual access checks.

Logout closes the socket of that session (4401) within a second; deactivation, or a lost MFA,
closes every socket of the user (4403): both arrive as an ``alert.recheck`` event (``signals``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model

from paceway.accounts.mfa import mfa_satisfied
from paceway.accounts.roles import is_therapist
from paceway.doorbell import session_fingerprint, therapist_group

logger = logging.getLogger(__name__)

CLOSE_SESSION_ENDED = 4401
CLOSE_FORBIDDEN = 4403


def _allowed(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_active and is_therapist(user) and mfa_satisfied(user))


def _still_allowed(user_id: int) -> bool:
    user = get_user_model().objects.filter(pk=user_id).first()
    return user is not None and _allowed(user)


class AlertConsumer(AsyncWebsocketConsumer):
    group: str | None = None
    session_fp = ""
    user_id = 0

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await database_sync_to_async(_allowed)(user):
            await self.close()  # before accept: the handshake is refused
            return
        group = therapist_group(user.pk)
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception as exc:  # noqa: BLE001 - channel layer down: no live doorbell, the page still works
            logger.warning("outcomes alerts socket: group_add failed (%s).", type(exc).__name__)
            await self.close()
            return
        self.group = group
        self.user_id = int(user.pk)
        self.session_fp = session_fingerprint(getattr(self.scope.get("session"), "session_key", None))
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception as exc:  # noqa: BLE001 - leaving must finish whatever the channel layer does
                logger.info("outcomes alerts socket: group_discard failed (%s).", type(exc).__name__)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The client has nothing to say; frames are ignored."""

    async def alert_recheck(self, event: dict[str, Any]) -> None:
        """Logout (of this session: close) or deactivation (re-read the user: close if refused)."""
        ended = event.get("ended_session")
        if ended and ended == self.session_fp:
            await self.close(CLOSE_SESSION_ENDED)
        elif not await database_sync_to_async(_still_allowed)(self.user_id):
            await self.close(CLOSE_FORBIDDEN)

    async def alert_raised(self, event: dict[str, Any]) -> None:
        from .levels import LEVELS

        frame: dict[str, Any] = {"type": "alert"}
        if event.get("level") in LEVELS:
            frame["level"] = event["level"]  # the level's key only: no patient, no id
        if event.get("urgent") is True:
            frame["urgent"] = True
        await self.send(text_data=json.dumps(frame))
