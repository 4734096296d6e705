"""`recovery report`: the care report over the cases opened in a period."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from recovery.cli.common import BrandFilter, Json, emit_json, out, parse_time, say, settings, table
from recovery.clock import format_duration

CLOCKS = ("first_response", "resolution")


def report(ctx: typer.Context, brand: BrandFilter = None,
           since: Annotated[str | None, typer.Option(help="Cases opened from (ISO 8601); "
                                                          "default 30 days ago.")] = None,
           until: Annotated[str | None, typer.Option(help="…until (ISO 8601); default now.")]
           = None,
           json: Json = False) -> None:
    """Report on the cases opened in a period, per brand and channel: volume, first response
    and resolution times (p50/p90, business and calendar), SLA compliance, findings and root
    causes, remedies (goodwill apart), follow-up answers and reopens."""
    figures = settings(ctx).engine().report(brand=brand, since=parse_time(since, "--since"),
                                            until=parse_time(until, "--until"))
    if json:
        emit_json(figures)
        return
    if not figures:
        say("no cases were opened in the period")
    for name, brand_figures in figures.items():
        _brand(name, brand_figures)


def _brand(name: str, figures: dict[str, Any]) -> None:
    rows = []
    for channel, counted in figures["channels"].items():
        for clock in CLOCKS:
            times = counted.get(clock)
            if times is None:
                continue
            rows.append([channel, counted.get("cases", 0),
                         clock.replace("_", " ") + (" (business)" if times["business"] else ""),
                         f"{_time(times['p50'])} / {_time(times['p90'])}",
                         f"{_time(times['calendar_p50'])} / {_time(times['calendar_p90'])}",
                         f"{times['met']} / {times['breached']} / {times['running']}"])
    out.print(table(f"{name}: cases, times and SLA compliance",
                    ["channel", "cases", "clock", "p50 / p90", "calendar", "met / breached / "
                     "running"], rows))
    if figures.get("findings"):
        say("findings: " + ", ".join(f"{kind} {count}"
                                     for kind, count in figures["findings"].items()))
    for cause in figures.get("root_causes", []):
        say(f"  root cause: {cause['cause']} ({cause['cases']})")
    for side in ("remedies", "goodwill"):
        given = figures.get(side)
        if given:
            say(f"{side}: " + ", ".join(f"{item['count']} {item['kind']} ({item['total']} "
                                          f"{item['unit']})" for item in given))
    follow = figures.get("follow_up")
    if follow:
        rate = (f"{follow['response_rate']:.0%}" if follow["response_rate"] is not None
                else "-")
        reopen = (f"{follow['reopen_rate']:.0%}" if follow["reopen_rate"] is not None
                  else "-")
        say(f"follow-up: {follow['asked']} asked, {follow['answered']} answered ({rate}), "
            f"average score {follow['average_score'] or '-'}, {follow['low_scores']} low; "
            f"reopened {reopen} of resolved cases")


def _time(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(timedelta(seconds=seconds)) or "0m"
