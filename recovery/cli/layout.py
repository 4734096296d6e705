"""What the command line prints, laid out for the terminal it prints to: lines wrapped between
words, tables that fit the width or, where their columns cannot, each row stacked as labelled
fields. A word, a code, an id or a time is never cut; a word longer than the whole line is the
only thing ever folded. Text from outside (a complaint, a handle, a name, a reason) is data: no
markup is read in it, and its control characters, escapes and bidirectional overrides are
written out (`controls.visible`).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from recovery.controls import BIDI, SEPARATORS, visible

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, RenderableType, RenderResult

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

GAP = 2
"""Spaces between two columns."""
TEXT = 24
"""The narrowest the text column (the last) gets before the others wrap."""
TALL = 2
"""The most lines a cell of a column other than the text may wrap to: a table whose cells
would wrap to more is stacked instead."""
WHOLE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?[+-]\d\d:\d\d")
"""A time as the command line writes it (`formats.stamp`): never broken at its space."""
JOIN = "\ue000"
"""Holds a time's space while a line is split into words (one cell wide, as the space)."""
_JSON_UNSAFE = re.compile(f"[\u007f-\u009f{BIDI}{SEPARATORS}]")


def say(line: str, style: str | None = None) -> None:
    """Print a line (it may hold customer text, names or handles): wrapped between words to the
    terminal, never read as markup, its control characters written out."""
    from rich.console import Group

    out.print(Group(*wrapped(visible(line), style=style or "")), highlight=False)


def warn(line: str) -> None:
    """Print a warning on stderr as one line (a script reads it whole), never read as markup,
    its control characters written out."""
    err.print(Text(visible(line, one_line=True)), soft_wrap=True, highlight=False)


def indented(text: str, style: str | None = None, indent: int = 2) -> None:
    """Print `text` (a reply, a post, a finding) indented, each of its lines wrapped between
    words with the same indent."""
    from rich.console import Group

    pad = " " * indent
    out.print(Group(*wrapped(pad + visible(text).replace("\n", "\n" + pad), pad,
                             style or "")), highlight=False)


def emit_json(data: Any) -> None:
    """Print one JSON document (control characters and bidirectional overrides escaped as
    JSON escapes, so a terminal shows them as `\\u202e`)."""
    sys.stdout.write(_json(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")


def json_line(data: Any) -> str:
    """One JSON object on one line, escaped as `emit_json` escapes."""
    return _json(json.dumps(data, ensure_ascii=False, default=str)) + "\n"


def _json(text: str) -> str:
    return _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def short(text: str, most: int = 60) -> str:
    """`text` on one line, cut after the last whole word that fits in `most` characters (an
    ellipsis says it goes on)."""
    flat = " ".join(visible(text).split())
    if cell_len(flat) <= most:
        return flat
    kept = flat[:most].rsplit(" ", 1)[0] if " " in flat[:most] else flat[:most - 1]
    return kept.rstrip(" ,;:.") + "…"


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          *, empty: str | None = None) -> RenderableType:
    """Rows under their column names, laid out for the terminal: each column as wide as its
    cells where there is room, the last (the text) taking what the others leave and wrapping
    between words. Where the columns cannot stand side by side (their longest words do not
    fit, a short column would wrap to more than `TALL` lines, or the text would be narrower
    than `TEXT`), each row is printed as a block of `column: value` fields. No rows: `empty`
    (else the title) on one line."""
    from rich.table import Table

    cells = [[visible("" if cell is None else str(cell), one_line=True) for cell in row]
             for row in rows]
    if not cells:
        return Text(empty or (f"{title}: none" if title else "none"))
    heads = [str(column) for column in columns]
    natural = [max(cell_len(text) for text in [head, *(row[index] for row in cells)])
               for index, head in enumerate(heads)]
    least = [max(_longest_word(text) for text in [head, *(row[index] for row in cells)])
             for index, head in enumerate(heads)]
    room = out.width - GAP * (len(heads) - 1)
    widths = _widths([[row[index] for row in cells] for index in range(len(heads))], natural,
                     least, room)
    last = len(heads) - 1
    if widths is None or widths[last] < min(natural[last], TEXT) or any(
            _lines(row[index], widths[index]) > TALL for row in cells for index in range(last)):
        return _stacked(title, heads, cells)
    grid = Table(title=title, title_justify="left", title_style="bold", header_style="bold",
                 box=None, padding=(0, GAP, 0, 0), pad_edge=False, show_edge=False,
                 collapse_padding=True, show_header=any(heads))
    for index, head in enumerate(heads):
        grid.add_column(head, width=widths[index], overflow="fold",
                        no_wrap=widths[index] >= natural[index])
    for row in cells:
        grid.add_row(*(Text(cell) for cell in row))
    return Trimmed(grid)


class Trimmed:
    """A table printed without the spaces rich pads its lines' ends with."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        for line in console.render_lines(self.inner, options, pad=False):
            while line and not line[-1].text.strip():
                line.pop()
            if line:
                last = line.pop()
                line.append(Segment(last.text.rstrip(), last.style, last.control))
            yield from line
            yield Segment.line()


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped between words to `width`."""
    lines, current = 1, 0
    for word in text.split(" "):
        size = cell_len(word)
        if current and current + 1 + size > width:
            lines, current = lines + 1, size
        else:
            current += size + (1 if current else 0)
    return lines


def _longest_word(text: str) -> int:
    """The widest piece of `text` a line may not break: a word, or a whole time."""
    kept = WHOLE.sub(lambda found: found[0].replace(" ", JOIN), text)
    return max(cell_len(word) for word in kept.split(" "))


def _widths(columns: list[list[str]], natural: list[int], least: list[int],
            room: int) -> list[int] | None:
    """Each column's width: its cells' where all fit. Else the text (the last column) gives
    way first, down to `TEXT` characters; then, a character at a time, the column where it
    costs the fewest lines (the widest of those), never below its longest word. None when
    not even the longest words fit side by side."""
    if sum(least) > room:
        return None
    widths = list(natural)
    last = len(widths) - 1
    floor = [*least[:last], max(least[last], min(natural[last], TEXT))]
    widths[last] = max(floor[last], widths[last] - (sum(widths) - room))
    lines = [sum(_lines(cell, width) for cell in column)
             for column, width in zip(columns, widths, strict=True)]
    while sum(widths) > room:
        costs = []
        for index, column in enumerate(columns):
            if widths[index] > floor[index]:
                more = sum(_lines(cell, widths[index] - 1) for cell in column) - lines[index]
                costs.append((more, -widths[index], index))
        if not costs:
            floor[last] = least[last]  # the others are down to their longest words
            continue
        _more, _wide, index = min(costs)
        widths[index] -= 1
        lines[index] += _more
    return widths


def _stacked(title: str | None, heads: list[str], cells: list[list[str]]) -> RenderableType:
    """Each row as a block: its first field, then `column: value` for the others, as many to
    a line as fit; the last (the text) below them, indented."""
    from rich.console import Group

    width = out.width
    lines: list[Text] = [Text(title, style="bold")] if title else []
    label = max(cell_len(head) for head in heads[:1])
    for row in cells:
        fields = [f"{head}: {cell}" for head, cell in zip(heads[1:-1], row[1:-1], strict=True)
                  if cell]
        line = f"{heads[0]} {row[0]}" if label else row[0]
        for field in fields:
            if cell_len(line) + 3 + cell_len(field) <= width:
                line += f" · {field}"
            else:
                lines.extend(wrapped(line, "  "))
                line = f"  {field}"
        lines.extend(wrapped(line, "  "))
        if len(heads) > 1 and row[-1]:
            lines.extend(wrapped(f"  {heads[-1]}: {row[-1]}", "    "))
    return Group(*lines)


def wrapped(line: str, indent: str = "", style: str | Any = "") -> list[Text]:
    """`line` (one paragraph, or several) broken between words to the terminal's width, the
    lines after the first of each paragraph indented with `indent` (a time kept whole)."""
    result: list[str] = []
    for number, paragraph in enumerate(line.split("\n")):
        kept = WHOLE.sub(lambda found: found[0].replace(" ", JOIN), paragraph)
        words = [piece.replace(JOIN, " ") for piece in kept.split(" ") if piece]
        current = indent if number else paragraph[:len(paragraph) - len(paragraph.lstrip(" "))]
        for word in words:
            joined = f"{current} {word}" if current.strip() else current + word
            if current.strip() and cell_len(joined) > out.width:
                result.append(current)
                current = indent + word
            else:
                current = joined
        result.append(current)
    return [Text(item, style=style or "") for item in result]
