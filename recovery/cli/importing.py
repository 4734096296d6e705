"""`recovery import FILE.jsonl`: bring cases over from another helpdesk, with a progress bar."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer

from recovery.cli.common import Json, fail, in_commands, settings
from recovery.cli.layout import emit_json, err, say

SHOWN = 50
"""Bad lines listed on stderr; beyond them, counted."""


def import_(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(help="One JSON object a line: external_id, "
                                                 "brand, channel, opened_at, author, text, "
                                                 "events; - reads stdin.")],
            json: Json = False) -> None:
    """Bring cases over from another helpdesk with their history, replayed through each brand's
    flow at their own times. Idempotent by external id: a case already here is left alone. A
    bad line is reported with its number and the rest go in (exit 2)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from recovery.errors import InvalidInput

    engine = settings(ctx).engine(create=True)
    try:
        handle: IO[bytes] = sys.stdin.buffer if str(file) == "-" else file.open("rb")
    except OSError as exc:
        fail(InvalidInput(f"cannot read {file}: {exc.strerror}"))
    size = None if handle is sys.stdin.buffer else file.stat().st_size
    read = [0]

    def lines() -> Iterator[bytes]:
        for raw in handle:
            read[0] += len(raw)
            yield raw

    with handle, Progress(TextColumn("importing"), BarColumn(), TextColumn("{task.fields[n]}"),
                          TimeRemainingColumn(), console=err, transient=True,
                          disable=json or not err.is_terminal) as bar:
        task = bar.add_task("import", total=size, n="")
        done = engine.import_cases(lines(), lambda n: bar.update(
            task, completed=read[0], n=f"{n:,} lines"))
    if json:
        emit_json({"imported": done.imported, "existing": done.existing,
                   "bad": [{"line": line, "error": error} for line, error in done.bad]})
    else:
        say(f"imported {done.imported:,} case(s); {done.existing:,} already here; "
            f"{len(done.bad):,} bad line(s)")
        for line, error in done.bad[:SHOWN]:
            sys.stderr.write(f"error: {file}:{line}: {in_commands(error)}\n")
        if len(done.bad) > SHOWN:
            sys.stderr.write(f"error: … and {len(done.bad) - SHOWN:,} more bad lines "
                             "(--json lists them all)\n")
    if done.bad:
        raise typer.Exit(2)
