"""`recovery notices`: the daily hellos and goodbyes the engine posted on the brands' channels."""

from __future__ import annotations

from typing import Annotated

import typer

from recovery.cli.common import BrandFilter, Json, settings
from recovery.cli.layout import emit_json, out, table
from recovery.formats import stamp


def notices(ctx: typer.Context, brand: BrandFilter = None,
            limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1,
                                             max=10_000)]
            = 50,
            json: Json = False) -> None:
    """List the daily hellos and goodbyes posted, newest first, with their text."""
    engine = settings(ctx).engine()
    posted = engine.notices(brand, limit)
    if json:
        emit_json([notice.as_dict() for notice in posted])
        return
    out.print(table(f"{len(posted)} notice(s) posted (in each brand's time)",
                    ["posted", "brand", "channel", "kind", "text"],
                    [[stamp(n.posted_at, engine.flow(n.brand).settings.timezone), n.brand,
                      n.channel, n.kind, n.text] for n in posted]))
