"""`recovery demo`: open the sample complaints of every brand, drive them along, show the board.

Samples live beside each flow in `workflows/<brand>/samples.yaml` (read by `cli/samples.py`).
Each has a platform id, so running the demo again opens nothing twice.
"""

from __future__ import annotations

import typer

from recovery.cli.case import board
from recovery.cli.common import Json, emit_json, out, settings


def demo(ctx: typer.Context, json: Json = False) -> None:
    """Open the sample complaints of every brand, drive them along, and show the case board."""
    from recovery.cli.samples import SAMPLES, play, samples

    engine = settings(ctx).engine()
    opened = 0
    for brand in engine.brands:
        for sample in samples(engine.flow(brand).file.parent / SAMPLES):
            opened += play(engine, brand, sample)
    cases = engine.cases(limit=100)
    if json:
        emit_json({"opened": opened, "cases": [case.as_dict() for case in cases]})
        return
    out.print(f"{opened} sample complaint(s) opened; the board:")
    out.print(board(cases, {b: engine.flow(b).settings.timezone for b in engine.brands}))
    out.print("Next: `recovery case show ID`, `recovery case fire ID TRIGGER --by NAME`.")
