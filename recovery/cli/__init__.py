"""The `recovery` command line: a case board a care team drives all day."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recovery.cli import audit, case, db, flow, incident, outbox, remedy
from recovery.cli.common import Group, Settings, parse_time
from recovery.cli.demo import demo
from recovery.cli.events import events
from recovery.cli.handbook import handbook
from recovery.cli.hours import hours
from recovery.cli.importing import import_
from recovery.cli.notices import notices
from recovery.cli.reply import lint, reply
from recovery.cli.report import report
from recovery.cli.spec import spec
from recovery.cli.timers import tick, timers
from recovery.cli.whatif import what_if
from recovery.cli.worker import worker

app = typer.Typer(cls=Group, no_args_is_help=True, add_completion=False,
                  help="Complaint recovery for social customer care: flows, cases and timers.")
app.add_typer(flow.app, name="flow")
app.add_typer(case.app, name="case")
app.add_typer(db.app, name="db")
app.add_typer(remedy.app, name="remedy")
app.add_typer(audit.app, name="audit")
app.add_typer(outbox.app, name="outbox")
app.add_typer(incident.app, name="incident")
app.command()(demo)
app.command()(events)
app.command()(hours)
app.command("import")(import_)
app.command()(notices)
app.command()(reply)
app.command()(lint)
app.command()(report)
app.command()(tick)
app.command()(timers)
app.command()(worker)
app.command("what-if")(what_if)
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(spec)
app.command(context_settings={"allow_extra_args": True,
                              "ignore_unknown_options": True})(handbook)


@app.callback()
def root(ctx: typer.Context,
         db: Annotated[str, typer.Option(envvar="RECOVERY_DB", help="Database URL: a SQLite "
                                         "file or postgresql+psycopg://…")]
         = "sqlite:///recovery.db",
         workflows: Annotated[Path, typer.Option(envvar="RECOVERY_WORKFLOWS", help="The folder "
                                                 "of brand flows.")]
         = Path("workflows"),
         now: Annotated[str | None, typer.Option(help="Act as if it were this time (ISO 8601, "
                                                      "UTC if no offset): replays and drills.")]
         = None,
         schema: Annotated[str | None, typer.Option(envvar="RECOVERY_SCHEMA", help="PostgreSQL: "
                                                    "the schema of the engine's own tables, as "
                                                    "a host embedding it set it.")] = None,
         drill: Annotated[bool, typer.Option("--drill", envvar="RECOVERY_DRILL",
                                             help="The database is a copy to drill on (`recovery "
                                                  "db copy`): commands may act at a --now ahead "
                                                  "of the clock.")] = False) -> None:
    """Complaint recovery for social customer care: flows, cases and timers."""
    ctx.obj = Settings(db=db, workflows=workflows, now=parse_time(now, "--now"), schema=schema,
                       drill=drill)


def main() -> None:
    """Entry point of the `recovery` command."""
    app()
