"""`recovery db …`: create the database, bring an older one up to the current schema, or copy
it to drill on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recovery.cli.common import Group, Json, settings
from recovery.cli.layout import emit_json, out

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Create, upgrade or copy the database.")


@app.command()
def init(ctx: typer.Context, json: Json = False) -> None:
    """Create the database (a SQLite file by default) or upgrade it to the current schema."""
    from recovery.store.db import HEAD

    given = settings(ctx)
    given.engine(create=True)
    if json:
        emit_json({"db": given.db, "schema": HEAD})
    else:
        out.print(f"database ready: {given.db} (schema {HEAD})", markup=False, highlight=False)


@app.command()
def copy(ctx: typer.Context,
         target: Annotated[Path, typer.Argument(help="The new SQLite file to copy into.")]
         ) -> None:
    """Copy the database to a new file, consistently while it is in use, to drill on: run
    commands there with `--drill` and a `--now` ahead of the clock, the live one untouched."""
    from recovery.store.db import copy as copied

    given = settings(ctx)
    copied(given.db, target)
    out.print(f"copied {given.db} to {target}; drill there: recovery --db sqlite:///{target} "
              "--drill --now …", markup=False, highlight=False)
