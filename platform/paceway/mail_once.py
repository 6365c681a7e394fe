"""One way to send a "something is waiting" e-mail once: the only one reminders and message
notifications use.

1. The recipient's wishes first: an inactive account, no address, the reason turned off, or quiet
   hours send nothing and record nothing (a later run sends it once quiet hours are over).
2. A keyed row (``record``, a model with a unique constraint) is committed before anything goes
   out, so a scheduler that fires twice or a retried task sends at most once.
3. The text is composed in the recipient's language and sent after commit. If sending fails, the
   log names the user id and the error type only; ``forget`` (when given) deletes the row so the
   next run tries again, otherwise the e-mail is not retried (at most once).

The e-mails carry no health data: only that something is waiting, and a link.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Protocol

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from paceway.accounts.language import in_language_of

logger = logging.getLogger(__name__)


class Wishes(Protocol):
    """What the recipient asked for (the program app's ``ReminderPreference``)."""

    def wants(self, reason: str) -> bool: ...

    def is_quiet(self, local_time: time) -> bool: ...


def send_once(
    *,
    recipient: Any,
    record: Callable[[], Any],
    compose: Callable[[], tuple[str, str]],
    wishes: Wishes | None = None,
    reason: str = "",
    now: datetime | None = None,
    retry_on_failure: bool = False,
    on_sent: Callable[[Any], object] | None = None,
) -> bool:
    """True when the e-mail was recorded and handed over (or, inside a caller's transaction,
    queued for its commit); False when it was not wanted, held, already sent or failed.
    ``on_sent(row)`` runs once the e-mail is handed to the mail server."""
    if not recipient.is_active or not recipient.email:
        return False
    if wishes is not None:
        if not wishes.wants(reason):
            return False
        if wishes.is_quiet(timezone.localtime(now or timezone.now()).time()):
            return False  # not recorded: a later run sends it once quiet hours are over
    try:
        with transaction.atomic():
            row = record()
            with in_language_of(recipient):
                subject, body = compose()
    except IntegrityError:
        return False  # recorded already: sent before, or another run got here first
    letter = _Letter(recipient.pk, recipient.email, str(subject), str(body), row, retry_on_failure, on_sent)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(letter.send)
        return True
    return letter.send()


@dataclass(frozen=True)
class _Letter:
    user_id: int
    email: str
    subject: str
    body: str
    row: Any
    retry_on_failure: bool
    on_sent: Callable[[Any], object] | None

    def send(self) -> bool:
        try:
            send_mail(self.subject, self.body, None, [self.email])
        except Exception as exc:  # noqa: BLE001 - any SMTP failure: logged (ids only), the run goes on
            logger.warning(
                "E-mail to user %s not sent (%s); %s.",
                self.user_id,
                type(exc).__name__,
                "the next run tries again" if self.retry_on_failure else "recorded, so not retried",
            )
            if self.retry_on_failure:
                self.row.delete()
            return False
        if self.on_sent is not None:
            self.on_sent(self.row)
        return True
