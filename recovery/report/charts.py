"""Charts for the care report as inline SVG (no script, nothing fetched): horizontal bars for
counts by label, stacked columns for outcomes over time. Labels are escaped: root causes are
what agents typed."""

from __future__ import annotations

from collections.abc import Sequence

from recovery.page import e

WIDTH = 640
ROW = 22
LABEL = 220
COLUMN = 46


def bars(title: str, labels: Sequence[str], values: Sequence[int], unit: str = "cases",
         colour: str = "#3b6ea5") -> str:
    """Horizontal bars, one per label, each with its count written beside it."""
    top = max([*values, 1])
    span = WIDTH - LABEL - 60
    height = 28 + ROW * len(labels)
    parts = [_open(title, WIDTH, height), _text(0, 16, title, weight="bold")]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 28 + ROW * index
        length = round(span * value / top)
        parts += [_text(LABEL - 8, y + 15, _short(label), anchor="end"),
                  f'<rect x="{LABEL}" y="{y + 3}" width="{length}" height="{ROW - 6}" '
                  f'fill="{colour}"><title>{e(label)}: {value} {e(unit)}</title></rect>',
                  _text(LABEL + length + 6, y + 15, str(value))]
    return "".join(parts) + "</svg>"


def stacked(title: str, labels: Sequence[str],
            series: Sequence[tuple[str, str, Sequence[int]]]) -> str:
    """Columns, one per label, each stacked from the series (name, colour, values), with a
    legend; a column's total is written above it."""
    totals = [sum(values[index] for _name, _colour, values in series)
              for index in range(len(labels))]
    top = max([*totals, 1])
    chart = 160
    width = max(WIDTH, 60 + COLUMN * len(labels))
    height = 64 + chart + 40
    parts = [_open(title, width, height), _text(0, 16, title, weight="bold")]
    legend = 0
    for name, colour, _values in series:
        parts += [f'<rect x="{legend}" y="26" width="12" height="12" fill="{colour}"/>',
                  _text(legend + 16, 37, name)]
        legend += 24 + 8 * len(name)
    base = 64 + chart
    for index, label in enumerate(labels):
        x = 40 + COLUMN * index
        y = base
        for name, colour, values in series:
            size = round(chart * values[index] / top)
            y -= size
            if size:
                parts.append(f'<rect x="{x}" y="{y}" width="{COLUMN - 10}" height="{size}" '
                             f'fill="{colour}"><title>{e(label)}: {values[index]} '
                             f'{e(name)}</title></rect>')
        parts += [_text(x + (COLUMN - 10) // 2, y - 4, str(totals[index]), anchor="middle"),
                  _text(x + (COLUMN - 10) // 2, base + 16, _short(label, 8), anchor="middle",
                        size=10)]
    return "".join(parts) + "</svg>"


def _open(title: str, width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}">'
            f"<title>{e(title)}</title>")


def _text(x: int, y: int, text: str, anchor: str = "start", weight: str = "normal",
          size: int = 12) -> str:
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}">{e(text)}</text>')


def _short(text: str, room: int = 34) -> str:
    """`text` cut to fit beside its bar (the whole of it is the bar's tooltip)."""
    return text if len(text) <= room else text[:room - 1] + "…"
