"""`recovery audit verify`: check that every case's history is whole and unchanged."""

from __future__ import annotations

from typing import Annotated

import typer

from recovery import limits
from recovery.cli.common import BrandFilter, Group, Json, settings
from recovery.cli.layout import emit_json, say

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Check that the history proves itself: every case's hash chain.")

BROKEN = 1
"""The exit code when some history does not verify."""


@app.command()
def verify(ctx: typer.Context, brand: BrandFilter = None,
           case: Annotated[int | None, typer.Option("--case", help="Only this case.", min=1,
                                                       max=limits.MAX_ID)]
           = None,
           json: Json = False) -> None:
    """Check each case's events: numbered without gaps, each matching its hash, each hash
    following from the one before. Exit 0 when all verify; 1 with each broken case and its
    first bad event."""
    audit = settings(ctx).engine().audit(brand=brand, case_id=case)
    if json:
        emit_json({**audit.as_dict(), "ok": audit.ok})
    else:
        for found in audit.broken:
            say(f"case {found.case_id}: {found.problem}", style="red")
        verdict = "verified" if audit.ok else f"checked, {len(audit.broken)} broken"
        say(f"{audit.cases} case(s), {audit.events} event(s) {verdict}")
    if not audit.ok:
        raise typer.Exit(BROKEN)
