"""Stacked bar charts drawn on the server as inline SVG: no script, no external library.

Each chart carries a ``<title>`` and ``<desc>`` for screen readers and a
``<title>`` per bar segment (a tooltip on hover); the page puts a table with
the same figures next to it. Colours are set with SVG attributes rather than
``style``, so the Content-Security-Policy needs no inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

#: Colours with at least 4.5:1 contrast against white (WCAG 1.4.11 asks 3:1); the first seven are distinct
#: for common colour blindness, the next five tell apart an archive's dozen projects (the table has every figure).
PALETTE = ("#1f5fa8", "#b35c00", "#2a7d3c", "#7b3fa0", "#a3213f", "#00707a", "#6b5200",
           "#c2185b", "#5f7d00", "#3949ab", "#8d4e2a", "#0277bd")
OTHER_COLOUR = "#6b6b6b"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


def series_for(keys: list[str], labels: dict[str, str], other_label: str, limit: int = len(PALETTE)) -> list[Series]:
    """One series per key in order; keys beyond ``limit`` are grouped under "other"."""
    shown = keys[:limit] if len(keys) > limit else keys
    out = [Series(k, labels.get(k, k), PALETTE[i % len(PALETTE)]) for i, k in enumerate(shown)]
    if len(keys) > len(shown):
        out.append(Series("", other_label, OTHER_COLOUR))
    return out


def stack(rows: dict[str, dict[str, int]], series: list[Series]) -> dict[str, dict[str, int]]:
    """Counts per row and series key, with the keys outside ``series`` summed under ""."""
    known = {s.key for s in series}
    out = {}
    for row, counts in rows.items():
        values = {s.key: 0 for s in series}
        for key, n in counts.items():
            values[key if key in known else ""] = values.get(key if key in known else "", 0) + n
        out[row] = values
    return out


def stacked_bars(chart_id: str, title: str, desc: str, rows: list[tuple[str, dict[str, int]]], series: list[Series],
                 width: int = 720, bar_area: int = 260) -> Markup:
    """An SVG of one vertical stacked bar per row (``(label, {series key: count})``), with a legend."""
    left, top, gap = 44, 16, 6
    legend_rows = -(-len(series) // 4)
    height = top + bar_area + 28 + legend_rows * 22 + 8
    totals = [sum(counts.values()) for _, counts in rows]
    peak = max(totals, default=0)
    step = _nice_step(peak)
    scale_max = max(step, -(-peak // step) * step) if peak else 1
    plot_width = width - left - 8
    slot = plot_width / max(1, len(rows))
    bar = max(4.0, slot - gap)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    # Grid lines and the vertical scale.
    for tick in range(0, scale_max + 1, step):
        y = top + bar_area - tick / scale_max * bar_area
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#333">{tick}</text>')
    for i, ((label, counts), total) in enumerate(zip(rows, totals)):
        x = left + i * slot + (slot - bar) / 2
        y = top + bar_area
        parts.append(f'<g><title>{escape(label)}: {total}</title>')
        for s in series:
            n = counts.get(s.key, 0)
            if not n:
                continue
            h = n / scale_max * bar_area
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{s.colour}" '
                         f'stroke="#fff" stroke-width="0.5"><title>{escape(label)}, {escape(s.label)}: {n}</title></rect>')
        parts.append("</g>")
        # Every label when they fit, else every other one (the table has them all).
        if slot >= 34 or i % 2 == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + bar_area + 18}" text-anchor="middle" font-size="12" '
                         f'fill="#222">{escape(label)}</text>')
    legend_y = top + bar_area + 36
    for i, s in enumerate(series):
        lx = left + (i % 4) * (plot_width / 4)
        ly = legend_y + (i // 4) * 22
        parts.append(f'<rect x="{lx:.1f}" y="{ly}" width="14" height="14" fill="{s.colour}"/>')
        parts.append(f'<text x="{lx + 20:.1f}" y="{ly + 12}" font-size="13" fill="#222">{escape(_clip(s.label, 26))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_step(peak: int) -> int:
    """A round grid step giving about four lines."""
    if peak <= 4:
        return 1
    raw = peak / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
