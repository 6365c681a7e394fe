"""allauth adapters: patients sign up themselves; TOTP secrets are sealed with the keyring."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from paceway.keyring.services import data_key_for, decrypt, encrypt

from . import emails
from .language import current_language, language_of
from .models import User
from .roles import Role


@dataclass(frozen=True)
class ClinicSite:
    """Stands in for allauth's ``current_site``: the clinic, not the host name of the request."""

    name: str
    domain: str


MFA_PREFIX = "kr1:"
MFA_PURPOSE = "mfa-secrets"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # Self-registration only ever makes patients; staff join by invitation.
        user.role = Role.PATIENT
        user.is_staff = False
        user.is_superuser = False
        user.preferred_language = current_language()  # the browser's at first visit, or the one switched to
        return super().save_user(request, user, form, commit=commit)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        # SITE_URL (which follows PORT in development), like every other link Paceway e-mails.
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    # E-mails: the clinic's name (never "Hello from 127.0.0.1:8101!"), text and HTML.
    def format_email_subject(self, subject: str) -> str:
        return emails.subject_line(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        site = ClinicSite(name=settings.CLINIC_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        # In the recipient's language (their account's); someone with no account yet (a reset asked
        # for an unknown address) gets the language of the page they asked from.
        recipient = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = language_of(recipient) if recipient is not None else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, {**context, "current_site": site, "clinic_name": site.name})

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        context = {
            **context,
            "current_site": ClinicSite(name=settings.CLINIC_NAME, domain=urlsplit(settings.SITE_URL).netloc),
        }
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            message.attach_alternative(
                emails.html_from_text(str(message.body), subject=str(message.subject)), "text/html"
            )
        return message


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        sealed = encrypt(data_key_for(MFA_PURPOSE), text, context=MFA_PURPOSE)
        return MFA_PREFIX + base64.b64encode(sealed).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(MFA_PREFIX):
            raise ValueError("MFA secret is not sealed by the keyring")
        sealed = base64.b64decode(encrypted_text[len(MFA_PREFIX) :])
        return decrypt(data_key_for(MFA_PURPOSE), sealed, context=MFA_PURPOSE)
