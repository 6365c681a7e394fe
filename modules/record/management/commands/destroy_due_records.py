"""Destroy now every closed record whose retention has passed (the scheduler does it every six
hours): run it right after restoring a backup taken before a destruction."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from modules.record.services import destroy_due


class Command(BaseCommand):
    help = "Destroy every closed record whose retention period has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        destroyed = destroy_due()
        self.stdout.write(f"{len(destroyed)} record(s) destroyed.")
