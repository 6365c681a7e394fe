"""``{% screening_waiting_count user as n %}``: screening decisions this therapist may make.

A count only (no health data), one query whatever the caseload size, so the dashboard's query
count stays constant.
"""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import waiting_count_for

register = template.Library()


@register.simple_tag
def screening_waiting_count(user: Any) -> int:
    return waiting_count_for(user)
