"""Who may use the record pages: a patient, for their own record only (no ids in the URLs, so
nobody can name another patient's record). Anyone else gets 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from paceway.accounts.roles import is_patient

if TYPE_CHECKING:
    from paceway.accounts.models import User
    from paceway.typing import RequestUser


def own_record_of(user: RequestUser | None) -> User:
    """The signed-in patient, whose record this is; ``Http404`` for anyone else."""
    if not is_patient(user):
        raise Http404
    return user
