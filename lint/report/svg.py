"""Charts as inline SVG, drawn here: the browser needs no plotting library. Text goes through
markupsafe's escape; every shape gets its colour from a class the page's CSS defines."""

from __future__ import annotations

from markupsafe import Markup, escape

TIMELINE_WIDTH = 1000


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def runs_of(classes: list[str]) -> list[tuple[str, int, int]]:
    """(class, first index, count) for each run of equal neighbours."""
    out: list[tuple[str, int, int]] = []
    for i, c in enumerate(classes):
        if out and out[-1][0] == c:
            cls, start, n = out[-1]
            out[-1] = (cls, start, n + 1)
        else:
            out.append((c, i, 1))
    return out


def timeline(classes: list[str], labels: dict[str, str], names: list[str],
             highlight: int | None, highlight_label: str = "") -> Markup:
    """One bar, a segment per run of migrations with the same outcome, in Laravel's order;
    the highlighted migration (the failing one) gets a marker and its name."""
    n = max(1, len(classes))
    w, top, bar = TIMELINE_WIDTH, 34, 30
    step = w / n
    parts = [f'<svg class="chart timeline" id="timeline" viewBox="0 0 {w} {top + bar + 24}" '
             f'width="{w}" height="{top + bar + 24}" role="img" '
             f'aria-label="{escape("Timeline of " + str(len(classes)) + " migrations")}">']
    for cls, start, count in runs_of(classes):
        x, width = start * step, count * step
        if cls == "st-fails":
            width = max(width, 4.0)
            x = min(x, w - width)
        first, last = names[start], names[start + count - 1]
        tip = f"{labels[cls]}: {count:,} migration{'s' if count != 1 else ''}, {first}" + (
            f" to {last}" if count > 1 else "")
        parts.append(f'<rect class="seg {cls}" data-status="{cls[3:]}" data-count="{count}" '
                     f'x="{_num(x)}" y="{top}" width="{_num(width)}" height="{bar}">'
                     f'<title>{escape(tip)}</title></rect>')
    if highlight is not None:
        cx = min(max((highlight + 0.5) * step, 6), w - 6)
        parts.append(f'<path class="marker" d="M{_num(cx - 6)} {top - 12} L{_num(cx + 6)} '
                     f'{top - 12} L{_num(cx)} {top - 2} Z"/>')
        anchor = "start" if cx < w * 0.6 else "end"
        tx = cx - 8 if anchor == "end" else cx + 8
        parts.append(f'<text class="callout" x="{_num(tx)}" y="{top - 6}" '
                     f'text-anchor="{anchor}">{escape(highlight_label)}</text>')
    if names:
        parts.append(f'<text class="axis" x="0" y="{top + bar + 16}">{escape(names[0])}</text>')
        if len(names) > 1:
            parts.append(f'<text class="axis" x="{w}" y="{top + bar + 16}" '
                         f'text-anchor="end">{escape(names[-1])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def coverage_bars(rows: list[tuple[str, int, int]], note: str = "") -> Markup:
    """Horizontal bars "have of want": one row per (label, have, want)."""
    w, label_w, bar_h, gap = TIMELINE_WIDTH, 150, 26, 18
    h = len(rows) * (bar_h + gap) + (18 if note else 0) + 4
    parts = [f'<svg class="chart gap" id="gap-chart" viewBox="0 0 {w} {h}" width="{w}" '
             f'height="{h}" role="img" aria-label="What the database has of the full history">']
    for i, (label, have, want) in enumerate(rows):
        y = i * (bar_h + gap) + 4
        full = w - label_w - 220
        frac = have / want if want else 1.0
        parts.append(f'<text class="bar-label" x="0" y="{y + bar_h / 2 + 4}">{escape(label)}</text>')
        parts.append(f'<rect class="bar-bg" x="{label_w}" y="{y}" width="{full}" height="{bar_h}"/>')
        parts.append(f'<rect class="bar-have" data-have="{have}" data-want="{want}" '
                     f'x="{label_w}" y="{y}" width="{_num(full * min(frac, 1.0))}" '
                     f'height="{bar_h}"><title>{have:,} of {want:,}</title></rect>')
        pct = f" ({frac * 100:.0f}%)" if want else ""
        parts.append(f'<text class="bar-big" x="{label_w + full + 10}" y="{y + bar_h / 2 + 5}">'
                     f'{have:,} of {want:,}{pct}</text>')
    if note:
        parts.append(f'<text class="bar-label" x="0" y="{h - 4}">{escape(note)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
