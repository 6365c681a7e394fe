"""Requests whose ``user`` is known to be signed in, for views behind ``login_required`` (or an API
view whose permission requires a signed-in user), as django-stubs documents: the view then passes
``request.user`` to services typed ``User`` without narrowing it again.

Annotations only: at run time the request is Django's (or DRF's) own object.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from paceway.accounts.models import User

# Whoever is on a request: a signed-in user or the anonymous one (access checks answer both).
RequestUser: TypeAlias = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    user: User


class AuthenticatedApiRequest(Request):
    user: User


def signed_in(request: HttpRequest) -> User:
    """``request.user`` where the admin site has already refused anonymous visitors (an override
    cannot narrow its ``request`` parameter); an anonymous one here is refused, never let through."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
