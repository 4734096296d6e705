"""`recovery db …`: create the database, or bring an older one up to the current schema."""

from __future__ import annotations

import typer

from recovery.cli.common import Group, Json, emit_json, out, settings

app = typer.Typer(cls=Group, no_args_is_help=True, help="Create or upgrade the database.")


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
