"""The OpenAPI schema: the error answers every API view can give, documented once.

drf-spectacular documents the success answer a view declares. The API also answers, without a
view saying so:
- 400: bad input (a serializer's field errors, or ``detail`` for a body that is too large, too
  deeply nested, not JSON or contains a NUL character: ``paceway.inputs``);
- 403: not signed in, MFA missing, or a role that may not use the view;
- 404: an object that does not exist or belongs to someone else (never told apart), on views
  with path parameters;
- 429: too many requests, on views with a throttle.
A view's own ``extend_schema(responses=...)`` for one of these codes is kept.

Schema and docs are served only to signed-in therapists and administrators
(``SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]``): they describe the clinical API, and nobody else
needs them to use the application.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import BasePermission

from paceway.accounts.mfa import mfa_satisfied
from paceway.accounts.roles import CLINICIAN_ROLES, role_of


class ErrorOut(serializers.Serializer[dict[str, Any]]):
    detail = serializers.CharField(help_text=_("What went wrong, for a person to read."))


BAD_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Field errors (field name -> messages), or `detail` for a body refused as a whole.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def error_responses(*, has_path_parameters: bool, throttled: bool) -> dict[str, OpenApiResponse]:
    responses = {
        "400": OpenApiResponse(BAD_REQUEST_SCHEMA, description="Bad input; nothing was changed."),
        "403": OpenApiResponse(ErrorOut, description="Not signed in, MFA not satisfied, or not allowed for this role."),
    }
    if has_path_parameters:
        responses["404"] = OpenApiResponse(
            ErrorOut, description="Not found, or not yours to see (the two are never told apart)."
        )
    if throttled:
        responses["429"] = OpenApiResponse(ErrorOut, description="Too many requests; retry later.")
    return responses


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema with the error answers above added to every operation."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        extra = error_responses(
            has_path_parameters="{" in self.path,
            throttled=bool(getattr(self.view, "throttle_classes", None)),
        )
        # drf-spectacular leaves this helper unannotated.
        response_for_code = cast(Callable[..., dict[str, Any]], self._get_response_for_code)
        for code, response in extra.items():
            if code not in responses:
                responses[code] = response_for_code(response, code, direction=direction)
        return responses


class IsSignedInStaff(BasePermission):
    """Therapists and administrators, signed in with MFA satisfied."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return role_of(user) in CLINICIAN_ROLES and mfa_satisfied(user)
