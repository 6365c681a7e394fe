"""French renderings of the demo world: every persona, every page, every e-mail.

``pseudo_french`` swaps the French catalogue for one that wraps each translated string in ⟦ ⟧, so
that whatever is left outside the brackets was never marked for translation: the check works before
(and whatever) the translators have written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils.translation import trans_real
from django.utils.translation.trans_real import CONTEXT_SEPARATOR

FRENCH = "fr-ca"
PSEUDO = re.compile(r"⟦[^⟦⟧]*⟧")
# A translated string with markup inside is cut into several text nodes: "⟦Hello <a>" ... "</a>⟧".
OPENED = re.compile(r"⟦[^⟦⟧]*$")
CLOSED = re.compile(r"^[^⟦⟧]*⟧")


def strip_marked(text: str) -> str:
    """What is left of a pseudo-French string once every translated part is taken out."""
    previous = None
    while previous != text:
        previous, text = text, PSEUDO.sub(" ", text)
    return CLOSED.sub(" ", OPENED.sub(" ", text))


@pytest.fixture
def demo(db: None, settings: Any) -> dict[str, Any]:
    """The program and the demo accounts with their weeks of data (as `make run` has them)."""
    from paceway.accounts.demo import load_demo

    settings.DEBUG = True  # demo data is refused in production
    call_command("load_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    accounts = load_demo()
    settings.DEBUG = False
    return accounts


def french_client(user: Any | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = FRENCH
    client.raise_request_exception = False
    if user is not None:
        type(user).objects.filter(pk=user.pk).update(preferred_language=FRENCH)
        user.preferred_language = FRENCH
        client.force_login(user)
    return client


@pytest.fixture
def pseudo_french(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original_gettext = trans_real.DjangoTranslation.gettext
    original_ngettext = trans_real.DjangoTranslation.ngettext

    def gettext(self: Any, message: str) -> str:
        result = original_gettext(self, message)
        if not (self.language() or "").startswith("fr") or not message:
            return result
        return f"⟦{result.split(CONTEXT_SEPARATOR)[-1]}⟧"  # pgettext: untranslated keeps its context

    def ngettext(self: Any, singular: str, plural: str, number: int) -> str:
        result = original_ngettext(self, singular, plural, number)
        if not (self.language() or "").startswith("fr"):
            return result
        return f"⟦{result.split(CONTEXT_SEPARATOR)[-1]}⟧"

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", ngettext)
    yield


# The browser journey reuses the browser tests' live server, Chromium and login.
from tests.browser.conftest import browser, login, new_page, paceway_server  # noqa: E402, F401
