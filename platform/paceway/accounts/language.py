"""Each person's language: chosen from the browser at first visit, kept on the account, and used
for everything sent to them (e-mails, reminders, text messages), whoever triggers the sending."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import translation


def supported_language(code: str | None) -> str | None:
    """The LANGUAGES code for ``code`` ("fr" and "fr-CA" give "fr-ca"), or None if not offered."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def language_of(person: Any) -> str:
    """The language to address this person in: their own, else the clinic's default."""
    chosen = supported_language(getattr(person, "preferred_language", "") or "")
    return chosen or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(person: Any) -> Iterator[str]:
    """Render what goes to ``person`` (subject, body, text message) in their language."""
    language = language_of(person)
    with translation.override(language):
        yield language


def current_language() -> str:
    """A new account's language: the one the person was reading in when it was made (the
    browser's at first visit, or what they switched to), else the clinic's default."""
    return supported_language(translation.get_language()) or settings.LANGUAGE_CODE
