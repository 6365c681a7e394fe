from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paceway.audit import witness
from paceway.audit.chain import verify


class Command(BaseCommand):
    help = "Check the audit log's HMAC chain; report the first broken row and exit non-zero."

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if verdict.wrong_key:
            raise CommandError(verdict.problem)
        if not verdict.ok:
            where = f"row {verdict.first_bad_id}" if verdict.first_bad_id else "end of chain"
            raise CommandError(f"Audit chain broken at {where} after {verdict.checked} good rows: {verdict.problem}")
        seen = witness.check()
        if not seen.ok:
            raise CommandError(f"Audit chain truncated: {seen.problem}")
        self.stdout.write(f"Audit chain intact: {verdict.checked} rows verified.")
        if seen.checked:
            self.stdout.write("The heads copied outside the database are all present.")
