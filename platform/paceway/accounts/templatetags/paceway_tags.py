"""Small template helpers shared by every app's pages."""

from __future__ import annotations

from functools import lru_cache

from django import template

from ..forms import zone_choices

register = template.Library()


@lru_cache(maxsize=1)
def _zones() -> tuple[tuple[str, str], ...]:
    return tuple(zone_choices())


@register.simple_tag
def time_zone_names() -> tuple[tuple[str, str], ...]:
    """The IANA zones, for the <datalist> beside a time-zone field."""
    return _zones()
