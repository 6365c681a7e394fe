"""What each staff role may do in the Django admin, decided here and nowhere else.

Nobody is a superuser: an administrator is a staff account whose role grants exactly the admin
permissions below (accounts, invitations, MFA resets, therapist profiles, assignments, the
clinic's crisis profile; e-mail addresses and authenticators read-only). No model holding
clinical data is registered in the admin, and no role grants a permission on one. A privacy
officer reads the audit log, nothing else. Permissions come from the role, not from database
rows, so they cannot drift and a test can state them exactly.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from .roles import Role, role_of

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            "accounts.view_user",
            "accounts.change_user",
            "accounts.view_therapistprofile",
            "accounts.change_therapistprofile",
            "accounts.view_careassignment",
            "accounts.add_careassignment",
            "accounts.view_invitation",
            "accounts.add_invitation",
            "accounts.view_mfareset",
            "accounts.add_mfareset",
            "account.view_emailaddress",
            "mfa.view_authenticator",
            "outcomes.view_clinicprofile",
            "outcomes.add_clinicprofile",
            "outcomes.change_clinicprofile",
        }
    ),
    Role.PRIVACY_OFFICER: frozenset({"audit.view_auditevent"}),
}


def permissions_of(user: Any) -> frozenset[str]:
    """The admin permissions of an active user's role (none for patients and therapists)."""
    role = role_of(user)
    return ROLE_PERMISSIONS.get(role, frozenset()) if role is not None else frozenset()


class RolePermissionBackend(BaseBackend):
    """An authentication backend that authenticates nobody and grants each role its permissions."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set(permissions_of(user_obj)) if obj is None else set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return obj is None and perm in permissions_of(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in permissions_of(user_obj))
