"""`recovery events`: every case's events in commit order after a cursor, for a helpdesk that
pulls (JSON lines with `--json`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from recovery.cli.common import settings, zones
from recovery.cli.history import Shown, headline
from recovery.cli.layout import json_line, out, table
from recovery.formats import stamp

if TYPE_CHECKING:
    from recovery.engine import Engine


def events(ctx: typer.Context,
           after: Annotated[int, typer.Option(help="The id of the last event already read "
                                                   "(0: from the first).")] = 0,
           limit: Annotated[int, typer.Option(help="At most this many (1 to 10,000).")] = 100,
           json: Annotated[bool, typer.Option("--json", help="One JSON object a line: id, "
                                              "brand, event.")] = False) -> None:
    """Every case's events in the order they were committed, after the event with id --after:
    pass the last one's id as the next --after, and nothing is skipped or given twice."""
    engine = settings(ctx).engine()
    found = engine.events(after=after, limit=limit)
    if json:
        sys.stdout.write("".join(json_line(entry.as_dict()) for entry in found))
        return
    zone = zones(engine)
    shown: dict[str, Shown] = {}
    out.print(table(f"{len(found)} event(s) after {after}",
                    ["id", "brand", "case", "#", "at", "by", "what"],
                    [[entry.id, entry.brand, entry.event.case_id, entry.event.seq,
                      stamp(entry.event.at, zone.get(entry.brand, "UTC")),
                      entry.event.by, headline(entry.event, _shown(engine, entry.brand, shown))]
                     for entry in found]))


def _shown(engine: Engine, brand: str, known: dict[str, Shown]) -> Shown:
    """How `brand`'s events are written (each brand's once)."""
    if brand not in known:
        known[brand] = Shown.of(engine.flow(brand))
    return known[brand]
