"""`recovery demo`: open the sample complaints of every brand, drive them along, show the board.

Samples live beside each flow in `workflows/<brand>/samples.yaml` (read by `cli/samples.py`).
Each has a platform id, so running the demo again opens nothing twice.
"""

from __future__ import annotations

import typer

from recovery.cli.board import board
from recovery.cli.common import Json, settings
from recovery.cli.layout import emit_json, out, say


def demo(ctx: typer.Context, json: Json = False) -> None:
    """Open the sample complaints of every brand, drive them along, and show the case board.

    The samples are moved by whole weeks to the week before now, so the team can go on."""
    from recovery.cli.samples import SAMPLES, play, samples, shift

    engine = settings(ctx).engine(create=True)
    found = {brand: samples(engine.flow(brand).file.parent / SAMPLES) for brand in engine.brands}
    moved = shift([sample for listed in found.values() for sample in listed],
                  settings(ctx).clock())
    opened = sum(play(engine, brand, sample, moved)
                 for brand, listed in found.items() for sample in listed)
    cases = engine.cases(limit=100, urgent_first=True)
    if json:
        emit_json({"opened": opened, "cases": [case.as_dict() for case in cases]})
        return
    say(f"{opened} sample complaint(s) opened.")
    out.print(board(engine, cases, settings(ctx).clock(), f"The board: {len(cases)} case(s), "
                    "most urgent first"))
    say("Next: `recovery case show ID`, `recovery case fire ID TRIGGER --by NAME`.")
