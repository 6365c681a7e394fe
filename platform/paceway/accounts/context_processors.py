from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import role_of


def role(request: HttpRequest) -> dict[str, Any]:
    return {
        "user_role": role_of(getattr(request, "user", None)),
    }
