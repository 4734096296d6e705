"""The `recovery` command line: a case board a care team drives all day."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recovery.cli import audit, case, db, flow, remedy
from recovery.cli.common import (
    Group,
    Json,
    Settings,
    emit_json,
    out,
    parse_time,
    say,
    settings,
    stamp,
    table,
)
from recovery.cli.demo import demo
from recovery.cli.hours import hours
from recovery.cli.notices import notices
from recovery.cli.reply import lint, reply
from recovery.cli.spec import spec

app = typer.Typer(cls=Group, no_args_is_help=True, add_completion=False,
                  help="Complaint recovery for social customer care: flows, cases and timers.")
app.add_typer(flow.app, name="flow")
app.add_typer(case.app, name="case")
app.add_typer(db.app, name="db")
app.add_typer(remedy.app, name="remedy")
app.add_typer(audit.app, name="audit")
app.command()(demo)
app.command()(hours)
app.command()(notices)
app.command()(reply)
app.command()(lint)
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(spec)


@app.callback()
def root(ctx: typer.Context,
         db: Annotated[str, typer.Option(envvar="RECOVERY_DB", help="Database URL (env "
                                         "RECOVERY_DB): a SQLite file or postgresql+psycopg://…")]
         = "sqlite:///recovery.db",
         workflows: Annotated[Path, typer.Option(envvar="RECOVERY_WORKFLOWS", help="The folder "
                                                 "of brand flows (env RECOVERY_WORKFLOWS).")]
         = Path("workflows"),
         now: Annotated[str | None, typer.Option(help="Act as if it were this time (ISO 8601, "
                                                      "UTC if no offset): replays and drills.")]
         = None) -> None:
    """Complaint recovery for social customer care: flows, cases and timers."""
    ctx.obj = Settings(db=db, workflows=workflows, now=parse_time(now, "--now"))


@app.command()
def tick(ctx: typer.Context, json: Json = False) -> None:
    """Fire every timer that is due and post the daily hello or goodbye that is due.

    Each timer fires exactly once (follow-ups, quiet closes, SLA warnings and breaches), as of
    `--now` (default: the wall clock)."""
    from recovery.store.records import Notice

    engine = settings(ctx).engine()
    posted: list[Notice] = []
    engine.subscribe(lambda item: posted.append(item) if isinstance(item, Notice) else None)
    fired = engine.tick()
    if json:
        emit_json([timer.as_dict() for timer in fired])
        return
    zones = {case_id: engine.flow(engine.case(case_id).brand).settings.timezone
             for case_id in {timer.case_id for timer in fired}}
    out.print(table(f"{len(fired)} timer(s) fired (due in each brand's time)",
                    ["case", "trigger", "due", "outcome"],
                    [[t.case_id, f"{t.clock}.{t.trigger}" if t.clock else t.trigger,
                      stamp(t.due_at, zones[t.case_id]), t.outcome] for t in fired]))
    for notice in posted:
        zone = engine.flow(notice.brand).settings.timezone
        say(f"posted the {notice.kind} on {notice.brand}'s {notice.channel} at "
            f"{stamp(notice.posted_at, zone)}: {notice.text}")


def main() -> None:
    """Entry point of the `recovery` command."""
    app()
