from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator

from .roles import needs_mfa


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_satisfied(user: Any) -> bool:
    """Therapists and administrators need an enrolled TOTP authenticator; patients do not."""
    return not needs_mfa(user) or has_totp(user)
