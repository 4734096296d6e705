"""What a flow's durations mean where they are used, in words a policy owner reads.

`1d` is 24 business hours as an SLA target on the business clock (two or three working days,
as long as the team's days are) but one working day as a follow-up's wait: `flow validate` and
`flow show` say which, and a duration that names a clock (`24h business`, `2 calendar days`)
must name the clock of the place it is written in (`checked`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from recovery.clock import format_duration, in_days, parse_duration, written_clock
from recovery.formats import business_span, clock_span, span, working_days

DAY = timedelta(days=1)


def checked(written: Any, clock: str, where: str, days_are: str) -> None:
    """Refuse a written duration (`written`, a text or a mapping of texts) naming another
    clock than `clock`, or working days where business hours are counted (`days_are`:
    "hours" for an SLA target, "days" for a follow-up's wait)."""
    for text in written.values() if isinstance(written, dict) else [written]:
        if not isinstance(text, str):
            continue
        named = written_clock(text)
        if named is not None and named != clock:
            raise ValueError(f"'{text}' names the {named} clock, but {where} counts on the "
                             f"{clock} clock; drop the clock word, or set clock: {named}")
        if named == "business" and clock == "business" and days_are == "hours" \
                and in_days(text):
            raise ValueError(f"'{text}': an SLA target counts business hours, not working "
                             "days; write the hours it means, e.g. '24h business' (24 business "
                             "hours) or '12h business' (one working day of 12 hours)")
        if named == "business" and days_are == "days" and not in_days(text) \
                and parse_duration(text) >= DAY:
            raise ValueError(f"'{text}': {where} counts whole working days (and business hours "
                             "past them); write it as working days, e.g. '3 working days'")


def day_hours(week: dict[int, tuple[tuple[int, int], ...]]) -> timedelta:
    """The length of the team's usual working day: its open minutes a week over its open days."""
    open_days = [sum(end - start for start, end in spans) for spans in week.values() if spans]
    return timedelta(minutes=sum(open_days) / max(len(open_days), 1))


def target(delta: timedelta, business: bool, day: timedelta) -> str:
    """An SLA target in words: "24 business hours (2 working days)", "24 business hours
    (about 2.1 working days)" where the team's days (`day`, their usual length) differ, "1 day"
    on a calendar clock."""
    said = clock_span(delta, business)
    if business and delta >= day > timedelta(0):
        days = delta / day
        whole = f"{days:.0f}" if days == int(days) else f"about {days:.1f}"
        said += f" ({whole} working day{'' if days == 1 else 's'})"
    return said


def targets(of: Any, business: bool, day: timedelta) -> str:
    """A channel's targets for a clock in words, the most urgent first: "urgent 15 business
    minutes; high 30 business minutes; 1 business hour"."""
    levels = [(name, getattr(of, name)) for name in ("urgent", "high") if getattr(of, name)]
    said = [f"{name} {target(delta, business, day)}" for name, delta in levels]
    return "; ".join([*said, target(of.default, business, day)])


def wait(delta: timedelta, business: bool) -> str:
    """A follow-up's wait in words: "3 working days", "1 working day 4 business hours",
    "2 days"."""
    if not business:
        return span(delta)
    days, rest = divmod(delta, DAY)
    said = [working_days(days)] if days else []
    return " ".join([*said, business_span(rest)] if rest or not said else said)


def meanings(flow: Any) -> list[str]:
    """What each duration of `flow` written in days means where it is used: an SLA target on
    the business clock (business hours) and the follow-up's waits (working days)."""
    settings, said = flow.settings, []
    day = day_hours(flow.calendar.week)
    for channel, policy in settings.channels.items():
        business = policy.clock == "business"
        for name in ("first_response", "resolution"):
            declared = getattr(policy, name)
            for level in ("urgent", "high", "default"):
                delta = getattr(declared, level)
                if delta is not None and business and delta >= DAY:
                    said.append(f"{channel} {name.replace('_', ' ')}"
                                f"{'' if level == 'default' else f' ({level})'}"
                                f" {format_duration(delta)} = {target(delta, True, day)}")
    declared = settings.follow_up
    if declared is not None:
        for name in ("after", "reminder_after", "close_after"):
            delta = getattr(declared, name)
            if delta is not None:
                said.append(f"follow-up {name.replace('_', ' ')} {format_duration(delta)} = "
                            f"{wait(delta, declared.clock == 'business')}")
    return said
