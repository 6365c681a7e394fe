"""Turn ``EMAIL_URL`` into Django e-mail settings.

Supported: ``console://``, ``locmem://``, ``file:///path``, ``smtp://user:pass@host:port`` and
``smtps://`` (implicit TLS) or ``smtp+tls://`` (STARTTLS).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
}


def parse_email_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in _BACKENDS:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not one of {', '.join(sorted(_BACKENDS))}")
    config: dict[str, Any] = {"EMAIL_BACKEND": _BACKENDS[parts.scheme]}
    if parts.scheme == "file":
        config["EMAIL_FILE_PATH"] = parts.path
    elif parts.scheme.startswith("smtp"):
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 587),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=parts.scheme == "smtp+tls",
            EMAIL_TIMEOUT=10,
        )
    return config
