"""`recovery tick` fires what is due; `recovery timers` shows what is still to fire, and what
failed to."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from recovery.cli.common import Json, settings
from recovery.cli.layout import emit_json, out, say, table
from recovery.formats import stamp

if TYPE_CHECKING:
    from recovery.engine import Engine
    from recovery.store.records import Timer

FAILED = 8
"""The exit code of a tick in which some timers failed (each is tried again later)."""
SCREENFUL = 40
"""Up to this many timers fired are listed one a row; beyond it, counted per trigger."""


def tick(ctx: typer.Context, json: Json = False) -> None:
    """Fire every timer that is due and post the daily hello or goodbye that is due.

    Each timer fires exactly once (follow-ups, quiet closes, SLA warnings and breaches), as of
    `--now` (default: the wall clock). A timer whose firing fails is recorded as failed and
    tried again later, the others still fire, and the tick exits 8."""
    from recovery.store.records import Notice

    engine = settings(ctx).engine()
    posted: list[Notice] = []
    engine.subscribe(lambda item: posted.append(item) if isinstance(item, Notice) else None)
    fired = engine.tick()
    failed = [timer for timer in fired if timer.fired_at is None]
    if json:
        emit_json([timer.as_dict() for timer in fired])
    else:
        title = f"{len(fired) - len(failed)} timer(s) fired"
        if len(fired) > SCREENFUL:  # too many to read one by one: counted
            out.print(table(title, ["trigger", "outcome", "timers"], _summary(fired)))
        else:
            out.print(table(f"{title} (due in each brand's time)",
                            ["case", "trigger", "due", "outcome"], _rows(engine, fired)))
        for notice in posted:
            zone = engine.flow(notice.brand).settings.timezone
            say(f"posted the {notice.kind} on {notice.brand}'s {notice.channel} at "
                f"{stamp(notice.posted_at, zone)}: {notice.text}")
    if failed:
        sys.stderr.write(f"error: {len(failed)} timer(s) failed and will be tried again; "
                         "`recovery timers --failed` lists them\n")
        raise typer.Exit(FAILED)


def timers(ctx: typer.Context,
           failed: Annotated[bool, typer.Option("--failed", help="Only the timers whose firing "
                                                "failed (tried again at their next try).")]
           = False,
           limit: Annotated[int, typer.Option(help="At most this many, next due first.", min=1,
                                              max=10_000)] = 50,
           json: Json = False) -> None:
    """List the timers still to fire, next due first, or only those that failed."""
    engine = settings(ctx).engine()
    found = engine.pending_timers(failed=failed, limit=limit)
    if json:
        emit_json([timer.as_dict() for timer in found])
        return
    title = "failed" if failed else "pending"
    zones = _zones(engine, found)
    out.print(table(f"{len(found)} {title} timer(s) (in each brand's time)",
                    ["case", "trigger", "due", "attempts", "next try", "last error"],
                    [[t.case_id, _name(t), stamp(t.due_at, zones[t.case_id]),
                      t.attempts or "", stamp(t.retry_at, zones[t.case_id])
                      if t.retry_at else "", t.last_error or ""] for t in found]))


def _rows(engine: Engine, fired: list[Timer]) -> list[list[object]]:
    zones = _zones(engine, fired)
    return [[t.case_id, _name(t), stamp(t.due_at, zones[t.case_id]), t.outcome]
            for t in fired]


def _summary(fired: list[Timer]) -> list[list[object]]:
    """How many timers fired per trigger and outcome (a failure's error stays whole)."""
    counted = Counter((_name(timer), timer.outcome or "") for timer in fired)
    return [[name, outcome, f"{count:,}"] for (name, outcome), count in sorted(counted.items())]


def _name(timer: Timer) -> str:
    return f"{timer.clock}.{timer.trigger}" if timer.clock else timer.trigger


def _zones(engine: Engine, timers: list[Timer]) -> dict[int, str]:
    """The zone of each timer's case's brand, each case read once; UTC where its flow no
    longer loads (nothing that can fail comes after the tick committed)."""
    found = {}
    for case_id in {timer.case_id for timer in timers}:
        flow = engine.flows.get(engine.case(case_id).brand)
        found[case_id] = flow.settings.timezone if flow is not None else "UTC"
    return found
