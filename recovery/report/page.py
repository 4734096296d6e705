"""The care report as one self-contained HTML page: per brand, the tables the terminal shows
and three charts (inline SVG): how resolution times spread per channel, SLA compliance over
the weeks the cases opened, and the top root causes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from recovery.clock.sla import CLOCKS
from recovery.formats import clock_span, stamp
from recovery.page import document, e, table
from recovery.report.charts import bars, stacked

if TYPE_CHECKING:
    from recovery.flows import Flow

OUTCOMES = (("met", "#2e7d32"), ("breached", "#c62828"), ("running", "#9e9e9e"))


def page(figures: dict[str, Any], since: datetime, until: datetime,
         flows: Mapping[str, Flow | None] | None = None) -> str:
    """The whole report page over the cases opened from `since` to `until`: per brand, the
    figures asked first, then the tables and charts (times in the brand's zone, money in its
    locale, where its flow is given)."""
    from recovery.report.headline import headline  # only a page needs it, not `--help`

    title = f"Care report: cases opened {stamp(since, 'UTC')} to {stamp(until, 'UTC')}"
    body = [f"<h1>{e(title)}</h1>"]
    if not figures:
        body.append("<p>No cases were opened in the period.</p>")
    for brand, found in figures.items():
        flow = (flows or {}).get(brand)
        name = f"{flow.name} ({brand})" if flow else brand
        body.append(f'<section id="{e(brand)}"><h2>{e(name)}</h2>')
        glance = headline(found, flow)
        if glance:
            body.append('<h3>At a glance</h3>' + table(["", ""], glance, css="headline"))
        body += _brand(brand, found, flow)
        body.append("</section>")
    return document(title, body)


def duration(seconds: float | None, business: bool = False) -> str:
    """A duration for people to read, saying its clock (`-` for none)."""
    return "-" if seconds is None else clock_span(timedelta(seconds=seconds), business)


TIMES = ["channel", "cases", "clock", "p50 / p90", "round the clock",
         "met / breached / running"]
"""The columns of `times_rows`."""


def times_rows(found: dict[str, Any]) -> list[list[object]]:
    """A brand's cases, times and SLA compliance: a row per channel and clock (the terminal's
    table and the page's)."""
    rows: list[list[object]] = []
    for channel, counted in found["channels"].items():
        for clock in CLOCKS:
            times = counted.get(clock)
            if times is not None:
                business = bool(times["business"])
                rows.append([channel, counted.get("cases", 0), clock.replace("_", " "),
                             f"{duration(times['p50'], business)} / "
                             f"{duration(times['p90'], business)}",
                             f"{duration(times['calendar_p50'])} / "
                             f"{duration(times['calendar_p90'])}",
                             f"{times['met']} / {times['breached']} / {times['running']}"])
    return rows


PRIORITY = ["priority", "at opening", "at its highest",
            *(f"{clock.replace('_', ' ')} met / breached / running" for clock in CLOCKS)]
"""The columns of `priority_rows`."""


def priority_rows(found: dict[str, Any]) -> list[list[object]]:
    """A brand's cases per priority at opening and at its highest, and SLA compliance per
    highest priority, the most urgent first."""
    return [[name, counted.get("opened", 0), counted["cases"],
             *(" / ".join(str(counted.get(clock, {}).get(outcome, 0))
                                                  for outcome in ("met", "breached", "running"))
                                       for clock in CLOCKS)]
            for name, counted in found.get("priorities", {}).items()]


def share(rate: float | None) -> str:
    """A rate as a percentage (`-` for none)."""
    return "-" if rate is None else f"{rate:.0%}"


def _brand(brand: str, found: dict[str, Any], flow: Flow | None) -> list[str]:
    zone = flow.settings.timezone if flow else "UTC"
    out = ["<h3>Cases, times and SLA compliance</h3>", table(TIMES, times_rows(found))]
    if found.get("priorities"):
        out += ["<h3>By priority</h3>", table(PRIORITY, priority_rows(found))]
    if found.get("incidents"):
        out += ["<h3>Incidents: announced before the complaints?</h3>", table(
            ["incident", "status", "announced", "linked complaints", "came after it"],
            [[f"{item['id']}: {item['title']}", item["status"],
              _at(item["announced_at"], zone) or "never",
              item["complaints"], item["announced_before"]] for item in found["incidents"]])]
    for channel, counted in found["channels"].items():
        spread = counted.get("resolution", {}).get("spread")
        if spread and any(bucket["cases"] for bucket in spread):
            business = bool(counted["resolution"]["business"])
            labels = [f"up to {duration(bucket['up_to'], business)}" if bucket["up_to"]
                      else "longer" for bucket in spread]
            out.append("<figure>" + bars(f"{channel}: resolution times",
                                         labels, [bucket["cases"] for bucket in spread])
                       + "</figure>")
    weeks = found.get("weeks", {})
    for clock in CLOCKS:
        shown = [week for week, clocks in weeks.items() if clock in clocks]
        if shown:
            series = [(outcome, colour, [weeks[week][clock][outcome] for week in shown])
                      for outcome, colour in OUTCOMES]
            labels = [f"{date.fromisoformat(week):%d %b}" for week in shown]
            out.append("<figure>" + stacked(
                f"{brand}: {clock.replace('_', ' ')} SLA by week opened", labels, series)
                + "</figure>")
    return out + _causes(found) + _given(found, flow) + _replies(found, zone)


def _at(when: str | datetime | None, zone: str) -> str:
    """A time from the figures in the brand's zone, with its offset."""
    if when is None:
        return ""
    return stamp(datetime.fromisoformat(when) if isinstance(when, str) else when, zone)


def _causes(found: dict[str, Any]) -> list[str]:
    out = []
    if found.get("findings"):
        out.append("<h3>Findings</h3>" + table(["finding", "cases"],
                                                list(found["findings"].items())))
    causes = found.get("root_causes", [])
    if causes:  # a table, so every cause reads whole, however long
        out.append("<h3>Top root causes</h3>" + table(
            ["root cause", "cases"], [[cause["cause"], cause["cases"]] for cause in causes]))
    return out


def _given(found: dict[str, Any], flow: Flow | None) -> list[str]:
    from recovery.report.headline import cost

    out = []
    for side, title in (("remedies", "Remedies"), ("goodwill", "Goodwill (beyond duty)")):
        if found.get(side):
            out.append(f"<h3>{title}</h3>" + table(
                ["kind", "count", "total"], [[given["kind"], given["count"],
                                              cost([given], flow)] for given in found[side]]))
    follow = found.get("follow_up")
    if follow:
        out.append("<h3>Follow-up</h3>" + table(
            ["asked", "answered", "response rate", "average score", "low scores",
             "reopened of resolved"],
            [[follow["asked"], follow["answered"], share(follow["response_rate"]),
              follow["average_score"] or "-", follow["low_scores"],
              share(follow["reopen_rate"])]]))
    return out


def _replies(found: dict[str, Any], zone: str) -> list[str]:
    replies = found.get("replies")
    if not replies:
        return []
    out = ["<h3>Replies</h3>", table(["sent", "public", "blocking findings overridden"],
                                     [[replies["sent"], replies["public"],
                                       replies["overridden"]]])]
    codes = [[severity, code, count] for severity, found_codes in replies["findings"].items()
             for code, count in found_codes.items()]
    if codes:
        out.append(table(["severity", "code", "replies"], codes))
    if replies["overrides"]:
        out.append("<h4>Overrides (the latest)</h4>" + table(
            ["case", "at", "by", "codes", "reason"],
            [[item["case"], _at(item["at"], zone), item["by"], ", ".join(item["codes"]),
              item["reason"]]
             for item in replies["overrides"]]))
    return out
