from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .roles import role_of


def role(request: HttpRequest) -> dict[str, Any]:
    return {
        "user_role": role_of(getattr(request, "user", None)),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_contact": settings.CLINIC_CONTACT,
    }
