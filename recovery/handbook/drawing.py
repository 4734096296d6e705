"""A brand's flow drawn as SVG without Graphviz, so the handbook's page always has a picture.

Top to bottom: the happy path (`diagram.happy_path`) straight down the middle, every other state
beside the row of its distance from the initial state; boxes marked as `diagram.marks` says
(initial bold, terminal double, paused clock dashed), triggers as solid curves and timers as
dashed ones. Each label is set where it overlaps no box and no other label (moved along its
arrow until it fits). Graphviz draws better where it is installed; this is the picture where it
is not.
"""

from __future__ import annotations

from collections import defaultdict, deque

from recovery.flows import Flow
from recovery.handbook.diagram import Arrow, arrows, happy_path, marks, words
from recovery.page import e

BOX_W, BOX_H = 170, 44
GAP_X, GAP_Y = 150, 70
MARGIN = 30
GUTTER = 300
"""Room left of the boxes for the arcs that go back up (or skip down) the happy path and
their labels."""
CHAR = 5.6
"""The width of a character of a 10-pixel label, near enough to keep labels apart."""
LINE = 13

Box = tuple[float, float, float, float]


def rows(flow: Flow, drawn: list[Arrow]) -> dict[str, tuple[int, int]]:
    """Each state's (row, column): the happy path down column 0, every other state in the row
    of its distance from the initial state, beside it (right, left, further right, …)."""
    main = happy_path(flow)
    place = {state: (index, 0) for index, state in enumerate(main)}
    ahead: dict[str, list[str]] = defaultdict(list)
    for arrow in drawn:
        ahead[arrow.source].append(arrow.dest)
    distance = {flow.initial: 0}
    queue = deque([flow.initial])
    while queue:
        state = queue.popleft()
        for dest in ahead[state]:
            if dest not in distance:
                distance[dest] = distance[state] + 1
                queue.append(dest)
    taken: dict[int, int] = defaultdict(int)
    last = len(main)
    for state in flow.settings.flow.states:
        if state in place:
            continue
        row = distance.get(state, last)
        taken[row] += 1
        side = taken[row]
        place[state] = (row, (side + 1) // 2 * (1 if side % 2 else -1))
    return place


def picture(flow: Flow) -> str:
    """The flow as one `<svg>` element."""
    drawn = list(arrows(flow))
    grid = rows(flow, drawn)
    left = min(column for _row, column in grid.values())
    right = max(column for _row, column in grid.values())
    place = {state: (MARGIN + GUTTER + (column - left) * (BOX_W + GAP_X),
                     MARGIN + 30 + row * (BOX_H + GAP_Y))
             for state, (row, column) in grid.items()}
    width = MARGIN * 2 + GUTTER + (right - left + 1) * (BOX_W + GAP_X)
    height = MARGIN * 2 + 40 + (max(row for row, _c in grid.values()) + 1) * (BOX_H + GAP_Y)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(flow.name)}">'
             f"<title>{e(flow.name)}</title>"
             f'<defs><marker id="{e(flow.brand)}-head" viewBox="0 0 10 10" refX="10" '
             'refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>'
             f'<text x="{MARGIN}" y="{MARGIN}" font-size="14" font-weight="bold">'
             f"{e(flow.name)}</text>"]
    parts += [_box(flow, state, *place[state]) for state in flow.settings.flow.states]
    taken: list[Box] = [(x, y, x + BOX_W, y + BOX_H) for x, y in place.values()]
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for arrow in drawn:
        if arrow.source in place and arrow.dest in place:
            nth = seen[(arrow.source, arrow.dest)]
            seen[(arrow.source, arrow.dest)] += 1
            parts.append(_arrow(arrow, place[arrow.source], place[arrow.dest], nth,
                                f"{flow.brand}-head", taken))
    return "".join(parts) + "</svg>"


def _free(label: str, x: float, y: float, taken: list[Box]) -> tuple[float, float]:
    """Where near (x, y) the label sits over no box and no label set before it (that spot is
    then taken)."""
    half = len(label) * CHAR / 2 + 2
    for step in range(40):
        shift = (step + 1) // 2 * LINE * (1 if step % 2 else -1)
        spot = (x - half, y + shift - LINE + 3, x + half, y + shift + 3)
        if not any(spot[0] < box[2] and box[0] < spot[2] and spot[1] < box[3]
                   and box[1] < spot[3] for box in taken):
            taken.append(spot)
            return x, y + shift
    return x, y


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
                 f'font-size="13">{e(words(state))}</text>')
    if shown:
        parts.append(f'<text x="{x + BOX_W // 2}" y="{y + 34}" text-anchor="middle" '
                     f'font-size="9" fill="#555">{e(", ".join(shown))}</text>')
    return "".join(parts) + "</g>"


def _arrow(arrow: Arrow, start: tuple[int, int], end: tuple[int, int], nth: int,
           head: str, taken: list[Box]) -> str:
    style = ' stroke-dasharray="6 4"' if arrow.timer else ""
    colour = "#666" if arrow.timer else "#333"
    label_x: float
    label_y: float
    if start == end:  # a loop on the box's right edge
        x, y = start[0] + BOX_W, start[1]
        reach = 30 + 14 * nth
        path = (f"M{x},{y + 10} C{x + reach},{y - 6} {x + reach},{y + BOX_H + 6} "
                f"{x},{y + BOX_H - 10}")
        label_x, label_y = x + reach + len(arrow.label) * CHAR / 2, y + BOX_H // 2 + 4
    elif end[0] == start[0] and end[1] == start[1] + BOX_H + GAP_Y and nth == 0:  # down
        x = start[0] + BOX_W // 2
        path = f"M{x},{start[1] + BOX_H} L{x},{end[1]}"
        label_x = x + len(arrow.label) * CHAR / 2 + 6
        label_y = start[1] + BOX_H + GAP_Y // 2 + 4
    elif end[0] == start[0]:  # the same column, not next: round its left side
        x1 = x2 = start[0]
        y1, y2 = start[1] + BOX_H // 2 + 6 * nth, end[1] + BOX_H // 2 - 6 * nth
        reach = 40 + 10 * abs(end[1] - start[1]) // (BOX_H + GAP_Y) + 16 * nth
        path = f"M{x1},{y1} C{x1 - reach},{y1} {x2 - reach},{y2} {x2},{y2}"
        label_x, label_y = x1 - reach, (y1 + y2) // 2
    else:
        forward = end[0] > start[0]
        x1, x2 = (start[0] + BOX_W, end[0]) if forward else (start[0], end[0] + BOX_W)
        y1, y2 = start[1] + BOX_H // 2, end[1] + BOX_H // 2
        bend = (12 + 20 * nth) * (1 if forward else -1)
        mid_x, mid_y = (x1 + x2) // 2, (y1 + y2) // 2 + bend
        path = f"M{x1},{y1} Q{mid_x},{mid_y} {x2},{y2}"
        label_x, label_y = mid_x, (y1 + y2) // 2 + bend // 2
    label_x, label_y = _free(arrow.label, label_x, label_y, taken)
    return (f'<g><path d="{path}" fill="none" stroke="{colour}" stroke-width="1.2"{style} '
            f'marker-end="url(#{e(head)})"/><text x="{label_x}" y="{label_y}" '
            f'text-anchor="middle" font-size="10" fill="{colour}" paint-order="stroke" '
            f'stroke="#fff" stroke-width="3">{e(arrow.label)}</text></g>')
