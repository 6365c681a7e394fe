from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from paceway.keyring.crypto import master_keys
from paceway.keyring.services import rotate_master_key


class Command(BaseCommand):
    help = (
        "Re-wrap every data key under the first key in ENCRYPTION_KEYS. Put the new key first, "
        "keep the old one listed until this finishes, then remove it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = rotate_master_key()
        self.stdout.write(f"Re-wrapped {count} data keys under master key {master_keys().primary_id!r}.")
