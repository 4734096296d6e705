"""A case's history as a care team reads it: who did what and when, in the brand's time, with
every reply's and notice's text in full (wrapped, never cut) and what the linter said of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from recovery.cli.common import stamp
from recovery.clock import format_duration
from recovery.limits import SYSTEM

if TYPE_CHECKING:
    from recovery.store.records import Event

BY_WIDTH = 16
"""The widest a name in the `by` column gets before it folds."""


def history(events: list[Event], zone: str) -> RenderableType:
    """Every event of a case, oldest first: what happened on its line, and under it any text it
    posted, each wrapped in its own column."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold", max_width=BY_WIDTH)
    grid.add_column(overflow="fold", ratio=1)
    for event in events:
        grid.add_row(f"#{event.seq}", stamp(event.at, zone), Text(event.by),
                     Text(headline(event, zone)))
        for line in details(event):
            grid.add_row("", "", "", line)
    return Group(Text(f"History (times in {zone})", style="bold"), grid)


def headline(event: Event, zone: str) -> str:
    """What happened, in a few words, times in `zone`: `reply, public, template acknowledge
    (cs)`."""
    payload: dict[str, Any] = event.payload or {}
    moved = "" if event.source == event.dest else (
        f" · {event.source} → {event.dest}" if event.source else f" → {event.dest}")
    if event.trigger == "reply":
        where = "public" if payload.get("public") else "private"
        name = str(payload.get("template") or "").rsplit("/", 1)[-1].removesuffix(".j2")
        template = f", template {name}" if name else ""
        return f"reply, {where}{template} ({payload.get('language') or '?'}){moved}"
    if event.trigger == "notice":
        kind = str(payload.get("kind", "notice")).replace("_", "-")
        where = "public" if payload.get("public") else "private"
        return f"{kind} notice, posted by the engine, {where} ({payload.get('language')})"
    if event.trigger == "redact" and "event" in payload:
        return f"redaction of #{payload['event']} ({', '.join(payload.get('fields') or [])})"
    if event.trigger == "incident" and "incident" in payload:
        how = "confirmed the suggestion: " if payload.get("suggested") else ""
        return f"{how}linked to incident {payload['incident']} ({payload.get('title', '')})"
    if event.trigger == "hide" and "rule" in payload:
        author = f" by {payload['author']}" if payload.get("author") else ""
        return f"hid post {payload['post']}{author} under the house rule '{payload['rule']}'"
    if event.trigger == "reach" and "reach" in payload:
        counts = ", ".join(f"{count:,} {name}" for name, count in payload["reach"].items())
        raised = payload.get("priority")
        rise = (f" · priority {raised['from']} → {raised['to']} ({raised['because']})"
                if raised else "")
        notify = f" · notifies {', '.join(payload['notify'])}" if payload.get("notify") else ""
        tighter = "".join(f" · {clock.replace('_', ' ')} target "
                          f"{format_duration(timedelta(seconds=before))} → "
                          f"{format_duration(timedelta(seconds=after))}"
                          for clock, (before, after) in (payload.get("targets") or {}).items())
        return f"reach: {counts}{rise}{notify}{tighter}"
    if event.trigger in ("follow_up", "reminder", "answer") and payload:
        return _follow_up(event.trigger, payload) + moved
    if event.by in SYSTEM and "clock" in payload and "point" in payload:
        clock = str(payload["clock"]).replace("_", " ")
        late, missed = "", payload.get("due_at")
        if payload.get("found_late"):
            late = (f" found late (due {stamp(datetime.fromisoformat(missed), zone)})" if missed
                    else " found late")
        notify = f" · notifies {', '.join(payload['notify'])}" if payload.get("notify") else ""
        raised = f" · priority raised to {payload['priority']}" if payload.get("priority") else ""
        return f"{clock} clock {payload['point']}{late}{notify}{raised}"
    if "finding" in payload:
        cause = f": {payload['root_cause']}" if payload.get("root_cause") else ""
        return f"{event.trigger} — {payload['finding']}{cause}{moved}"
    if "remedy" in payload:
        status = str(payload.get("status", "")).replace("_", " ")
        code = f", code {payload['code']}" if payload.get("code") else ""
        return (f"{event.trigger} — {payload['kind']} {payload['value']} {payload['unit']} "
                f"{status}{code}{moved}")
    if "kind" in payload and "value" in payload:
        return f"{event.trigger} — {payload['kind']} {payload['value']}{moved}"
    return f"{event.trigger}{moved}"


def _follow_up(trigger: str, payload: dict[str, Any]) -> str:
    """The follow-up's question or reminder, or the customer's answer, in a few words."""
    if trigger == "answer":
        low, high = payload.get("scale") or (1, 5)
        acted = (f" · low: priority raised to {payload['priority']}" if payload.get("priority")
                 else "")
        notify = f" · notifies {', '.join(payload['notify'])}" if payload.get("notify") else ""
        return f"answer {payload.get('score')} of {low}-{high}{acted}{notify}"
    where = "public" if payload.get("public") else "private"
    what = "follow-up question" if trigger == "follow_up" else "follow-up reminder"
    return f"{what}, posted by the engine, {where} ({payload.get('language') or '?'})"


def details(event: Event) -> Iterator[Text]:
    """The lines under an event: the text it posted, an override's reason, the linter's
    findings, the agent's note."""
    payload: dict[str, Any] = event.payload or {}
    if payload.get("text"):
        yield Text(str(payload["text"]))
    if payload.get("override"):
        yield Text(f"sent despite blocking findings: {payload['override']}", style="yellow")
    for finding in payload.get("findings") or []:
        yield Text(f"{finding['severity']} {finding['code']}: {finding['message']}",
                   style="dim" if finding["severity"] == "notice" else "yellow")
    if event.note:
        yield Text(f"note: {event.note}", style="italic")
