"""`manage.py check --deploy`: production must not show patients the demo clinic's name and phone
on the crisis panel.

The check reads the saved clinic profile when the database has the table, and otherwise (no
migrations yet, database unreachable) the environment defaults ``CLINIC_NAME`` and
``CLINIC_CONTACT`` that seed the profile: it never crashes, and it fails whenever the values
patients would see are the demo ones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def clinic_profile_is_not_demo(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG:
        return []
    from .clinic import deploy_profile, is_demo

    profile = deploy_profile()
    if is_demo(profile):
        return [
            Error(
                "The clinic's crisis resources are still the demo values (clinic name or phone).",
                hint="Set the clinic profile in the admin (Clinic profiles), or CLINIC_NAME and CLINIC_CONTACT "
                "in the environment before the first start.",
                id="outcomes.E001",
            )
        ]
    return []
