"""What comes in from a client, cleaned: the values of a send, a resume, a read marker or a page
request, shared by the socket, the API and the page thread. Raises ``InvalidInput``."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

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
