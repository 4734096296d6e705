"""`recovery flow …`: list, validate and show the brand flows in the workflows folder."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from recovery.cli.common import By, Group, Json, fail, settings
from recovery.cli.layout import emit_json, indented, out, say, table, warn
from recovery.errors import FlowError, InvalidInput, NotFound
from recovery.formats import span

if TYPE_CHECKING:
    from recovery.flow_migration import Move
    from recovery.flows import Flow

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="List, validate, show and draw brand flows; move cases to a new version.")


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
    """Check every flow file; print every problem as file:line with a hint. Warn of the
    stored cases in states the flows no longer have, and of the open cases under an older
    version of their brand's flow (`flow migrate` moves them)."""
    from recovery.flows import validate_flows

    flows, problems = validate_flows(settings(ctx).workflows)
    if json:
        emit_json({"ok": not problems, "flows": sorted(flows),
                   "problems": [{"file": str(p.file), "line": p.line, "message": p.message,
                                 "hint": p.hint} for p in problems],
                   "warnings": [] if problems else _stranded(settings(ctx).db,
                                                             settings(ctx).schema, flows)})
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
    from recovery.flows.durations import meanings

    for brand in sorted(flows):
        for meaning in meanings(flows[brand]):
            indented(f"{brand}: {meaning}")
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


@app.command()
def migrate(ctx: typer.Context, brand: Annotated[str, typer.Argument(help="The brand.")],
            by: By,
            map_: Annotated[list[str] | None, typer.Option(
                "--map", metavar="OLD=NEW", help="Where the cases in a state the flow no longer "
                "has go (or move those in any state elsewhere); repeat it for each state.")]
            = None,
            dry_run: Annotated[bool, typer.Option(
                "--dry-run", help="Make the moves and roll them back: say what each would "
                "change; nothing is kept.")] = False,
            json: Json = False) -> None:
    """Move the brand's open cases that run under an older version of its flow to the flow
    as the workflows folder has it now. Until they are moved, cases keep the version they
    opened with. Each move is an event on the case; its state's timers are armed again where
    they differ, its SLA clocks keep the time counted and follow the new targets, and its
    follow-up steps still to come the new timing. While a case sits in a state the flow no
    longer has and no --map places it, nothing moves."""
    from recovery.flow_migration import Blocked

    mapping: dict[str, str] = {}
    for given in map_ or []:
        old, sign, new = given.partition("=")
        if not sign or not old.strip() or not new.strip() or old.strip() in mapping:
            fail(InvalidInput(f"--map {given!r}: write each state once, as old_state=new_state"))
        mapping[old.strip()] = new.strip()
    engine = settings(ctx).engine()
    try:
        migration = engine.migrate_flow(brand, by=by, mapping=mapping, dry_run=dry_run)
    except Blocked as refused:  # its plan is shown, then why nothing moved
        migration = refused.migration
    if json:
        emit_json({**migration.as_dict(), "unmapped": migration.unmapped})
    elif migration.moves:
        zone = engine.flow(brand).settings.timezone
        out.print(table(f"{brand}: open cases under an older version of its flow",
                        ["case", "version", "state", "goes to", "timers it loses",
                         "what changes"],
                        [[move.case_id, move.version, move.state,
                          move.to_state or "(no such state: --map it)",
                          ", ".join(move.lacking_timers), _changes(move, zone)]
                         for move in migration.moves]))
    moves = len(migration.moves)
    if migration.unmapped:
        fail(Blocked(migration))
    if json:
        return
    if not moves:
        say(f"every open case of {brand} runs under its flow's current version "
            f"({migration.version}); nothing to move")
    elif migration.done:
        say(f"moved {moves} case(s) of {brand} to version {migration.version} of its flow")
    else:
        say(f"dry run: {moves} case(s) of {brand} would move to version {migration.version}; "
            "nothing was written")


def _changes(move: Move, zone: str) -> str:
    """What a move changes besides the state, in a few words: `first response 1h → 30m;
    follow-up ask 2026-12-04 10:00+01:00 → 2026-12-03 10:00+01:00`."""
    from recovery.clock import format_duration
    from recovery.formats import stamp

    def when(written: str | None) -> str:
        return "dropped" if written is None else stamp(datetime.fromisoformat(written), zone)

    said = [f"{clock.replace('_', ' ')} {format_duration(timedelta(seconds=before))} → "
            f"{format_duration(timedelta(seconds=after))}"
            for clock, (before, after) in move.changes.get("targets", {}).items()]
    said += [f"follow-up {step} {when(before)} → {when(after)}"
             for step, (before, after) in move.changes.get("follow_up", {}).items()]
    if move.changes.get("timers"):
        said.append(f"timers armed again: {', '.join(move.changes['timers'])}")
    if move.changes.get("breaches"):
        said.append(f"breached at once: {', '.join(move.changes['breaches'])}")
    if move.changes.get("priority"):
        said.append(f"priority raised to {move.changes['priority']}")
    return "; ".join(said)


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
    """What the flows as they are now mean for the stored cases: those under the current
    version of their brand's flow (or any, on a database from before versions) that sit in
    states it no longer has; and the open cases under an older version, or opened before
    versions in a state it no longer has, with those in states or with timers it no longer has
    (`recovery flow migrate` moves them). Nothing when there is no database yet."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    from recovery.flow_migration import in_flight
    from recovery.store.db import in_schema, missing_file
    from recovery.store.queries import states_in_use
    from recovery.store.tables import cases

    if missing_file(db) is not None:
        return []
    found: list[tuple[str, str, int]] = []
    outdated: dict[str, list[Move]] = {}
    try:
        engine = create_engine(db)
        try:
            with engine.connect() as conn:
                if schema is not None:
                    conn.execute(text(str(in_schema(schema))))
                if inspect(conn).has_table(cases.name, schema):
                    versioned = any(column["name"] == "flow_version"
                                    for column in inspect(conn).get_columns(cases.name, schema))
                    found = states_in_use(conn, {brand: flow.version for brand, flow
                                                 in flows.items()} if versioned else None)
                    if versioned:
                        outdated = {brand: in_flight(conn, flow) for brand, flow in flows.items()
                                    if not flow.settings.abstract}
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        return [f"the stored cases could not be read ({str(exc).splitlines()[0]})"]
    return [f"{count} case(s) of {brand} sit in state '{state}', which its flow no longer has; "
            "they cannot move until it is back" for brand, state, count in found
            if brand in flows and state not in flows[brand].settings.flow.states] + [
        _outdated(brand, moves) for brand, moves in outdated.items() if moves]


def _outdated(brand: str, moves: list[Move]) -> str:
    """One line on a brand's open cases under older versions of its flow."""
    from recovery.flow_migration import few, unmapped

    def cases_in(groups: dict[str, list[int]]) -> str:
        return "; ".join(f"'{name}': case(s) {few(ids)}" for name, ids in groups.items())

    states = unmapped(moves)
    timers: dict[str, list[int]] = {}
    for move in moves:
        for trigger in move.lacking_timers:
            timers.setdefault(trigger, []).append(move.case_id)
    versions = sorted({move.version for move in moves if move.version is not None})
    before = sum(move.version is None for move in moves)
    said = []
    if versions:
        said.append(f"{len(moves) - before} open case(s) of {brand} run under an older version "
                    f"of its flow ({', '.join(versions)})")
    if before:
        said.append(f"{before} case(s) of {brand} opened before flows had versions sit in "
                    "states its flow no longer has")
    line = "; and ".join(said)
    if states:
        line += f"; in states it no longer has: {cases_in(states)}"
    if timers:
        line += f"; with timers it no longer arms there: {cases_in(timers)}"
    how = f" --map {next(iter(states))}=STATE" if states else ""
    return (f"{line}; `recovery flow migrate {brand}{how}`, with these files live, moves them "
            "to their version")


@app.command()
def show(ctx: typer.Context, brand: Annotated[str, typer.Argument(help="The brand.")],
         json: Json = False) -> None:
    """Show a brand's flow: states, triggers with their guards, timers, SLA targets in words,
    remedies and their limits, people, priority rules, escalations, the follow-up, and what is
    looser than the flow it extends."""
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
                        [[name, t.state, span(t.after), t.fire]
                         for name, t in decl.flow.timers.items()]))
    _policies(ctx, flow)


def _policies(ctx: typer.Context, flow: Flow) -> None:
    """The brand's policies: SLA targets in words, remedies and their limits, people, priority
    rules, escalations, the follow-up, and where it is looser than the flow it extends."""
    from recovery.flows.durations import day_hours, targets, wait
    from recovery.flows.priority import REACH

    decl, day = flow.settings, day_hours(flow.calendar.week)
    out.print(table("Channels (SLA targets)", ["channel", "first response", "resolution"],
                    [[name, targets(c.first_response, c.clock == "business", day),
                      targets(c.resolution, c.clock == "business", day)]
                     for name, c in decl.channels.items()]))
    out.print(table("Remedies", ["remedy", "agent up to", "lead up to", "per customer", "code"],
                    [[kind, flow.amount(r.agent_max, r.unit, kind),
                      flow.amount(r.lead_max, r.unit, kind) if r.lead_max else "",
                      f"{r.per_customer.count} in {r.per_customer.days} days"
                      if r.per_customer else "",
                      (r.code or "") + (f", valid {span(r.valid)}" if r.valid
                                        else "")]
                     for kind, r in decl.remedies.items()],
                    empty="Remedies: none offered"))
    say(f"Goodwill (remedies beyond duty, on a complaint not wholly founded): at most "
        f"{decl.goodwill.per_case} a case, {decl.goodwill.per_month} a month")
    people = ", ".join(f"{name} ({role})" for name, role in decl.people.items())
    say(f"People: {people or 'anyone may act; no remedy waits for approval'}")
    out.print(table("Priority", ["level", "when any of", "tells"],
                    [[level, ", ".join([*(f"{name} ≥ {getattr(rule, name):,}" for name in REACH
                                          if getattr(rule, name) is not None),
                                        *(f"mood {mood}" for mood in rule.mood)]),
                      ", ".join(rule.notify) or "nobody"]
                     for level, rule in decl.priority.items()],
                    empty="Priority: every case normal"))
    out.print(table("Escalations", ["clock", "on", "raises to", "tells"],
                    [[clock.replace("_", " "), step, e.priority or "", ", ".join(e.notify)]
                     for clock, steps in decl.escalations.items()
                     for step, e in steps.items()], empty="Escalations: none"))
    follow = decl.follow_up
    if follow is not None:
        business = follow.clock == "business"
        rows = [["asks", f"how it went, 1 to 5, {wait(follow.after, business)} after "
                 f"resolving, template {follow.template}"],
                ["reminds", f"once, {wait(follow.reminder_after, business)} later"
                 if follow.reminder_after else "never"],
                ["closes", f"quietly {wait(follow.close_after, business)} after asking"],
                ["low score", f"{follow.low_score} or less reopens; above closes"],
                ["skips", ", ".join(follow.skip_when) or "never"],
                ["sample", f"{follow.sample:.0%} of cases"]]
        out.print(table("Follow-up", ["", "policy"], rows))
    _looser(ctx, flow)


def _looser(ctx: typer.Context, flow: Flow) -> None:
    """What of the brand's policy is looser than the flow it extends."""
    from recovery.flows import validate_flows
    from recovery.flows.compare import looser

    base = flow.settings.extends
    if base is None:
        return
    parent = validate_flows(settings(ctx).workflows)[0].get(base)
    if parent is None:
        return
    found = looser(flow.settings, parent.settings, base)
    say(f"Looser than the {base} flow: " + (f"{len(found)} setting(s)" if found else
                                             "nothing"), style="bold")
    for line in found:
        indented(line)
