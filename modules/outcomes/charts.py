"""Server-rendered SVG trajectory charts: readable without JavaScript, no inline styles (CSP).

Each chart shows one scale over time: severity bands, the baseline, the reliable-change lines
(service threshold or Jacobson-Truax; 30%/50% lines for pain scales) and the points, each with a
<title>. Pages pair every chart with a table of the same numbers.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime  # chart labels in the viewer's own time zone
from django.utils.translation import gettext as _

from .change import compare, reliable_change_threshold
from .instruments import SCALES, Scale
from .selectors import Point, changes_from_baseline, latest_paired_change, paired_changes, score_series

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 150, 14, 34
BAND_FILLS = ("#e8f4ec", "#f3f6e4", "#fbf1dc", "#fbe6d8", "#f8dcdc")


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def trajectory_svg(
    scale: Scale, points: list[Point], *, chart_id: str, improved_responses: set[int] | None = None
) -> SafeString:
    """``improved_responses``: for PHQ-9 and GAD-7, the sittings the paired rule judges a reliable
    improvement (the marker then follows the pair, never the one measure)."""
    lo, hi = float(scale.minimum), float(scale.maximum)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h - (value - lo) / (hi - lo) * plot_h

    times = [p.at.timestamp() for p in points]
    t0, t1 = (min(times), max(times)) if times else (0.0, 1.0)

    def x(t: float) -> float:
        if t1 == t0:
            return LEFT + plot_w / 2
        return LEFT + (t - t0) / (t1 - t0) * plot_w

    title = _("%(scale)s scores over time") % {"scale": scale.label}
    if points:
        desc = _("%(n)s scores from %(first)s to %(last)s; first %(a)s, latest %(b)s (range %(lo)s to %(hi)s).") % {
            "n": len(points),
            "first": date_format(localtime(points[0].at), "DATE_FORMAT"),
            "last": date_format(localtime(points[-1].at), "DATE_FORMAT"),
            "a": _fmt(points[0].total),
            "b": _fmt(points[-1].total),
            "lo": _fmt(lo),
            "hi": _fmt(hi),
        }
    else:
        desc = _("No scores yet.")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="trajectory" font-size="11" '
        f'font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    # Severity bands.
    for i, band in enumerate(scale.bands):
        top = y(min(hi, band.high + (0.5 if scale.rule == "sum" else 0)))
        bottom = y(max(lo, band.low - (0.5 if scale.rule == "sum" else 0)))
        fill = BAND_FILLS[min(i * len(BAND_FILLS) // max(len(scale.bands), 1), len(BAND_FILLS) - 1)]
        out.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}" fill="{fill}"/>'
            f'<text x="{LEFT + plot_w + 6}" y="{(top + bottom) / 2 + 4:.1f}" fill="#5b6b79">{escape(str(band.label))}</text>'
        )
    # Axes and y ticks.
    out.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#5b6b79"/>'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#5b6b79"/>'
    )
    step = 5 if hi - lo > 12 else (2 if hi - lo > 6 else 1)
    tick = lo
    while tick <= hi:
        out.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#5b6b79">{_fmt(tick)}</text>')
        tick += step
    if points:
        base = points[0].total
        out.append(
            f'<line x1="{LEFT}" y1="{y(base):.1f}" x2="{LEFT + plot_w}" y2="{y(base):.1f}" stroke="#1d2a36" '
            f'stroke-dasharray="6 4"/><text x="{LEFT + 4}" y="{y(base) - 4:.1f}" fill="#1d2a36">'
            f"{escape(_('Baseline'))}</text>"
        )
        # Reliable change lines (or percent lines for pain scales).
        lines: list[tuple[float, str]] = []
        threshold = reliable_change_threshold(scale, base)
        sign = -1 if scale.higher_is_worse else 1
        if threshold is not None:
            lines.append((base + sign * threshold, _("Reliable improvement")))
            lines.append((base - sign * threshold, _("Reliable deterioration")))
        for pct in scale.percent_thresholds:
            if base:
                lines.append((base * (1 + sign * pct / 100), _("%(pct)s%% better") % {"pct": pct}))
        for value, label in lines:
            if lo <= value <= hi:
                out.append(
                    f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" y2="{y(value):.1f}" '
                    f'stroke="#2f6f73" stroke-dasharray="2 3"/><text x="{LEFT + plot_w - 4}" y="{y(value) - 3:.1f}" '
                    f'text-anchor="end" fill="#2f6f73">{escape(label)}</text>'
                )
        coords = " ".join(f"{x(t):.1f},{y(p.total):.1f}" for t, p in zip(times, points, strict=True))
        out.append(f'<polyline points="{coords}" fill="none" stroke="#2f6f73" stroke-width="2"/>')
        for t, p in zip(times, points, strict=True):
            if improved_responses is not None:
                reliable = p.response_id in improved_responses
            elif scale.tscores is not None:  # the SEs of both scores decide
                reliable = bool(compare(scale, base, p.total).reliable_improvement)
            else:
                reliable = threshold is not None and sign * (p.total - base) >= threshold - 1e-9
            label = f"{date_format(localtime(p.at), 'DATE_FORMAT')}: {_fmt(p.total)}"
            if reliable:
                label += " (" + _("reliable improvement") + ")"
                shape = (
                    f'<rect x="{x(t) - 6:.1f}" y="{y(p.total) - 6:.1f}" width="12" height="12" '
                    f'fill="#fff" stroke="#2f6f73" stroke-width="2"/>'
                )
            else:
                shape = f'<circle cx="{x(t):.1f}" cy="{y(p.total):.1f}" r="4.5" fill="#2f6f73"/>'
            out.append(f"<g>{shape}<title>{escape(label)}</title></g>")
        out.append(
            f'<text x="{LEFT}" y="{HEIGHT - 10}" fill="#5b6b79">{escape(date_format(localtime(points[0].at), "DATE_FORMAT"))}</text>'
            f'<text x="{LEFT + plot_w}" y="{HEIGHT - 10}" text-anchor="end" fill="#5b6b79">'
            f"{escape(date_format(localtime(points[-1].at), 'DATE_FORMAT'))}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped above


PAIRED_SCALES = ("phq9", "gad7")


def patient_charts(patient: Any) -> list[dict[str, Any]]:
    """One chart per scale the patient has answered, each with its table rows and change from
    baseline: what the patient's progress page and the therapist's views show. The PHQ-9 and GAD-7
    charts carry the same paired verdict (``paired``), so they can never contradict each other."""
    series = score_series(patient.pk)
    changes = changes_from_baseline(series)
    judged = paired_changes(series)
    latest = latest_paired_change(series)
    improved = {rid for rid, verdict in judged.items() if verdict.reliable_improvement}
    charts = []
    for key, points in series.items():
        _instrument, scale = SCALES[key]
        is_paired = key in PAIRED_SCALES
        charts.append(
            {
                "scale": scale,
                "svg": trajectory_svg(
                    scale, points, chart_id=f"chart-{key}", improved_responses=improved if is_paired else None
                ),
                "rows": [
                    {"at": p.at, "total": p.total, "band": next((b.label for b in scale.bands if b.key == p.band), "")}
                    for p in points
                ],
                "change": changes.get(key),
                "paired": latest if is_paired else None,
                "is_paired": is_paired,
            }
        )
    return charts


def bar_chart_svg(title: str, bars: list[tuple[str, float | None]], *, chart_id: str, maximum: float) -> SafeString:
    """Horizontal bars for the evaluation report, one per label; a suppressed value (None) is drawn
    as "suppressed" without a bar. The page shows the same numbers in a table beside it."""
    row_h, label_w, bar_w = 22, 230, 330
    height = TOP + row_h * max(len(bars), 1) + 8
    shown = [f"{label}: {_fmt(v) if v is not None else _('suppressed')}" for label, v in bars]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" class="bars" font-size="11" font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape("; ".join(shown))}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        y = TOP + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" fill="#1d2a36">{escape(label)}</text>')
        if value is None:
            out.append(f'<text x="{label_w}" y="{y + 14}" fill="#5b6b79">{escape(_("suppressed"))}</text>')
            continue
        w = max(0.0, min(1.0, abs(value) / maximum)) * bar_w if maximum else 0.0
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="#2f6f73"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" fill="#1d2a36">{escape(_fmt(value))}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped above


def evaluation_charts(report: Any) -> list[dict[str, Any]]:
    """The evaluation's charts: mean scores (ITT) at baseline, post and follow-up per measure;
    completion and dropout by module. Each is shown beside its table."""
    charts = []
    for key in ("phq9", "gad7", "peg", "nrs-average", "promis-pi-t", "promis-pf-t", "promis-sleep-t"):
        rows = [r for r in report.measures if r.scale == key]
        if not rows:
            continue
        scale = SCALES[key][1]
        bars: list[tuple[str, float | None]] = [(_("Baseline"), rows[0].itt.mean_baseline)]
        bars += [(_("Post-treatment") if r.timepoint == "post" else _("Follow-up"), r.itt.mean_end) for r in rows]
        title = _("%(scale)s: mean score, intention to treat") % {"scale": scale.label}
        charts.append(
            {"title": title, "svg": bar_chart_svg(title, bars, chart_id=f"eval-{key}", maximum=scale.maximum)}
        )
    for row in report.unwanted_effects:
        when = _("post-treatment") if row.timepoint == "post" else _("follow-up")
        title = _("Unwanted effects of the program, %(when)s (%% of those who answered)") % {"when": when}
        bars = [(label, rate.pct) for label, rate in row.rows]
        charts.append(
            {"title": title, "svg": bar_chart_svg(title, bars, chart_id=f"eval-effects-{row.timepoint}", maximum=100)}
        )
    if report.care_use:
        title = _("Took an opioid in the last week (percent of those who answered)")
        names = {"baseline": _("Baseline"), "post": _("Post-treatment"), "follow-up": _("Follow-up")}
        bars = [(names[c.timepoint], c.opioid.pct) for c in report.care_use]
        charts.append({"title": title, "svg": bar_chart_svg(title, bars, chart_id="eval-opioid", maximum=100)})
    if report.dropout_by_module:
        title = _("Dropouts by the module they stopped in (% of dropouts)")
        bars = [(d.label, d.pct) for d in report.dropout_by_module]
        charts.append({"title": title, "svg": bar_chart_svg(title, bars, chart_id="eval-dropout", maximum=100)})
    return charts
