"""The care report as rows for a spreadsheet: one figure a row (brand, channel, figure, item,
value), durations in seconds. A text cell that a spreadsheet would read as a formula (root
causes and override reasons are what agents typed) is written with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from recovery.clock.sla import CLOCKS

COLUMNS = ("brand", "channel", "figure", "item", "value")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def rows(figures: dict[str, Any]) -> Iterator[tuple[str, str, str, str, object]]:
    """Every figure of the report (as `figures.report` returns it), one row each."""
    for brand, found in figures.items():
        for channel, counted in found["channels"].items():
            yield brand, channel, "cases", "", counted.get("cases", 0)
            for clock in CLOCKS:
                times = counted.get(clock)
                if times is None:
                    continue
                for name in ("business", "p50", "p90", "calendar_p50", "calendar_p90", "met",
                             "breached", "running"):
                    unit = "_seconds" if "p50" in name or "p90" in name else ""
                    yield brand, channel, f"{clock}.{name}{unit}", "", times[name]
                for bucket in times.get("spread", []):
                    bound = bucket["up_to"]
                    yield (brand, channel, f"{clock}.spread", "longer" if bound is None
                           else f"up to {bound} s", bucket["cases"])
        yield from _brand_rows(brand, found)


def _brand_rows(brand: str, found: dict[str, Any]) -> Iterator[tuple[str, str, str, str,
                                                                       object]]:
    for priority, counted in found.get("priorities", {}).items():
        yield brand, "", "priority.cases", priority, counted["cases"]
        for clock in CLOCKS:
            for outcome, count in counted.get(clock, {}).items():
                yield brand, "", f"priority.{clock}.{outcome}", priority, count
    for week, clocks in found.get("weeks", {}).items():
        for clock, outcomes in clocks.items():
            for outcome, count in outcomes.items():
                yield brand, "", f"week.{clock}.{outcome}", week, count
    for incident in found.get("incidents", []):
        item = f"incident {incident['id']}: {incident['title']}"
        yield brand, "", "incident.complaints", item, incident["complaints"]
        yield brand, "", "incident.announced_before", item, incident["announced_before"]
    for kind, count in found.get("findings", {}).items():
        yield brand, "", "findings", kind, count
    for cause in found.get("root_causes", []):
        yield brand, "", "root_cause", cause["cause"], cause["cases"]
    for side in ("remedies", "goodwill"):
        for given in found.get(side, []):
            item = f"{given['kind']} {given['unit']}"
            yield brand, "", f"{side}.count", item, given["count"]
            yield brand, "", f"{side}.total", item, given["total"]
    for name, value in found.get("follow_up", {}).items():
        yield brand, "", f"follow_up.{name}", "", value
    replies = found.get("replies")
    if replies:
        for name in ("sent", "public", "overridden"):
            yield brand, "", f"replies.{name}", "", replies[name]
        for severity, codes in replies["findings"].items():
            for code, count in codes.items():
                yield brand, "", f"replies.{severity}", code, count
        for override in replies["overrides"]:
            yield (brand, "", "replies.override", f"case {override['case']} at "
                   f"{override['at']} by {override['by']}: {', '.join(override['codes'])}",
                   override["reason"])


def as_csv(figures: dict[str, Any]) -> str:
    """The rows as CSV text with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(figures):
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()


def cell(value: object) -> object:
    """A CSV cell: empty for None, and a text a spreadsheet would read as a formula given a
    leading `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value
