from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from paceway.accounts.demo import describe, load_demo


class Command(BaseCommand):
    help = "Create the demo accounts (refused when DEBUG=false)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(describe(load_demo()))
