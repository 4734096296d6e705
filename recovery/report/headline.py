"""The figures a care manager is asked first, at the top of each brand's report: how long
resolution and the first answer take (p50 / p90, in the clock's own time: business hours where
it counts them), how many SLA clocks were met, how satisfied the customers who answered are
(CSAT), and what the remedies cost, money in the brand's locale."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from recovery.clock.sla import CLOCKS
from recovery.formats import business_span, is_currency, span

if TYPE_CHECKING:
    from recovery.flows import Flow


def headline(found: dict[str, Any], flow: Flow | None) -> list[tuple[str, str]]:
    """(what, figure) rows for one brand's figures."""
    rows = []
    for clock in reversed(CLOCKS):  # resolution first
        measured = found.get("overall", {}).get(clock, {})
        said = [f"{_said(times['p50'], kind)} / {_said(times['p90'], kind)}"
                + ("" if kind == "business" or len(measured) == 1
                   else " on round-the-clock channels")
                for kind, times in sorted(measured.items())]  # business, then calendar
        if said:
            rows.append((f"{_words(clock)} p50 / p90", "; ".join(said)))
    met = []
    for clock in CLOCKS:
        counts = [counted[clock] for counted in found["channels"].values() if clock in counted]
        done = sum(item["met"] + item["breached"] for item in counts)
        if done:
            kept = sum(item["met"] for item in counts)
            met.append(f"{_words(clock)} {kept / done:.0%} ({kept} of {done})")
    if met:
        rows.append(("SLA met", "; ".join(met)))
    follow = found.get("follow_up") or {}
    if follow.get("answered"):
        rows.append(("CSAT", f"{follow['csat']:.0%} of {follow['answered']} answers scored 4 "
                             f"or 5; average {follow['average_score']}"))
    for side, what in (("remedies", "remedies' cost"), ("goodwill", "goodwill's cost")):
        if found.get(side):
            rows.append((what, cost(found[side], flow)))
    return rows


def cost(given: list[dict[str, Any]], flow: Flow | None) -> str:
    """What remedies came to: money per currency in the brand's locale, then each kind of
    thing in its own words ("€120.00, 3 free meals")."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in given:
        money = is_currency(item["unit"])
        totals[(item["unit"], "" if money else item["kind"])] += Decimal(item["total"])
    ordered = sorted(totals, key=lambda key: (not is_currency(key[0]), key))
    return ", ".join(_amount(flow, totals[key], *key) for key in ordered)


def _amount(flow: Flow | None, value: Decimal, unit: str, kind: str) -> str:
    return flow.amount(value, unit, kind or None) if flow is not None else f"{value} {unit}"


def _said(seconds: float, kind: str) -> str:
    delta = timedelta(seconds=seconds)
    return business_span(delta) if kind == "business" else span(delta)


def _words(clock: str) -> str:
    return clock.replace("_", " ")
