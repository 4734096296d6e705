"""`recovery report`: the care report over the cases opened in a period."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from recovery.cli.common import (
    BrandFilter,
    Csv,
    Json,
    Page,
    Since,
    Until,
    one_output,
    parse_time,
    settings,
    write_page,
)
from recovery.cli.layout import emit_json, out, say, table
from recovery.errors import RecoveryError
from recovery.report.page import PRIORITY, TIMES, priority_rows, share, times_rows

if TYPE_CHECKING:
    from recovery.engine import Engine
    from recovery.flows import Flow


def report(ctx: typer.Context, brand: BrandFilter = None, since: Since = None,
           until: Until = None, json: Json = False, csv: Csv = False,
           html: Page = None) -> None:
    """Report on the cases opened in a period, per brand and channel: volume, first response
    and resolution times (p50/p90, business and calendar), SLA compliance, findings and root
    causes, remedies (goodwill apart), follow-up answers and reopens, and replies (findings per
    code, overrides with their reasons)."""
    one_output(json, csv, html)
    from recovery.report.figures import PERIOD

    chosen = settings(ctx)
    end = parse_time(until, "--until") or chosen.clock()
    start = parse_time(since, "--since") or end - PERIOD
    engine = chosen.engine()
    figures = engine.report(brand=brand, since=start, until=end)
    if json:
        emit_json(figures)
        return
    if csv:
        from recovery.report.rows import as_csv

        sys.stdout.write(as_csv(figures))
        return
    flows = {name: _flow(engine, name) for name in figures}
    if html is not None:
        from recovery.report.page import page

        write_page(html, page(figures, start, end, flows))
        return
    if not figures:
        say("no cases were opened in the period")
    for name, brand_figures in figures.items():
        _brand(name, brand_figures, flows[name])


def _flow(engine: Engine, brand: str) -> Flow | None:
    """The brand's flow, for its zone and locale; None where its flow file is gone or broken
    (the report still shows what the database holds)."""
    try:
        return engine.flow(brand)
    except RecoveryError:
        return None


def _brand(name: str, figures: dict[str, Any], flow: Flow | None) -> None:
    from recovery.report.headline import cost, headline

    glance = headline(figures, flow)
    if glance:
        out.print(table(f"{name}: at a glance", ["", ""], [list(row) for row in glance]))
    out.print(table(f"{name}: cases, times and SLA compliance", TIMES, times_rows(figures)))
    if figures.get("priorities"):
        out.print(table(f"{name}: by priority", PRIORITY, priority_rows(figures)))
    if figures.get("findings"):
        say("findings: " + ", ".join(f"{kind} {count}"
                                     for kind, count in figures["findings"].items()))
    if figures.get("root_causes"):
        out.print(table(f"{name}: top root causes", ["root cause", "cases"],
                        [[cause["cause"], cause["cases"]] for cause in figures["root_causes"]]))
    for side in ("remedies", "goodwill"):
        given = figures.get(side)
        if given:
            say(f"{side}: " + ", ".join(f"{item['count']} {item['kind']} "
                                          f"({cost([item], flow)})" for item in given))
    follow = figures.get("follow_up")
    if follow:
        say(f"follow-up: {follow['asked']} asked, {follow['answered']} answered "
            f"({share(follow['response_rate'])}), average score "
            f"{follow['average_score'] or '-'}, {follow['low_scores']} low; reopened "
            f"{share(follow['reopen_rate'])} of resolved cases")
    for incident in figures.get("incidents", []):
        say(f"incident {incident['id']} ({incident['title']}, {incident['status']}): "
            + (f"announced before {incident['announced_before']} of "
               f"{incident['complaints']} linked complaint(s)"
               if incident["announced_at"] else "never announced"))
    replies = figures.get("replies")
    if replies:
        codes = ", ".join(f"{code} {count}" for severity in ("blocking", "warning")
                          for code, count in replies["findings"].get(severity, {}).items())
        say(f"replies: {replies['sent']} sent ({replies['public']} public); findings: "
            f"{codes or 'none'}; {replies['overridden']} blocking overridden")
        if replies["overrides"]:
            out.print(table(f"{name}: blocking findings overridden (the latest)",
                            ["case", "at", "by", "codes", "reason"],
                            [[item["case"], item["at"], item["by"], ", ".join(item["codes"]),
                              item["reason"]] for item in replies["overrides"]]))
