"""`recovery what-if --workflows PROPOSED`: what a proposed flow would have done to the cases
already recorded, beside what happened."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from recovery.cli.common import (
    BrandFilter,
    Csv,
    Json,
    Page,
    Since,
    Until,
    fail,
    one_output,
    parse_time,
    settings,
    write_page,
)
from recovery.cli.layout import emit_json, err, out, say, table
from recovery.errors import InvalidInput

SHOWN = 50
"""Rows of a list shown in the terminal; --json and --csv have them all."""


def what_if(ctx: typer.Context,
            workflows: Annotated[Path, typer.Option(
                "--workflows", help="The folder of proposed flows (the same layout as "
                "workflows/).", file_okay=False)],
            brand: BrandFilter = None, since: Since = None, until: Until = None,
            json: Json = False, csv: Csv = False, html: Page = None) -> None:
    """Replay every case opened in the period, its recorded acts at their own times, through
    the proposed flows, and show beside what happened: SLA outcomes and p50/p90 per channel,
    clock and priority; acts the proposed flow refuses; cases ending in another state or at
    another priority; remedies it would not give; follow-ups at other times. The live
    database is only read."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from recovery.whatif import sheet

    one_output(json, csv, html)
    if not workflows.is_dir():
        fail(InvalidInput(f"--workflows: no folder {workflows}; give the folder of the "
                          "proposed flows"))
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    engine = settings(ctx).engine()
    with Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), console=err,
                  transient=True, disable=json or csv or not err.is_terminal) as bar:
        task = bar.add_task("replay", total=None)
        found = engine.what_if(workflows, brand=brand, since=start, until=end,
                               progress=lambda done, total: bar.update(
                                   task, completed=done, total=total))
    if json:
        emit_json(found.as_dict())
        return
    if csv:
        sys.stdout.write(sheet.as_csv(found))
        return
    if html is not None:
        write_page(html, sheet.page(found))
        return
    for section, name, columns, rows in sheet.sections(found):
        out.print(table(f"{name}: {section}", columns, rows[:SHOWN]))
        if len(rows) > SHOWN:
            say(f"… and {len(rows) - SHOWN:,} more (--json or --csv lists them all)")
    say(sheet.summary(found))

