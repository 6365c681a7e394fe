"""Sleep diary arithmetic (pure) and its chart: time in bed, time asleep, sleep efficiency.

Time in bed runs from bedtime to rise time (past midnight when the rise time is earlier on the
clock). Time asleep = time in bed - time to fall asleep - time awake in the night. Sleep
efficiency = time asleep / time in bed x 100 (CBT for insomnia: under about 85% is low).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Night:
    in_bed_minutes: int
    asleep_minutes: int
    efficiency: float  # percent, unrounded


def night(bedtime: dt.time, rise_time: dt.time, minutes_to_sleep: int, minutes_awake: int) -> Night:
    """Raises ValueError when the awake minutes do not fit in the time in bed."""
    bed = bedtime.hour * 60 + bedtime.minute
    rise = rise_time.hour * 60 + rise_time.minute
    in_bed = (rise - bed) % (24 * 60)
    if in_bed == 0:
        raise ValueError("bedtime and rise time are the same")
    asleep = in_bed - minutes_to_sleep - minutes_awake
    if asleep < 0:
        raise ValueError("more time awake than in bed")
    return Night(in_bed, asleep, 100 * asleep / in_bed)


def efficiency_svg(entries: list[Any]) -> SafeString:
    """Bars of sleep efficiency per night (oldest left), an 85% line, each bar with a <title>.
    The page shows the same numbers in a table."""
    nights = [e for e in reversed(entries) if "sleep_efficiency" in e.data][-14:]
    width, height, left, top, bottom = 560, 180, 36, 10, 28
    plot_w, plot_h = width - left - 10, height - top - bottom
    bar = plot_w / max(len(nights), 1)

    def y(pct: float) -> float:
        return top + plot_h - pct / 100 * plot_h

    desc = "; ".join(f"{e.entry_date.isoformat()}: {e.data['sleep_efficiency']:.0f}%" for e in nights)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="sleep-t sleep-d" font-size="11" font-family="system-ui, sans-serif">',
        f'<title id="sleep-t">{escape(_("Sleep efficiency by night"))}</title><desc id="sleep-d">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{y(85):.1f}" x2="{width - 10}" y2="{y(85):.1f}" stroke="#5b6b79" stroke-dasharray="4 3"/>',
        f'<text x="{left - 4}" y="{y(85) + 4:.1f}" text-anchor="end" fill="#5b6b79">85%</text>',
        f'<text x="{left - 4}" y="{y(100) + 8:.1f}" text-anchor="end" fill="#5b6b79">100%</text>',
    ]
    for i, e in enumerate(nights):
        pct = max(0.0, min(100.0, float(e.data["sleep_efficiency"])))
        x = left + i * bar + 2
        label = f"{e.entry_date.isoformat()}: {pct:.0f}%"
        out.append(
            f'<g><rect x="{x:.1f}" y="{y(pct):.1f}" width="{max(bar - 4, 1):.1f}" height="{y(0) - y(pct):.1f}" '
            f'fill="#2f6f73"/><title>{escape(label)}</title></g>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped above
