"""Text messages to staff (the escalation ladder), through a pluggable backend.

``settings.SMS_BACKEND`` names the class: ``ConsoleBackend`` (development: prints, digits
masked), ``LocmemBackend`` (tests: an outbox), ``TwilioBackend`` (production: Twilio's REST API
over plain HTTPS, credentials from ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``,
``TWILIO_FROM``). Messages never carry health data: only that something needs attention, and
where. A backend raises on failure; the ladder records the failure and retries.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSError(RuntimeError):
    pass


def _masked(number: str) -> str:
    return "*" * max(len(number) - 4, 0) + number[-4:]


class ConsoleBackend:
    def send(self, to: str, body: str) -> None:
        print(f"SMS to {_masked(to)}: {body}")  # the development backend prints


@dataclass(frozen=True)
class SentSMS:
    to: str
    body: str


outbox: list[SentSMS] = []


class LocmemBackend:
    def send(self, to: str, body: str) -> None:
        outbox.append(SentSMS(to, body))


class TwilioBackend:
    """POST /2010-04-01/Accounts/{sid}/Messages.json (form-encoded To, From, Body), basic auth."""

    url = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
    timeout = 10.0

    def __init__(self) -> None:
        self.sid = getattr(settings, "TWILIO_ACCOUNT_SID", "")
        self.token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
        self.sender = getattr(settings, "TWILIO_FROM", "")
        if not (self.sid and self.token and self.sender):
            raise SMSError("TwilioBackend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM")

    def request(self, to: str, body: str) -> urllib.request.Request:
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": body}).encode()
        auth = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        return urllib.request.Request(  # noqa: S310 - a fixed https URL
            self.url.format(sid=urllib.parse.quote(self.sid, safe="")),
            data=data,
            method="POST",
            headers={"Authorization": f"Basic {auth}", "Content-Type": "application/x-www-form-urlencoded"},
        )

    def send(self, to: str, body: str) -> None:
        try:
            with urllib.request.urlopen(self.request(to, body), timeout=self.timeout) as response:  # noqa: S310 - fixed https URL
                payload: Any = json.loads(response.read() or b"{}")
        except (OSError, ValueError) as exc:
            raise SMSError(f"Twilio request failed ({type(exc).__name__})") from None
        if payload.get("error_code"):
            raise SMSError(f"Twilio refused the message (error {payload.get('error_code')})")


def get_backend() -> Any:
    return import_string(getattr(settings, "SMS_BACKEND", "modules.outcomes.sms.ConsoleBackend"))()


def send_sms(to: str, body: str) -> None:
    get_backend().send(to, body)
