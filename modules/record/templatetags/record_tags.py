"""The export keeps times as ISO 8601 text (the JSON file); the page shows them as dates and times
in the reader's language and time zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def when(value: Any) -> str:
    """An ISO 8601 date or date-time (or a date/datetime) as the language's DATETIME_FORMAT."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


@register.filter
def correction_status(value: str) -> str:
    """A correction request's status code (as in the JSON file) in words."""
    from modules.record.models import CorrectionRequest

    try:
        return str(CorrectionRequest.Status(value).label)
    except ValueError:
        return value
