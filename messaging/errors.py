"""Messaging's refusals: one family the edges turn into an error frame or a 4xx.

At the bottom of the messaging modules (nothing here imports them), so that every layer can raise
and catch the same types. A refusal never contains message text.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class MessagingError(Exception):
    """A refusal the edges turn into an error frame or a 4xx. Never contains message text."""

    code = "invalid"

    def __init__(self, message: Any = "", *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class NotAllowed(MessagingError, PermissionDenied):
    """Not the patient, not their current therapist (or the patient is gone): looks like 404.
    A ``PermissionDenied`` like every other refusal, so one type means "not allowed" everywhere."""

    code = "not_found"


class InvalidInput(MessagingError):
    code = "invalid"


class ConversationClosed(MessagingError):
    code = "closed"


class RateLimited(MessagingError):
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(_("You are sending too fast. Please wait a moment."))
        self.retry_after = retry_after
