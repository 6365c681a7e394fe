"""Administrators edit the clinic's crisis resources, hours and escalation ladder here.

Every save is a new version (the edited row is kept as history); versions cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest

from paceway.typing import signed_in

from . import services
from .clinic import current_profile
from .models import ClinicProfile


@admin.register(ClinicProfile)
class ClinicProfileAdmin(admin.ModelAdmin[ClinicProfile]):
    list_display = ("clinic_name", "contact_phone", "time_zone", "created_at", "created_by")
    readonly_fields = ("created_at", "created_by")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new version starts from the current one (or the environment's defaults)."""
        current = current_profile()
        data = model_to_dict(current, exclude=["id", "created_at", "created_by"])
        return {**data, **super().get_changeform_initial_data(request)}

    def save_model(self, request: HttpRequest, obj: ClinicProfile, form: Any, change: bool) -> None:
        services.save_clinic_profile(actor=signed_in(request), profile=obj)  # a new version, audited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
