"""Who may do what in the program, built on paceway.accounts.access."""

from __future__ import annotations

from typing import Any

from paceway.accounts.access import can_manage_accounts, can_tailor, can_view_clinical
from paceway.accounts.roles import is_patient


def can_do_program_work(user: Any, patient: Any) -> bool:
    """Only the patient writes their own exercises, completions and choices."""
    return is_patient(user) and user.pk == patient.pk and can_view_clinical(user, patient)


def can_view_program_work(user: Any, patient: Any) -> bool:
    """The patient and their assigned therapist."""
    return can_view_clinical(user, patient)


def can_enrol(user: Any, patient: Any) -> bool:
    return can_tailor(user, patient) or can_manage_accounts(user)


__all__ = ["can_do_program_work", "can_enrol", "can_tailor", "can_view_program_work"]
