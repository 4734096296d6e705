"""`recovery flow …`: list, validate and show the brand flows in the workflows folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from recovery.cli.common import Group, Json, fail, settings
from recovery.cli.layout import emit_json, out, table, warn
from recovery.clock import format_duration
from recovery.errors import FlowError, NotFound

if TYPE_CHECKING:
    from recovery.flows import Flow

app = typer.Typer(cls=Group, no_args_is_help=True, help="List, validate and show brand flows.")


@app.command("list")
def list_(ctx: typer.Context, json: Json = False) -> None:
    """List the brands and shared flows in the workflows folder."""
    from recovery.flows import validate_flows

    flows, problems = validate_flows(settings(ctx).workflows)
    rows: list[dict[str, Any]] = [{"brand": f.brand, "name": f.name, "extends": f.settings.extends,
             "kind": "base" if f.settings.abstract else "brand",
             "states": len(f.settings.flow.states), "triggers": len(f.settings.flow.triggers),
             "channels": list(f.settings.channels), "file": str(f.file)} for f in flows.values()]
    if json:
        emit_json(rows)
    else:
        out.print(table(None, ["brand", "name", "kind", "extends", "states", "triggers",
                               "channels"],
                        [[r["brand"], r["name"], r["kind"], r["extends"] or "", r["states"],
                          r["triggers"], ", ".join(r["channels"])] for r in rows]))
    if problems:
        warn(f"{len(problems)} problem(s) in flow files: run `recovery flow validate`")


@app.command()
def validate(ctx: typer.Context, json: Json = False) -> None:
    """Check every flow file; print every problem as file:line with a hint."""
    from recovery.flows import validate_flows

    flows, problems = validate_flows(settings(ctx).workflows)
    if json:
        emit_json({"ok": not problems, "flows": sorted(flows),
                   "problems": [{"file": str(p.file), "line": p.line, "message": p.message,
                                 "hint": p.hint} for p in problems]})
        if problems:
            raise typer.Exit(7)
        return
    for problem in problems:
        warn(str(problem))
    if problems:
        files = len({problem.file for problem in problems})
        sys.stderr.write(f"error: {len(problems)} problem(s) in {files} file(s)\n")
        raise typer.Exit(7)
    out.print(f"{len(flows)} flow(s) valid: {', '.join(sorted(flows))}")
    for warning in _stranded(settings(ctx).db, settings(ctx).schema, flows):
        warn(f"warning: {warning}")


@app.command()
def diagram(ctx: typer.Context, brand: Annotated[str, typer.Argument(help="The brand.")],
            format_: Annotated[Literal["mermaid", "dot", "svg"], typer.Option(
                "--format", help="mermaid (renders on code forges), dot (Graphviz) or svg "
                "(drawn by Graphviz's dot where it is installed).")] = "mermaid",
            out_file: Annotated[Path | None, typer.Option(
                "--out", help="Write it to this file instead of printing it.")] = None) -> None:
    """Draw a brand's flow: states (initial, terminal, paused and stopped clocks marked),
    triggers as arrows with their guards, timers as dashed arrows with their delay."""
    from recovery.handbook.diagram import draw

    drawn = draw(_flow(ctx, brand), format_)
    if out_file is None:
        sys.stdout.write(drawn)
    else:
        out_file.write_text(drawn, encoding="utf-8")
        out.print(f"{format_} diagram of {brand} written to {out_file}", markup=False)


def _flow(ctx: typer.Context, brand: str) -> Flow:
    """The brand's flow as the workflows folder has it; one line when it does not load."""
    from recovery.flows import validate_flows

    flows, problems = validate_flows(settings(ctx).workflows)
    flow = flows.get(brand)
    if flow is None:
        if problems:
            fail(FlowError(problems))
        fail(NotFound(f"no flow '{brand}'; known: {', '.join(sorted(flows))}"))
    return flow


def _stranded(db: str, schema: str | None, flows: dict[str, Flow]) -> list[str]:
    """The stored cases that sit in states their brand's flow no longer has (they cannot move
    until the state is back); nothing when there is no database yet."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    from recovery.store.db import in_schema, missing_file
    from recovery.store.queries import states_in_use
    from recovery.store.tables import cases

    if missing_file(db) is not None:
        return []
    try:
        engine = create_engine(db)
        try:
            with engine.connect() as conn:
                if schema is not None:
                    conn.execute(text(str(in_schema(schema))))
                found = (states_in_use(conn) if inspect(conn).has_table(cases.name, schema)
                         else [])
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        return [f"the stored cases could not be read ({str(exc).splitlines()[0]})"]
    return [f"{count} case(s) of {brand} sit in state '{state}', which its flow no longer has; "
            "they cannot move until it is back" for brand, state, count in found
            if brand in flows and state not in flows[brand].settings.flow.states]


@app.command()
def show(ctx: typer.Context, brand: Annotated[str, typer.Argument(help="The brand.")],
         json: Json = False) -> None:
    """Show a brand's flow: states, triggers with their guards, timers and SLA targets."""
    flow = _flow(ctx, brand)
    decl = flow.settings
    if json:
        emit_json(decl.model_dump(mode="json", by_alias=True))
        return
    out.print(f"[bold]{decl.name}[/] ({brand}) · {decl.timezone} · "
              f"languages {', '.join(decl.languages)} · voice {decl.voice}")
    out.print(table("States", ["state", "", "description"],
                    [[name, "terminal" if s.terminal else ("initial" if name == flow.initial
                                                           else ""), s.description]
                     for name, s in decl.flow.states.items()]))
    out.print(table("Triggers", ["trigger", "moves", "guards, records"],
                    [[name, f"{', '.join(t.sources)} → {t.to or '(stays)'}",
                      "; ".join(filter(None, [", ".join(t.guards),
                                              f"records {t.records}" if t.records else ""]))]
                     for name, t in decl.flow.triggers.items()]))
    if decl.flow.timers:
        out.print(table("Timers", ["timer", "in", "after", "fires"],
                        [[name, t.state, format_duration(t.after), t.fire]
                         for name, t in decl.flow.timers.items()]))
    out.print(table("Channels", ["channel", "first response", "resolution", "clock"],
                    [[name, str(c.first_response), str(c.resolution),
                      c.clock] for name, c in decl.channels.items()]))
    follow = decl.follow_up
    if follow is not None:
        days = "working days" if follow.clock == "business" else "calendar time"
        rows = [["asks", f"how it went, 1 to 5, {format_duration(follow.after)} after "
                 f"resolving ({days}), template {follow.template}"],
                ["reminds", f"once, {format_duration(follow.reminder_after)} later"
                 if follow.reminder_after else "never"],
                ["closes", f"quietly {format_duration(follow.close_after)} after asking"],
                ["low score", f"{follow.low_score} or less reopens; above closes"],
                ["skips", ", ".join(follow.skip_when) or "never"],
                ["sample", f"{follow.sample:.0%} of cases"]]
        out.print(table("Follow-up", ["", "policy"], rows))
