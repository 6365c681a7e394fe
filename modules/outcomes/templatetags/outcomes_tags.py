from __future__ import annotations

from typing import Any

from django import template

from paceway.accounts.roles import is_patient

register = template.Library()


@register.inclusion_tag("outcomes/partials/gentle_resources.html", takes_context=True)
def gentle_resources(context: Any) -> dict[str, Any]:
    """For a patient whose own words just suggested possible risk: the resources, gently."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not is_patient(user) or context.get("crisis") or context.get("panel"):
        return {"show": False}
    from ..services import recent_text_alert

    return {"show": recent_text_alert(user)}
