"""The care report's figures over the cases opened in a period, per brand and channel: volume,
first response and resolution times (p50 / p90, business and calendar) and how resolution times
spread, SLA compliance per clock (and per week the cases opened), findings and the top root
causes, remedies by kind (goodwill apart), follow-up answers, the reopen rate, replies, and per
incident how many of its complaints came after it was announced (transparency).

Read side: counts and sums are GROUP BY in the database, but the clocks: they are read once, one
row each (two a case at most), and their outcomes counted and percentiles taken here, per
channel and per priority. A clock's outcome is computed from its time counted against its
target (`store/outcome.py`), as `case show` computes it: a late answer is breached however the
engine found out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from recovery.clock import as_utc
from recovery.clock.sla import OUTCOMES
from recovery.flows.priority import PRIORITIES
from recovery.report.replies import replies
from recovery.store.incident_sql import transparency
from recovery.store.outcome import outcome
from recovery.store.tables import cases, clocks, events, remedies

PERIOD = timedelta(days=30)
"""The report's period when it is given no start."""

TOP = 5
"""Root causes listed per brand."""

SATISFIED = 4
"""The score from which an answer counts as satisfied (CSAT: the share of answers of 4 or 5)."""

SPREAD = (3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 86400, 7 * 86400)
"""Upper bounds (seconds, in the clock's own time) of the resolution times' spread; the last
bucket holds the longer ones."""


@dataclass
class Level:
    """A brand's clocks of one name at one (highest) priority: how many ended each way, and
    the stopped ones' own times."""

    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    business: bool = True
    """Whether every one of them counts business time (else their times are mixed or round
    the clock)."""


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of `values` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def report(conn: Connection, since: datetime, until: datetime, now: datetime,
           brand: str | None = None) -> dict[str, Any]:
    """Every figure on the cases opened from `since` to `until`, each clock's outcome as it
    stands at `now`; keyed by brand, then channel where it applies; durations in seconds."""
    chosen: list[ColumnElement[bool]] = [cases.c.opened_at >= since, cases.c.opened_at < until]
    if brand is not None:
        chosen.append(cases.c.brand == brand)
    where = and_(*chosen)
    found: dict[str, Any] = defaultdict(lambda: {"channels": defaultdict(dict)})
    for row in conn.execute(select(cases.c.brand, cases.c.channel, func.count())
                            .where(where).group_by(cases.c.brand, cases.c.channel)):
        found[row[0]]["channels"][row[1]]["cases"] = int(row[2])
    _priorities(conn, where, found, _times(conn, where, now, found))
    _findings(conn, where, found)
    _remedies(conn, where, found)
    _follow_up(conn, where, found)
    replies(conn, where, found)
    for incident in transparency(conn, brand, since, until):
        found[incident["brand"]].setdefault("incidents", []).append(incident)
    return {name: {**figures, "channels": dict(figures["channels"])}
            for name, figures in sorted(found.items())}


def _times(conn: Connection, where: ColumnElement[bool], now: datetime,
           found: dict[str, Any]) -> dict[tuple[str, str, str], Level]:
    """p50 / p90 of each clock's time when stopped, and its compliance; returns the clocks'
    outcomes and stopped times per brand, (highest) priority and clock."""
    query = (select(cases.c.brand, cases.c.channel, cases.c.priority, cases.c.opened_at,
                    clocks.c.name,
                    clocks.c.business, clocks.c.consumed_us, clocks.c.started_at,
                    clocks.c.stopped_at, outcome(now).label("outcome"))
             .join(cases, cases.c.id == clocks.c.case_id).where(where))
    times: dict[tuple[str, str, str], dict[str, list[float]]] = defaultdict(
        lambda: {"business": [], "calendar": []})
    compliance: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    weekly: dict[str, dict[str, dict[str, Counter[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Counter)))
    business: dict[tuple[str, str, str], bool] = {}
    ranked: dict[tuple[str, str, str], Level] = defaultdict(Level)
    for row in conn.execute(query):
        key = (row.brand, row.channel, row.name)
        level = ranked[(row.brand, row.priority, row.name)]
        business[key] = bool(row.business)
        compliance[key][row.outcome] += 1
        level.outcomes[row.outcome] += 1
        level.business = level.business and bool(row.business)
        opened = as_utc(row.opened_at).date()
        week = (opened - timedelta(days=opened.weekday())).isoformat()
        weekly[row.brand][week][row.name][row.outcome] += 1
        if row.stopped_at is not None:
            calendar = (as_utc(row.stopped_at) - as_utc(row.started_at)).total_seconds()
            times[key]["calendar"].append(max(calendar, 0.0))
            own = timedelta(microseconds=row.consumed_us).total_seconds()  # the clock's time
            times[key]["business"].append(own)
            level.seconds.append(own)
    overall: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for (name, channel, clock), measured in times.items():
        kind = "business" if business[(name, channel, clock)] else "calendar"
        overall[(name, clock, kind)] += measured["business"]  # the clock's own time
    for (name, clock, kind), measured_all in overall.items():
        if measured_all:
            found[name].setdefault("overall", {}).setdefault(clock, {})[kind] = {
                "p50": percentile(measured_all, 0.5), "p90": percentile(measured_all, 0.9)}
    for key, counted in compliance.items():
        name, channel, clock = key
        measured = times[key]
        found[name]["channels"][channel][clock] = {
            "business": business[key],
            "p50": percentile(measured["business"], 0.5),
            "p90": percentile(measured["business"], 0.9),
            "calendar_p50": percentile(measured["calendar"], 0.5),
            "calendar_p90": percentile(measured["calendar"], 0.9),
            "met": counted["met"], "breached": counted["breached"],
            "running": counted["running"]}
        if clock == "resolution":
            found[name]["channels"][channel][clock]["spread"] = spread(measured["business"])
    for name, weeks in weekly.items():
        found[name]["weeks"] = {
            week: {clock: {result: counted[result] for result in OUTCOMES}
                   for clock, counted in sorted(per_clock.items())}
            for week, per_clock in sorted(weeks.items())}
    return ranked


def _priorities(conn: Connection, where: ColumnElement[bool], found: dict[str, Any],
                ranked: dict[tuple[str, str, str], Level]) -> None:
    """Cases per priority at opening (`opened`) and at its highest (`cases`: a priority never
    falls), and each clock's SLA compliance per highest priority, the most urgent first, with
    the p50 / p90 of its stopped clocks' own time (`ranked`, from `_times`)."""
    per: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for brand, priority, count in conn.execute(
            select(cases.c.brand, cases.c.priority, func.count()).where(where)
            .group_by(cases.c.brand, cases.c.priority)):
        per[brand][priority] = {"cases": int(count)}
    for (brand, priority, clock), level in sorted(ranked.items()):
        counted: dict[str, Any] = {"business": level.business,
                                   **{result: level.outcomes[result] for result in OUTCOMES}}
        if level.seconds:
            counted.update(p50=percentile(level.seconds, 0.5),
                           p90=percentile(level.seconds, 0.9))
        per[brand][priority][clock] = counted
    opening = func.coalesce(events.c.payload["priority"].as_string(), "normal")
    for brand, priority, count in conn.execute(
            select(cases.c.brand, opening, func.count())
            .join(cases, cases.c.id == events.c.case_id)
            .where(where, events.c.trigger == "open").group_by(cases.c.brand, opening)):
        per[brand].setdefault(priority, {"cases": 0})["opened"] = int(count)
    for brand, levels in per.items():
        found[brand]["priorities"] = {name: {"opened": 0, **levels[name]}
                                      for name in reversed(PRIORITIES) if name in levels}


def spread(seconds: list[float]) -> list[dict[str, Any]]:
    """How many of the times fall in each bucket of `SPREAD` (`up_to` None: longer)."""
    counted = [0] * (len(SPREAD) + 1)
    for value in seconds:
        counted[next((index for index, bound in enumerate(SPREAD) if value <= bound),
                     len(SPREAD))] += 1
    return [{"up_to": bound, "cases": count}
            for bound, count in zip([*SPREAD, None], counted, strict=True)]


def _findings(conn: Connection, where: ColumnElement[bool], found: dict[str, Any]) -> None:
    """How many cases were founded, partly founded or unfounded, and the top root causes."""
    for row in conn.execute(select(cases.c.brand, cases.c.finding, func.count())
                            .where(where, cases.c.finding.is_not(None))
                            .group_by(cases.c.brand, cases.c.finding)):
        found[row[0]].setdefault("findings", {})[row[1]] = int(row[2])
    causes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in conn.execute(select(cases.c.brand, cases.c.root_cause, func.count().label("n"))
                            .where(where, cases.c.root_cause.is_not(None))
                            .group_by(cases.c.brand, cases.c.root_cause)
                            .order_by(func.count().desc())):
        causes[row[0]].append((row[1], int(row[2])))
    for name, listed in causes.items():
        found[name]["root_causes"] = [{"cause": cause, "cases": count}
                                      for cause, count in listed[:TOP]]


def _remedies(conn: Connection, where: ColumnElement[bool], found: dict[str, Any]) -> None:
    """Remedies given (issued or redeemed) by kind: count and total per unit, goodwill apart."""
    goodwill = case((remedies.c.goodwill.is_not(None), 1), else_=0)
    query = (select(remedies.c.brand, remedies.c.kind, remedies.c.unit, goodwill,
                    func.count(), func.sum(remedies.c.value))
             .join(cases, cases.c.id == remedies.c.case_id)
             .where(where, remedies.c.status.in_(("issued", "redeemed")))
             .group_by(remedies.c.brand, remedies.c.kind, remedies.c.unit, goodwill))
    for row in conn.execute(query):
        side = "goodwill" if row[3] else "remedies"
        total = Decimal(str(row[5] or 0)).quantize(Decimal("0.01"))
        found[row[0]].setdefault(side, []).append(
            {"kind": row[1], "unit": row[2], "count": int(row[4]), "total": str(total)})


def _follow_up(conn: Connection, where: ColumnElement[bool], found: dict[str, Any]) -> None:
    """Follow-ups asked and answered, the average score, CSAT, low scores, the reopen rate."""
    score = events.c.payload["score"].as_integer()
    low = case((events.c.payload["low"].as_boolean(), 1), else_=0)
    satisfied = case((score >= SATISFIED, 1), else_=0)
    query = (select(cases.c.brand, events.c.trigger, func.count(), func.avg(score),
                    func.sum(low), func.count(func.distinct(events.c.case_id)),
                    func.sum(satisfied))
             .join(cases, cases.c.id == events.c.case_id)
             .where(where, events.c.trigger.in_(("follow_up", "answer", "reopen", "resolve")))
             .group_by(cases.c.brand, events.c.trigger))
    counted: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in conn.execute(query):
        counted[row[0]][row[1]] = row
    for name, rows in counted.items():
        asked = int(rows["follow_up"][2]) if "follow_up" in rows else 0
        answer = rows.get("answer")
        answered = int(answer[2]) if answer is not None else 0
        resolved = int(rows["resolve"][5]) if "resolve" in rows else 0
        reopened = int(rows["reopen"][5]) if "reopen" in rows else 0
        found[name]["follow_up"] = {
            "asked": asked, "answered": answered,
            "response_rate": round(answered / asked, 3) if asked else None,
            "average_score": round(float(answer[3]), 2) if answer is not None else None,
            "low_scores": int(answer[4] or 0) if answer is not None else 0,
            "csat": round(int(answer[6] or 0) / answered, 3)
            if answer is not None and answered else None,
            "reopen_rate": round(reopened / resolved, 3) if resolved else None}
