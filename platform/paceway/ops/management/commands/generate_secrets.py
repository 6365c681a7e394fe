from __future__ import annotations

import base64
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

WARNING = (
    "Store ENCRYPTION_KEYS and AUDIT_HMAC_KEY somewhere other than the database backups (a password "
    "manager or secret store, with its own backup). Without ENCRYPTION_KEYS, messages, notes and "
    "authenticator secrets in every backup are unreadable; without AUDIT_HMAC_KEY the audit log cannot "
    "be verified. A backup kept beside its keys protects nothing."
)


def generate(today: datetime | None = None) -> dict[str, str]:
    """Fresh values in the formats settings expect. The key id carries the date, so a later
    rotation (a new key put first) gets a distinct id."""
    key_id = f"k{(today or datetime.now(UTC)):%Y%m%d}"
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ENCRYPTION_KEYS": f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
    }


def env_file(values: dict[str, str]) -> str:
    lines = [
        f"# Paceway secrets, generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `manage.py generate_secrets`.",
        "# SECRET_KEY signs sessions and links; replacing it logs everyone out.",
        f"SECRET_KEY={values['SECRET_KEY']}",
        "# " + WARNING,
        "# ENCRYPTION_KEYS: id:base64(32 bytes), comma-separated, newest first (see manage.py rotate_master_key).",
        f"ENCRYPTION_KEYS={values['ENCRYPTION_KEYS']}",
        f"AUDIT_HMAC_KEY={values['AUDIT_HMAC_KEY']}",
    ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print (or write to a new file) an env file with strong SECRET_KEY, ENCRYPTION_KEYS and AUDIT_HMAC_KEY."
    requires_system_checks: list[str] = []  # runs before anything else is configured

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Write to this new file (mode 600); an existing file is never overwritten")

    def handle(self, *args: Any, **options: Any) -> None:
        text = env_file(generate())
        output = options.get("output")
        if output:
            path = Path(output)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise CommandError(f"{path} exists: refusing to overwrite secrets (move it away first)") from None
            except OSError as exc:
                raise CommandError(f"cannot create {path}: {exc.strerror}") from None
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {path} (mode 600).")
        else:
            self.stdout.write(text, ending="")
        self.stderr.write(self.style.WARNING("IMPORTANT: " + WARNING))
        sys.stderr.flush()
