from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paceway.ops.secrets import WARNING, RefusedError, env_file, generate, write_new


class Command(BaseCommand):
    help = (
        "Print (or write to a new file) an env file with strong SECRET_KEY, ENCRYPTION_KEYS and AUDIT_HMAC_KEY. "
        "Without any settings: python -m paceway.ops.secrets"
    )
    requires_system_checks = ()  # runs before anything else is configured

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Write to this new file (mode 600); an existing file is never overwritten")

    def handle(self, *args: Any, **options: Any) -> None:
        text = env_file(generate())
        output = options.get("output")
        if output:
            try:
                write_new(Path(output), text)
            except RefusedError as exc:
                raise CommandError(str(exc)) from None
            self.stderr.write(f"Wrote {output} (mode 600).")
        else:
            self.stdout.write(text, ending="")
        self.stderr.write(self.style.WARNING("IMPORTANT: " + WARNING))
