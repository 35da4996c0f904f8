"""Inline SVG charts for pages and PDFs: no JavaScript, no network, labels escaped.

Every builder returns ``markupsafe.Markup`` holding one ``<svg>`` element that scales to
its container (``viewBox`` plus ``width="100%"``). Text uses a CJK-capable font list so
Chinese labels render in browsers and in WeasyPrint alike. Non-finite numbers are treated
as missing; empty input gives a small chart that says so (``empty_label``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from markupsafe import Markup, escape

FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', "
    "'Microsoft YaHei', sans-serif"
)
INK = "#1f2937"
MUTED = "#9ca3af"
GRID = "#e5e7eb"
PRIMARY = "#2563eb"
LOW = "#dc2626"
HIGH = "#16a34a"
FONT_SIZE = 12
LABEL_MAX_EM = 14


def _num(value: float) -> str:
    """Coordinates with two decimals at most, so the SVG text stays small and stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fmt_value(value: float, unit: str = "") -> str:
    """A value as shown next to a bar: up to two decimals, thousands separated."""
    if not math.isfinite(value):
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"
    return f"{text}{unit}"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Approximate rendered width: wide (CJK) characters one em, others 0.6 em."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return (wide + 0.6 * (len(text) - wide)) * size


def _clip(text: str, max_em: float = LABEL_MAX_EM) -> str:
    """Shorten a label to about ``max_em`` ems, ending it with an ellipsis."""
    if text_width(text) <= max_em * FONT_SIZE:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…") > max_em * FONT_SIZE:
            break
        out += ch
    return out + "…"


def _svg(width: float, height: float, body: Iterable[str], label: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="100%" style="max-width:{_num(width)}px" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{INK}">'
    )
    # Every label and number in ``body`` went through escape() or _num(): safe markup.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _text(x: float, y: float, text: str, *, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _empty(width: float, empty_label: str) -> Markup:
    return _svg(width, 40, [_text(width / 2, 24, empty_label, anchor="middle")], empty_label)


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


# -- radar -----------------------------------------------------------------------------


def radar_svg(
    axes: Sequence[tuple[str, float | None]],
    max_value: float = 100,
    *,
    size: int = 360,
    empty_label: str = "—",
) -> Markup:
    """A radar (spider) chart, one axis per (label, value). ``None`` means not assessed:
    that axis is dashed and grey, its label reads "label —", and the filled polygon
    joins only the assessed axes."""
    if not axes:
        return _empty(size, empty_label)
    cx, cy = size / 2, size / 2
    radius = size / 2 - 70
    body = [*_radar_grid(len(axes), cx, cy, radius)]
    points = []
    for i, (label, raw) in enumerate(axes):
        value = _finite(raw)
        angle = -math.pi / 2 + 2 * math.pi * i / len(axes)
        body.append(_radar_axis(label, value, angle, cx, cy, radius))
        if value is not None:
            r = radius * min(max(value / max_value, 0.0), 1.0) if max_value > 0 else 0.0
            points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    body.append(_radar_shape(points))
    return _svg(size, size, body, ", ".join(label for label, _ in axes))


def _radar_grid(n: int, cx: float, cy: float, radius: float) -> list[str]:
    rings = []
    for level in (0.2, 0.4, 0.6, 0.8, 1.0):
        pts = [
            (
                cx + radius * level * math.cos(-math.pi / 2 + 2 * math.pi * i / n),
                cy + radius * level * math.sin(-math.pi / 2 + 2 * math.pi * i / n),
            )
            for i in range(n)
        ]
        joined = " ".join(f"{_num(x)},{_num(y)}" for x, y in pts)
        rings.append(f'<polygon points="{joined}" fill="none" stroke="{GRID}"/>')
    return rings


def _radar_axis(
    label: str, value: float | None, angle: float, cx: float, cy: float, radius: float
) -> str:
    x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
    lx, ly = cx + (radius + 12) * math.cos(angle), cy + (radius + 12) * math.sin(angle)
    anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
    ly += 4 + (8 if math.sin(angle) > 0.3 else (-4 if math.sin(angle) < -0.3 else 0))
    shown = f"{_clip(label, 8)} {fmt_value(value) if value is not None else '—'}"
    if value is None:
        line = (
            f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" y2="{_num(y)}" '
            f'stroke="{MUTED}" stroke-dasharray="4 3" class="not-assessed"/>'
        )
        extra = f' fill="{MUTED}" font-style="italic" class="not-assessed"'
    else:
        line = (
            f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" y2="{_num(y)}" stroke="{GRID}"/>'
        )
        extra = ""
    title = f"<title>{escape(label)}</title>"
    return f"<g>{title}{line}{_text(lx, ly, shown, anchor=anchor, extra=extra)}</g>"


def _radar_shape(points: list[tuple[float, float]]) -> str:
    if not points:
        return ""
    dots = "".join(
        f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{PRIMARY}"/>' for x, y in points
    )
    if len(points) < 3:
        return dots
    joined = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    return (
        f'<polygon points="{joined}" fill="{PRIMARY}" fill-opacity="0.25" '
        f'stroke="{PRIMARY}" stroke-width="2"/>{dots}'
    )


# -- horizontal bars --------------------------------------------------------------------


def bar_svg(
    rows: Sequence[tuple[str, float]],
    max_value: float | None = None,
    unit: str = "",
    *,
    width: int = 520,
    empty_label: str = "—",
) -> Markup:
    """Horizontal bars, one per (label, value), scaled to ``max_value`` (default: the
    largest value). Negative and non-finite values draw no bar; the value is printed."""
    if not rows:
        return _empty(width, empty_label)
    values = [_finite(v) for _, v in rows]
    top = max_value if max_value is not None else max((v for v in values if v), default=0.0)
    top = top if top and top > 0 else 1.0
    label_w = min(max(text_width(_clip(label)) for label, _ in rows), LABEL_MAX_EM * FONT_SIZE)
    left, bar_h, gap = label_w + 12, 16, 6
    span = width - left - 70
    body = []
    for i, ((label, _), value) in enumerate(zip(rows, values, strict=True)):
        y = 4 + i * (bar_h + gap)
        w = span * min(max(value or 0.0, 0.0) / top, 1.0)
        shown = fmt_value(value, unit) if value is not None else "—"
        body.append(
            f"<g><title>{escape(label)}: {escape(shown)}</title>"
            + _text(left - 6, y + bar_h - 4, _clip(label), anchor="end")
            + f'<rect x="{_num(left)}" y="{_num(y)}" width="{_num(w)}" height="{bar_h}" '
            f'fill="{PRIMARY}" rx="2"/>' + _text(left + w + 4, y + bar_h - 4, shown) + "</g>"
        )
    height = 8 + len(rows) * (bar_h + gap)
    return _svg(width, height, body, ", ".join(label for label, _ in rows))


# -- tornado ---------------------------------------------------------------------------


def tornado_svg(
    rows: Sequence[tuple[str, float, float]],
    base: float,
    *,
    width: int = 560,
    unit: str = "",
    empty_label: str = "—",
) -> Markup:
    """A tornado chart for sensitivity: per (label, low, high) a bar from ``base`` to
    ``low`` (red) and from ``base`` to ``high`` (green), on one shared scale."""
    clean = [
        (label, lo, hi)
        for label, raw_lo, raw_hi in rows
        if (lo := _finite(raw_lo)) is not None and (hi := _finite(raw_hi)) is not None
    ]
    if not clean or _finite(base) is None:
        return _empty(width, empty_label)
    lowest = min([base, *(min(lo, hi) for _, lo, hi in clean)])
    highest = max([base, *(max(lo, hi) for _, lo, hi in clean)])
    spread = highest - lowest or 1.0
    label_w = min(max(text_width(_clip(label)) for label, _, _ in clean), LABEL_MAX_EM * 12)
    left, right, bar_h, gap = label_w + 70, width - 70, 16, 6

    def x_of(value: float) -> float:
        return left + (right - left) * (value - lowest) / spread

    body = []
    for i, (label, lo, hi) in enumerate(clean):
        body.append(_tornado_row(i, label, lo, hi, x_of, base, bar_h, gap, unit))
    height = 24 + len(clean) * (bar_h + gap)
    body.append(
        f'<line x1="{_num(x_of(base))}" y1="2" x2="{_num(x_of(base))}" '
        f'y2="{_num(height - 16)}" stroke="{INK}"/>'
        + _text(x_of(base), height - 4, fmt_value(base, unit), anchor="middle")
    )
    return _svg(width, height, body, ", ".join(label for label, _, _ in clean))


def _tornado_row(
    i: int,
    label: str,
    lo: float,
    hi: float,
    x_of: Callable[[float], float],
    base: float,
    bar_h: int,
    gap: int,
    unit: str,
) -> str:
    y = 4 + i * (bar_h + gap)
    xb = x_of(base)
    parts = [f"<g><title>{escape(label)}: {fmt_value(lo, unit)} – {fmt_value(hi, unit)}</title>"]
    parts.append(_text(4, y + bar_h - 4, _clip(label)))
    for value, colour in ((lo, LOW), (hi, HIGH)):
        xv = x_of(value)
        parts.append(
            f'<rect x="{_num(min(xb, xv))}" y="{_num(y)}" width="{_num(abs(xv - xb))}" '
            f'height="{bar_h}" fill="{colour}" fill-opacity="0.8"/>'
        )
    x_lo, x_hi = x_of(min(lo, hi)), x_of(max(lo, hi))
    parts.append(
        _text(min(x_lo, xb) - 3, y + bar_h - 4, fmt_value(min(lo, hi), unit), anchor="end")
    )
    parts.append(_text(max(x_hi, xb) + 3, y + bar_h - 4, fmt_value(max(lo, hi), unit)))
    return "".join(parts) + "</g>"


# -- histogram -------------------------------------------------------------------------


def histogram_counts(
    values: Iterable[float | None], bins: int = 20
) -> tuple[list[int], float, float]:
    """Equal-width bin counts of the finite values, with the range they cover."""
    clean = [v for v in (_finite(x) for x in values) if v is not None]
    if not clean:
        return [], 0.0, 0.0
    lo, hi = min(clean), max(clean)
    if lo == hi:
        return [len(clean)], lo, hi
    bins = max(1, bins)
    counts = [0] * bins
    for v in clean:
        counts[min(int((v - lo) / (hi - lo) * bins), bins - 1)] += 1
    return counts, lo, hi


def histogram_svg(
    values: Iterable[float | None],
    bins: int = 20,
    *,
    width: int = 520,
    height: int = 180,
    empty_label: str = "—",
) -> Markup:
    """A histogram of the finite values in ``bins`` equal-width bins, min and max below."""
    counts, lo, hi = histogram_counts(values, bins)
    if not counts:
        return _empty(width, empty_label)
    top = max(counts)
    plot_h, left = height - 30, 8
    bar_w = (width - 2 * left) / len(counts)
    body = []
    for i, count in enumerate(counts):
        h = plot_h * count / top
        body.append(
            f'<rect x="{_num(left + i * bar_w + 1)}" y="{_num(plot_h - h + 4)}" '
            f'width="{_num(max(bar_w - 2, 1))}" height="{_num(h)}" fill="{PRIMARY}">'
            f"<title>{count}</title></rect>"
        )
    body.append(
        f'<line x1="{left}" y1="{_num(plot_h + 4)}" x2="{_num(width - left)}" '
        f'y2="{_num(plot_h + 4)}" stroke="{INK}"/>'
    )
    body.append(_text(left, height - 6, fmt_value(lo)))
    body.append(_text(width - left, height - 6, fmt_value(hi), anchor="end"))
    return _svg(width, height, body, f"{fmt_value(lo)} – {fmt_value(hi)}")
