"""Who may do what in the program, built on paceway.accounts.access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paceway.accounts.access import can_manage_accounts, can_tailor, can_view_clinical
from paceway.accounts.roles import is_patient

if TYPE_CHECKING:
    from paceway.accounts.models import User
    from paceway.typing import RequestUser


def can_do_program_work(user: RequestUser | None, patient: User) -> bool:
    """Only the patient writes their own exercises, completions and choices."""
    return is_patient(user) and user.pk == patient.pk and can_view_clinical(user, patient)


def can_view_program_work(user: RequestUser | None, patient: User) -> bool:
    """The patient and their assigned therapist."""
    return can_view_clinical(user, patient)


def can_enrol(user: RequestUser | None, patient: User) -> bool:
    return can_tailor(user, patient) or can_manage_accounts(user)


__all__ = ["can_do_program_work", "can_enrol", "can_tailor", "can_view_program_work"]
