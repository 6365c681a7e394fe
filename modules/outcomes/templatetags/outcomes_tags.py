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


@register.inclusion_tag("outcomes/partials/alert_banner.html", takes_context=True)
def alert_banner(context: Any) -> dict[str, Any]:
    """The clinician's risk banner as the page is rendered (the live script adds to it)."""
    from ..selectors import alert_banner as lines

    request = context.get("request")
    return {"alert_banner": lines(getattr(request, "user", None))}


@register.inclusion_tag("outcomes/partials/alert_banner_script.html")
def alert_banner_script() -> dict[str, Any]:
    """The live script, with each level's line in the page's language."""
    from ..levels import banner_messages

    return {"alert_banner_messages": banner_messages()}
