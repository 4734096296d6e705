"""`recovery events`: every case's events in commit order after a cursor, for a helpdesk that
pulls (JSON lines with `--json`)."""

from __future__ import annotations

import json as json_lib
import sys
from typing import Annotated

import typer

from recovery.cli.common import local, out, settings, table, zones
from recovery.cli.history import headline


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
        sys.stdout.write("".join(json_lib.dumps(entry.as_dict(), ensure_ascii=False) + "\n"
                                 for entry in found))
        return
    zone = zones(engine)
    out.print(table(f"{len(found)} event(s) after {after}",
                    ["id", "brand", "case", "#", "at (local)", "by", "what"],
                    [[entry.id, entry.brand, entry.event.case_id, entry.event.seq,
                      local(entry.event.at, zone.get(entry.brand, "UTC"), "%Y-%m-%d %H:%M"),
                      entry.event.by, headline(entry.event, zone.get(entry.brand, "UTC"))]
                     for entry in found]))
