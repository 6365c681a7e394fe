"""Submission tokens: a form submitted again after a lost response is stored once.

Each render of a form carries a fresh random token in a hidden field; the browser's retry (the
user pressing Save again, or submit-fallback.js re-posting) sends the same token. The service
stores the token beside the row it creates, under a unique (patient, token) constraint, and
answers a repeated token with the row already stored instead of a second one.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

FIELD = "submission_token"
MAX_LENGTH = 64
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_token() -> str:
    """A token for one render of a form."""
    return uuid.uuid4().hex


def posted_token(data: Any) -> str:
    """The token a submission carries, or "" when it has none or a malformed one (no dedup then)."""
    value = data.get(FIELD, "") if data is not None else ""
    return value if isinstance(value, str) and _SHAPE.match(value) else ""


def token_for_render(data: Any = None) -> str:
    """Re-rendering a refused submission keeps its token (the same form, corrected); else a new one."""
    return posted_token(data) or new_token()
