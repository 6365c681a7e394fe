from __future__ import annotations

from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from paceway.accounts.demo import demo_totp_secret


class Command(BaseCommand):
    help = "Print the current TOTP code for the demo secret (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Only for demo use (DEBUG=true).")
        counter = list(yield_hotp_counters_from_time())[len(list(yield_hotp_counters_from_time())) // 2]
        self.stdout.write(format_hotp_value(hotp_value(demo_totp_secret(), counter)))
