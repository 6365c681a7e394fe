from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paceway.audit.chain import key_matches
from paceway.keyring.services import check_keys


class Command(BaseCommand):
    help = (
        "Check that ENCRYPTION_KEYS and AUDIT_HMAC_KEY are the keys this database was written with "
        "(run after restoring a backup, before starting the site). Exits non-zero naming the wrong variable."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = check_keys()
        if key_matches() is False:
            problems.append("AUDIT_HMAC_KEY is not the key this audit log was written with (its fingerprint differs)")
        if problems:
            raise CommandError(
                "Wrong keys for this database:\n  - " + "\n  - ".join(problems) + "\nConfigure the values that "
                "belong with this database (kept with the backup's keys, never beside the dump)."
            )
        self.stdout.write("ENCRYPTION_KEYS and AUDIT_HMAC_KEY match this database.")
