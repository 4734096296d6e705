"""A brand's flow drawn as SVG without Graphviz, so the handbook's page always has a picture.

A plain layered layout: each state sits in the column of its distance from the initial state
(states out of its reach last), boxes marked as `diagram.marks` says (initial bold, terminal
double, paused clock dashed), triggers as solid curves and timers as dashed ones, each
labelled. Graphviz draws better where it is installed; this is the picture where it is not.
"""

from __future__ import annotations

from collections import defaultdict, deque

from recovery.flows import Flow
from recovery.handbook.diagram import Arrow, arrows, marks
from recovery.page import e

BOX_W, BOX_H = 170, 44
GAP_X, GAP_Y = 130, 74
MARGIN = 30


def columns(flow: Flow, drawn: list[Arrow]) -> dict[str, int]:
    """Each state's column: its distance in arrows from the initial state."""
    ahead: dict[str, list[str]] = defaultdict(list)
    for arrow in drawn:
        ahead[arrow.source].append(arrow.dest)
    found = {flow.initial: 0}
    queue = deque([flow.initial])
    while queue:
        state = queue.popleft()
        for dest in ahead[state]:
            if dest not in found:
                found[dest] = found[state] + 1
                queue.append(dest)
    last = max(found.values(), default=0) + 1
    return {state: found.get(state, last) for state in flow.settings.flow.states}


def picture(flow: Flow) -> str:
    """The flow as one `<svg>` element."""
    drawn = list(arrows(flow))
    column = columns(flow, drawn)
    rows: dict[int, int] = defaultdict(int)
    place: dict[str, tuple[int, int]] = {}
    for state in flow.settings.flow.states:
        x = MARGIN + column[state] * (BOX_W + GAP_X)
        y = MARGIN + 20 + rows[column[state]] * (BOX_H + GAP_Y)
        rows[column[state]] += 1
        place[state] = (x, y)
    width = MARGIN * 2 + (max(column.values(), default=0) + 1) * (BOX_W + GAP_X)
    height = MARGIN * 2 + 40 + max(rows.values(), default=1) * (BOX_H + GAP_Y)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(flow.name)}">'
             f"<title>{e(flow.name)}</title>"
             f'<defs><marker id="{e(flow.brand)}-head" viewBox="0 0 10 10" refX="10" '
             'refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>'
             f'<text x="{MARGIN}" y="{MARGIN}" font-size="14" font-weight="bold">'
             f"{e(flow.name)}</text>"]
    parts += [_box(flow, state, *place[state]) for state in flow.settings.flow.states]
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for arrow in drawn:
        if arrow.source in place and arrow.dest in place:
            nth = seen[(arrow.source, arrow.dest)]
            seen[(arrow.source, arrow.dest)] += 1
            parts.append(_arrow(arrow, place[arrow.source], place[arrow.dest], nth,
                                f"{flow.brand}-head"))
    return "".join(parts) + "</svg>"


def _box(flow: Flow, state: str, x: int, y: int) -> str:
    shown = marks(flow, state)
    dashed = ' stroke-dasharray="5 3"' if "resolution clock paused" in shown else ""
    stroke = 3 if "initial" in shown else 1.2
    parts = [f'<g><rect x="{x}" y="{y}" width="{BOX_W}" '
             f'height="{BOX_H}" rx="8" fill="#f7f9fc" stroke="#333" '
             f'stroke-width="{stroke}"{dashed}/>']
    if "terminal" in shown:
        parts.append(f'<rect x="{x + 3}" y="{y + 3}" width="{BOX_W - 6}" height="{BOX_H - 6}" '
                     'rx="6" fill="none" stroke="#333"/>')
    parts.append(f'<text x="{x + BOX_W // 2}" y="{y + 19}" text-anchor="middle" '
                 f'font-size="13">{e(state)}</text>')
    if shown:
        parts.append(f'<text x="{x + BOX_W // 2}" y="{y + 34}" text-anchor="middle" '
                     f'font-size="9" fill="#555">{e(", ".join(shown))}</text>')
    return "".join(parts) + "</g>"


def _arrow(arrow: Arrow, start: tuple[int, int], end: tuple[int, int], nth: int,
           head: str) -> str:
    style = ' stroke-dasharray="6 4"' if arrow.timer else ""
    colour = "#666" if arrow.timer else "#333"
    if start == end:  # a loop over the box's top edge
        x, y = start[0] + BOX_W // 2, start[1]
        lift = 26 + 14 * nth
        path = f"M{x - 20},{y} C{x - 30},{y - lift} {x + 30},{y - lift} {x + 20},{y}"
        label_x, label_y = x, y - lift + 4
    elif end[0] == start[0]:  # the same column: bulge out to the right
        x1 = x2 = start[0] + BOX_W
        y1, y2 = start[1] + BOX_H // 2 + 6 * nth, end[1] + BOX_H // 2 - 6 * nth
        reach = 40 + 18 * nth
        path = f"M{x1},{y1} C{x1 + reach},{y1} {x2 + reach},{y2} {x2},{y2}"
        label_x, label_y = x1 + reach, (y1 + y2) // 2
    else:
        forward = end[0] > start[0]
        x1, x2 = (start[0] + BOX_W, end[0]) if forward else (start[0], end[0] + BOX_W)
        y1, y2 = start[1] + BOX_H // 2, end[1] + BOX_H // 2
        bend = (12 + 20 * nth) * (1 if forward else -1)
        mid_x, mid_y = (x1 + x2) // 2, (y1 + y2) // 2 + bend
        path = f"M{x1},{y1} Q{mid_x},{mid_y} {x2},{y2}"
        label_x, label_y = mid_x, (y1 + y2) // 2 + bend // 2
    return (f'<g><path d="{path}" fill="none" stroke="{colour}" stroke-width="1.2"{style} '
            f'marker-end="url(#{e(head)})"/><text x="{label_x}" y="{label_y}" '
            f'text-anchor="middle" font-size="10" fill="{colour}" paint-order="stroke" '
            f'stroke="#fff" stroke-width="3">{e(arrow.label)}</text></g>')
