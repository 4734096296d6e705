"""A what-if laid out for people, recorded beside proposed: the same tables in the terminal and
on the page (in the care report's style), and every figure one a row in the CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from recovery.clock.sla import CLOCKS, OUTCOMES
from recovery.formats import clock_span, stamp
from recovery.report.rows import cell
from recovery.whatif import WhatIf

PROPOSAL = ["key of the flow file", "live", "proposed"]
"""The columns of what the proposal changes."""
SLA = ["channel", "clock", "met / breached / running: recorded → proposed",
       "p50 / p90: recorded → proposed"]
"""The columns of `sla_rows`."""
PRIORITY = ["priority", "clock", "met / breached / running: recorded → proposed",
            "p50 / p90: recorded → proposed"]
"""The columns of `priority_rows`."""
LISTS = {
    "refused": (["case", "event", "trigger", "at", "by", "why"],
                ("case", "seq", "trigger", "at", "by", "why")),
    "ended": (["case", "recorded state", "proposed state"], ("case", "recorded", "proposed")),
    "priorities": (["case", "recorded priority", "proposed priority"],
                   ("case", "recorded", "proposed")),
    "not_given": (["kind", "goodwill", "count", "value", "unit", "of those given: count",
                   "value"],
                  ("kind", "goodwill", "count", "value", "unit", "of_count", "of_value")),
    "remedies": (["case", "kind", "value", "unit", "recorded", "proposed"],
                 ("case", "kind", "value", "unit", "recorded", "proposed")),
    "follow_ups": (["case", "recorded steps", "proposed steps"],
                   ("case", "recorded", "proposed")),
}
"""Each list of a what-if: its columns, and the keys they show."""
TITLES = {"refused": "acts the proposed flow refuses",
          "ended": "cases that end in another state",
          "priorities": "cases at another priority",
          "not_given": "remedies given that the proposed flow would not give",
          "remedies": "remedies whose fate differs",
          "follow_ups": "follow-ups at other times"}


def brands(found: WhatIf) -> list[str]:
    """The brands with cases in the period."""
    return sorted(set(found.recorded) | set(found.proposed))


def sla_rows(found: WhatIf, brand: str) -> list[list[object]]:
    """SLA outcomes and p50 / p90 (each clock's own time) per channel and clock."""
    rows: list[list[object]] = []
    before = found.recorded.get(brand, {}).get("channels", {})
    after = found.proposed.get(brand, {}).get("channels", {})
    for channel in sorted(set(before) | set(after)):
        for clock in CLOCKS:
            a, b = before.get(channel, {}).get(clock), after.get(channel, {}).get(clock)
            if a is None and b is None:
                continue
            rows.append([channel, _clock(clock, a, b), f"{_outcomes(a)} → {_outcomes(b)}",
                         f"{_times(a)} → {_times(b)}"])
    return rows


def priority_rows(found: WhatIf, brand: str) -> list[list[object]]:
    """SLA outcomes and p50 / p90 per (highest) priority and clock, the most urgent first."""
    before = found.recorded.get(brand, {}).get("priorities", {})
    after = found.proposed.get(brand, {}).get("priorities", {})
    order = list(after) + [name for name in before if name not in after]
    return [[name, clock.replace("_", " "), f"{_outcomes(before.get(name, {}).get(clock))} → "
             f"{_outcomes(after.get(name, {}).get(clock))}",
             f"{_times(before.get(name, {}).get(clock))} → "
             f"{_times(after.get(name, {}).get(clock))}"]
            for name in order for clock in CLOCKS
            if clock in before.get(name, {}) or clock in after.get(name, {})]


def list_rows(found: WhatIf, name: str, brand: str) -> list[list[object]]:
    """The rows of one of the what-if's lists (`LISTS`) for `brand`."""
    _columns, keys = LISTS[name]
    return [[_cell(item.get(key)) for key in keys] for item in getattr(found, name)
            if item["brand"] == brand]


def summary(found: WhatIf) -> str:
    """What was replayed, and that the live database was only read."""
    skipped = "; ".join(f"{kind}: {count:,}" for kind, count in found.skipped.items())
    return (f"proposed flows: {found.workflows}; "
            f"replayed {found.cases:,} case(s) opened {stamp(found.since, 'UTC')} to "
            f"{stamp(found.until, 'UTC')}: {found.acts:,} recorded act(s), "
            f"{found.choices:,} of them choices the flow does not make (answers, "
            "do-not-contact, reach, hidden posts, redactions), taken as recorded"
            + (f"; not replayed: {skipped}" if skipped else "")
            + ". The live database was only read.")


CSV = ["section", "brand", "item", "figure", "recorded", "proposed"]
"""The CSV's columns: one figure a row, recorded beside proposed (the live value beside the
proposed one for what the proposal changes)."""


def as_csv(found: WhatIf) -> str:
    """Every figure, one a row (`CSV`): numbers as numbers (times in seconds), for a
    spreadsheet to sum and pivot."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV)
    for row in _figures(found):
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()


def _figures(found: WhatIf) -> Iterator[tuple[object, ...]]:
    """The rows of `as_csv`."""
    for brand in brands(found):
        for item in found.proposal.get(brand, []):
            yield "proposal", brand, item["key"], "", item["live"], item["proposed"]
        for side, section in (("channels", "SLA per channel"),
                              ("priorities", "SLA per priority")):
            before = found.recorded.get(brand, {}).get(side, {})
            after = found.proposed.get(brand, {}).get(side, {})
            for name in [*before, *(name for name in after if name not in before)]:
                for clock in CLOCKS:
                    a = before.get(name, {}).get(clock) or {}
                    b = after.get(name, {}).get(clock) or {}
                    if a or b:
                        for figure in (*OUTCOMES, "p50", "p90"):
                            yield (section, brand, f"{name} {clock}",
                                   figure if figure in OUTCOMES else f"{figure}_seconds",
                                   a.get(figure), b.get(figure))
    for item in found.refused:
        yield ("refused", item["brand"], item["case"],
               f"#{item['seq']} {item['trigger']} by {item['by']} at {_cell(item['at'])}",
               "taken", item["why"])
    for name, figure in (("ended", "state"), ("priorities", "priority")):
        for item in getattr(found, name):
            yield name, item["brand"], item["case"], figure, item["recorded"], item["proposed"]
    for item in found.remedies:
        yield ("remedies", item["brand"], item["case"],
               f"{item['kind']} {item['value']} {item['unit']}", item["recorded"],
               item["proposed"])
    for brand in brands(found):
        for side in ("remedies", "goodwill"):
            given: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for at, figures in enumerate((found.recorded, found.proposed)):
                for remedy in figures.get(brand, {}).get(side, []):
                    given.setdefault((remedy["kind"], remedy["unit"]), [{}, {}])[at] = remedy
            for (kind, unit), (a, b) in given.items():
                named = _kind(kind, unit, side == "goodwill")
                yield "remedies given", brand, named, "count", a.get("count", 0), b.get("count", 0)
                yield "remedies given", brand, named, "value", a.get("total", 0), b.get("total", 0)
    for withheld in found.not_given:  # given live, not under the proposal
        named = _kind(withheld["kind"], withheld["unit"], withheld["goodwill"])
        yield "remedies not given", withheld["brand"], named, "count", withheld["count"], None
        yield "remedies not given", withheld["brand"], named, "value", withheld["value"], None
    for item in found.follow_ups:
        yield ("follow_ups", item["brand"], item["case"], "steps", _cell(item["recorded"]),
               _cell(item["proposed"]))


def page(found: WhatIf) -> str:
    """The what-if as one self-contained HTML page, in the care report's style."""
    from recovery.page import document, e, table

    title = (f"What if: cases opened {stamp(found.since, 'UTC')} to "
             f"{stamp(found.until, 'UTC')}, recorded against proposed")
    body = [f"<h1>{e(title)}</h1>", f"<p>{e(summary(found))}</p>"]
    shown = None
    for section, brand, columns, rows in sections(found):
        if brand != shown:
            body.append(f'<h2 id="{e(brand)}">{e(brand)}</h2>')
            shown = brand
        body.append(f"<h3>{e(section)}</h3>" + table(columns, rows))
    return document(title, body)


def sections(found: WhatIf) -> Iterator[tuple[str, str, list[str], list[list[object]]]]:
    """Each table of the what-if, brand by brand: its title, brand, columns and rows (the
    terminal and the page show the same)."""
    for brand in brands(found):
        changed = found.proposal.get(brand)
        yield ("what the proposal changes", brand, PROPOSAL,
               [[item["key"], _cell(item["live"]), _cell(item["proposed"])]
                for item in changed] if changed else [["(nothing)", "", ""]])
        yield "SLA outcomes per channel", brand, SLA, sla_rows(found, brand)
        rows = priority_rows(found, brand)
        if rows:
            yield "SLA outcomes per priority", brand, PRIORITY, rows
        for name, (columns, _keys) in LISTS.items():
            rows = list_rows(found, name, brand)
            if rows:
                yield TITLES[name], brand, columns, rows


def _kind(kind: str, unit: str | None, goodwill: bool) -> str:
    """A remedy kind as the CSV names it: `voucher (PLN)`, `meal (meal, goodwill)`."""
    return f"{kind} ({unit or '-'}{', goodwill' if goodwill else ''})"


def _outcomes(times: dict[str, Any] | None) -> str:
    if times is None:
        return "-"
    return " / ".join(str(times.get(outcome, 0)) for outcome in OUTCOMES)


def _times(times: dict[str, Any] | None) -> str:
    """p50 / p90 in the clock's own time, written as the care report writes it."""
    if times is None or times.get("p50") is None:
        return "-"
    business = bool(times.get("business"))
    return " / ".join(clock_span(timedelta(seconds=times[name]), business)
                      for name in ("p50", "p90"))


def _clock(clock: str, *times: dict[str, Any] | None) -> str:
    business = any(found.get("business") for found in times if found)
    return clock.replace("_", " ") + (" (business hours)" if business else "")


def _cell(value: Any) -> object:
    if isinstance(value, list):
        return "; ".join(f"{step['step']} {step['at']}" + (f" ({step['outcome']})"
                                                         if step.get("outcome") else "")
                         for step in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        return value.isoformat()
    return "-" if value is None else value
