"""allauth adapters: patients sign up themselves; TOTP secrets are sealed with the keyring."""

from __future__ import annotations

import base64
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from paceway.keyring.services import data_key_for, decrypt, encrypt

from .roles import Role

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
        return super().save_user(request, user, form, commit=commit)


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        sealed = encrypt(data_key_for(MFA_PURPOSE), text, context=MFA_PURPOSE)
        return MFA_PREFIX + base64.b64encode(sealed).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(MFA_PREFIX):
            raise ValueError("MFA secret is not sealed by the keyring")
        sealed = base64.b64decode(encrypted_text[len(MFA_PREFIX) :])
        return decrypt(data_key_for(MFA_PURPOSE), sealed, context=MFA_PURPOSE)
