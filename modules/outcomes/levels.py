"""The level of a risk alert, in words, for the dashboard banner (live and after a reload).

One key per alert: the follow-up screener's triage level (``low``, ``moderate``, ``high``),
``text`` for a "possible risk in text" alert, ``unscreened`` for a risk answer whose follow-up
screen is not answered yet. The key is all the live doorbell carries (no patient, no id); the
words come from here so the socket and the page say the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

LEVELS = ("high", "moderate", "low", "unscreened", "text")  # the banner's order: most urgent first

LABELS = {
    "high": _("HIGH risk"),
    "moderate": _("Moderate risk"),
    "low": _("Low risk"),
    "unscreened": _("Risk answer, follow-up screen not answered yet"),
    "text": _("Possible risk in text"),
}


def alert_level(alert: Any) -> str:
    """The banner key of one alert."""
    if alert.kind == "text":
        return "text"
    return alert.triage_level if alert.triage_level in LABELS else "unscreened"


def label(level: str) -> str:
    return str(LABELS.get(level, LABELS["unscreened"]))


def banner_messages() -> dict[str, str]:
    """Each level's banner line, for the page and the live script (data attributes)."""
    return {level: str(_("%(level)s: a risk alert needs your attention") % {"level": label(level)}) for level in LEVELS}
