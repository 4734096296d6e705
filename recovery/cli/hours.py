"""`recovery hours BRAND`: the team's week, the days off ahead and the next opening."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from recovery.cli.common import Json, parse_time, settings
from recovery.cli.layout import emit_json, out, say, table
from recovery.errors import FlowError, NotFound
from recovery.formats import stamp


def hours(ctx: typer.Context,
          brand: Annotated[str, typer.Argument(help="The brand whose hours to show.")],
          days: Annotated[int, typer.Option(help="How many days ahead to list days off.",
                                            min=1, max=3660)] = 90,
          at: Annotated[str | None, typer.Option(help="Show it as of this time (ISO 8601, UTC "
                                                      "if no offset); default now.")] = None,
          json: Json = False) -> None:
    """Print a brand's business hours: the week, the holidays ahead and the next opening."""
    from recovery.flows import load_brands
    from recovery.flows.schema import DAYS

    flows, broken = load_brands(settings(ctx).workflows)
    if brand in broken:
        raise FlowError(broken[brand])
    flow = flows.get(brand)
    if flow is None or flow.settings.abstract:
        known = ", ".join(name for name, f in flows.items() if not f.settings.abstract)
        raise NotFound(f"no brand '{brand}'; known brands: {known}")
    calendar, zone = flow.calendar, flow.settings.timezone
    now = parse_time(at, "--at") or settings(ctx).clock()
    today = now.astimezone(calendar.zone).date()
    week = {day: [f"{start // 60:02}:{start % 60:02}-{end // 60:02}:{end % 60:02}"
                  for start, end in calendar.week[index]] for index, day in enumerate(DAYS)}
    days_off = calendar.holidays(today, today + timedelta(days=days))
    is_open = calendar.is_open(now)
    opens, closes = calendar.next_open(now), calendar.next_close(now)
    if json:
        emit_json({"brand": brand, "timezone": zone, "week": week, "open": is_open,
                   "next_open": opens.isoformat(),
                   "next_close": closes.isoformat() if closes else None,
                   "days_off": [{"date": day.isoformat(), "name": name}
                                for day, name in days_off]})
        return
    say(f"{flow.name} ({brand}) · hours in {zone}", style="bold")
    out.print(table(None, ["day", "open"], [[day, ", ".join(spans) or "closed"]
                                            for day, spans in week.items()]))
    if is_open:
        until = (f"{closes.astimezone(calendar.zone):%A} {stamp(closes, zone)}" if closes
                 else "round the clock")
        say(f"open now, until {until}")
    else:
        say(f"closed now; next opening {opens.astimezone(calendar.zone):%A} "
            f"{stamp(opens, zone)}")
    out.print(table(f"Days off in the next {days} days", ["date", "day", "holiday"],
                    [[day.isoformat(), day.strftime("%A"), name] for day, name in days_off],
                    empty=f"no days off in the next {days} days"))
