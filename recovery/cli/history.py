"""A case's history as a care team reads it: who did what and when, in the brand's time, with
every reply's and notice's text in full (wrapped between words, never cut) and what the linter
said of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from recovery.cli.layout import wrapped
from recovery.controls import visible
from recovery.formats import clock_span, stamp
from recovery.limits import SYSTEM

if TYPE_CHECKING:
    from recovery.flows import Flow
    from recovery.store.records import Event

DETAIL = 5
"""How far the text an event posted is indented under it."""


@dataclass(frozen=True)
class Shown:
    """How a brand's events are written: its time zone, which SLA clocks count business time,
    and its remedies' amounts in its words."""

    zone: str
    business: Mapping[str, bool]
    amount: Callable[[Decimal, str, str], str]

    @classmethod
    def of(cls, flow: Flow, channel: str | None = None) -> Shown:
        """How `flow`'s events are written (on `channel`, whose clocks they name)."""
        policy = flow.settings.channels.get(channel or "")
        business = policy is None or policy.clock == "business"
        return cls(flow.settings.timezone,
                   {"first_response": business, "resolution": business},
                   lambda value, unit, kind: flow.amount(value, unit, kind))


def history(events: list[Event], shown: Shown) -> RenderableType:
    """Every event of a case, oldest first: its number, time and who, then what happened, and
    under it any text it posted, indented."""
    lines: list[Text] = [Text(f"History (times in {shown.zone})", style="bold")]
    for event in events:
        lines += wrapped(f"#{event.seq} {stamp(event.at, shown.zone)} {visible(event.by)} · "
                         f"{headline(event, shown)}", " " * DETAIL)
        for detail in details(event):
            lines += wrapped(" " * DETAIL + detail.plain, " " * DETAIL, detail.style)
    return Group(*lines)


def headline(event: Event, shown: Shown) -> str:
    """What happened, in a few words, as `shown` writes times, durations and amounts:
    `reply, public, template acknowledge (cs)`."""
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
        return f"reach: {counts}{rise}{notify}{_targets(payload, shown)}"
    if event.trigger == "migrate" and "to" in payload:
        timers = payload.get("timers")
        armed = (f" · timers armed again: {', '.join(timers) or 'none'}"
                 if timers is not None else "")
        steps = "".join(
            f" · follow-up {step} {_when(before, shown)} → "
            f"{_when(after, shown) if after else 'dropped'}"
            for step, (before, after) in (payload.get("follow_up") or {}).items())
        return (f"moved from version {payload.get('from')} of the flow to {payload['to']}"
                f"{moved}{armed}{_targets(payload, shown)}{steps}")
    if event.trigger in ("follow_up", "reminder", "answer") and payload:
        return _follow_up(event.trigger, payload) + moved
    if event.by in SYSTEM and "clock" in payload and "point" in payload:
        clock = str(payload["clock"]).replace("_", " ")
        late, missed = "", payload.get("due_at")
        if payload.get("found_late"):
            late = f" found late (due {_when(missed, shown)})" if missed else " found late"
        notify = f" · notifies {', '.join(payload['notify'])}" if payload.get("notify") else ""
        raised = f" · priority raised to {payload['priority']}" if payload.get("priority") else ""
        return f"{clock} clock {payload['point']}{late}{notify}{raised}"
    if "finding" in payload:
        cause = f": {payload['root_cause']}" if payload.get("root_cause") else ""
        return f"{event.trigger} — {payload['finding']}{cause}{moved}"
    if "remedy" in payload:
        status = str(payload.get("status", "")).replace("_", " ")
        code = f", code {payload['code']}" if payload.get("code") else ""
        amount = shown.amount(Decimal(str(payload["value"])), str(payload["unit"]),
                              str(payload["kind"]))
        return f"{event.trigger} — {payload['kind']}, {amount} {status}{code}{moved}"
    if "kind" in payload and "value" in payload:
        return f"{event.trigger} — {payload['kind']} {payload['value']}{moved}"
    return f"{event.trigger}{moved}"


def _when(written: str, shown: Shown) -> str:
    """An ISO 8601 time from a payload, in the brand's zone."""
    return stamp(datetime.fromisoformat(written), shown.zone)


def _targets(payload: dict[str, Any], shown: Shown) -> str:
    """The SLA targets an event changed, each before and after: ` · first response target
    1h → 30m`."""
    return "".join(f" · {clock.replace('_', ' ')} target "
                   f"{clock_span(timedelta(seconds=before), shown.business[clock])} → "
                   f"{clock_span(timedelta(seconds=after), shown.business[clock])}"
                   for clock, (before, after) in (payload.get("targets") or {}).items())


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
        yield Text(visible(str(payload["text"])))
    if payload.get("override"):
        yield Text(visible(f"sent despite blocking findings: {payload['override']}"),
                   style="yellow")
    for finding in payload.get("findings") or []:
        yield Text(f"{finding['severity']} {finding['code']}: {finding['message']}",
                   style="dim" if finding["severity"] == "notice" else "yellow")
    if event.note:
        yield Text(visible(f"note: {event.note}"), style="italic")
