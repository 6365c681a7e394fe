from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paceway.accounts.services import create_first_administrator


class Command(BaseCommand):
    help = (
        "Create the first administrator on a fresh install, without working e-mail: the address is "
        "marked verified, an authenticator is enrolled (its otpauth URI is printed once) and a "
        "one-time link to choose a password is printed. Refused if an administrator exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="Display name")
        parser.add_argument(
            "--force-another", action="store_true", help="Create one even though an administrator already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = create_first_administrator(
                email=options["email"], display_name=options["name"], another=options["force_another"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        out = self.stdout.write
        out(f"Administrator {created.user.email} created. This is shown once: keep it private.")
        out("")
        out("1. Add this to an authenticator app (or turn it into a QR code with `qrencode -t ansiutf8`):")
        out(f"   {created.otpauth_uri}")
        out("2. Choose a password (one-time link, valid for a few days):")
        out(f"   {settings.SITE_URL}{created.set_password_path}")
        out("3. Log in with the e-mail address, the password and a code from the app.")
        out("")
        out("Recovery codes (each works once if the authenticator is lost):")
        out("   " + " ".join(created.recovery_codes))
