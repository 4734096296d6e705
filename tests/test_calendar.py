"""Business calendars and SLA clocks: pure arithmetic, proven with properties and examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.clock.calendar import Calendar, DaysOff
from recovery.clock.sla import Point, SlaClock

PRAGUE = ZoneInfo("Europe/Prague")
ZONES = ["Europe/Prague", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
         "America/Sao_Paulo"]


def office(zone: str = "Europe/Prague", days_off: DaysOff = DaysOff()) -> Calendar:
    """Mon-Fri 08:00-20:00, Sat 09:00-13:00."""
    week = {day: [(480, 1200)] for day in range(5)} | {5: [(540, 780)]}
    return Calendar(zone, week, days_off)


def local(text: str, zone: ZoneInfo = PRAGUE) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@st.composite
def weeks(draw: st.DrawFn) -> dict[int, list[tuple[int, int]]]:
    """A random week of up to three intervals a day (some days closed), open at least two hours:
    enough for 120 days of working time within the calendar's century, holidays and all."""
    week: dict[int, list[tuple[int, int]]] = {}
    for day in range(7):
        edges = sorted(draw(st.sets(st.integers(0, 1440), max_size=6)))
        pairs = list(zip(edges[::2], edges[1::2], strict=False))
        week[day] = [(a, b) for a, b in pairs if b > a]
    if sum(end - begin for spans in week.values() for begin, end in spans) < 120:
        week[draw(st.integers(0, 6))] = [(480, 1200)]
    return week


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    extra = draw(st.frozensets(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=20))
    country = draw(st.sampled_from([None, "CZ", "PL", "US"]))
    return Calendar(draw(st.sampled_from(ZONES)), draw(weeks()), DaysOff(country, None, extra))


instants = st.datetimes(datetime(2025, 6, 1), datetime(2028, 6, 1), timezones=st.just(UTC))
durations = st.timedeltas(timedelta(0), timedelta(days=120))


def reference_elapsed(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """The obvious way: intersect [start, end) with every local day's open spans."""
    spans: list[tuple[datetime, datetime]] = []
    day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    while day <= end.astimezone(calendar.zone).date() + timedelta(days=1):
        for opens, closes in calendar.hours_on(day):
            # to UTC first: Python subtracts two times of the same zone as wall-clock times
            low, high = max(opens.astimezone(UTC), start), min(closes.astimezone(UTC), end)
            if high > low:
                spans.append((low, high))
        day += timedelta(days=1)
    # a span ending in a spring-forward gap (02:01 that never was) reads as the old offset's
    # instant and can overlap the next span: count the union, each minute once
    total, reached = timedelta(0), None
    for low, high in sorted(spans):
        if reached is not None and low < reached:
            low = reached
        if high > low:
            total += high - low
        reached = max(reached or high, high)
    return total


# -- properties -----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, durations)
def test_adding_then_measuring_round_trips(calendar: Calendar, start: datetime,
                                           duration: timedelta) -> None:
    due = calendar.add(start, duration)
    assert due >= start
    assert calendar.elapsed(start, due) == duration


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, instants)
def test_elapsed_matches_the_day_by_day_reference(calendar: Calendar, a: datetime,
                                                  b: datetime) -> None:
    start, end = min(a, b), max(a, b)
    if end - start > timedelta(days=60):
        end = start + timedelta(days=60)
    assert calendar.elapsed(start, end) == reference_elapsed(calendar, start, end)
    assert calendar.elapsed(end, start) == -calendar.elapsed(start, end)


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, instants, durations, durations)
def test_due_times_are_monotonic(calendar: Calendar, a: datetime, b: datetime,
                                 d1: timedelta, d2: timedelta) -> None:
    assert calendar.add(min(a, b), d1) <= calendar.add(max(a, b), d1)
    assert calendar.add(a, min(d1, d2)) <= calendar.add(a, max(d1, d2))


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, st.timedeltas(timedelta(minutes=1), timedelta(days=30)))
def test_time_outside_hours_never_counts(calendar: Calendar, start: datetime,
                                         duration: timedelta) -> None:
    due = calendar.add(start, duration)
    # the due time is reached inside an open span: just before it, the team was at work
    assert calendar.is_open(due - timedelta(microseconds=1))
    closed = calendar.next_close(start)
    if closed is not None:
        reopens = calendar.next_open(closed)
        assert calendar.elapsed(closed, reopens) == timedelta(0)
        assert not calendar.is_open(closed) or closed == reopens
        assert calendar.add(closed, duration) == calendar.add(reopens, duration)


@settings(max_examples=100, deadline=None)
@given(calendars(), instants)
def test_opening_and_closing_agree_with_is_open(calendar: Calendar, at: datetime) -> None:
    opens = calendar.next_open(at)
    assert opens >= at and calendar.is_open(opens)
    assert (opens == at) == calendar.is_open(at)
    closes = calendar.next_close(at)
    if closes is not None:
        assert closes > opens and not calendar.is_open(closes)
        assert calendar.is_open(closes - timedelta(microseconds=1))
    changed = calendar.last_change(at)
    if changed is not None:
        assert changed <= at
        assert calendar.is_open(changed) == calendar.is_open(at)


@given(st.sampled_from(ZONES), st.integers(2025, 2030))
def test_dst_days_have_their_real_length(zone_name: str, year: int) -> None:
    zone = ZoneInfo(zone_name)
    around_the_clock = Calendar(zone, {day: [(0, 1440)] for day in range(7)},
                                DaysOff(dates=frozenset({date(1999, 1, 1)})))
    assert not around_the_clock.is_always_open  # the day off forces the span arithmetic
    day = date(year, 1, 1)
    while day.year == year:
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        real = end.astimezone(UTC) - start.astimezone(UTC)
        assert around_the_clock.elapsed(start, end) == real
        day += timedelta(days=1)


# -- examples -------------------------------------------------------------------------------


def test_an_evening_complaint_is_due_the_next_working_morning() -> None:
    calendar = office()
    due = calendar.add(local("2026-12-02 19:30"), timedelta(hours=1))
    assert due == local("2026-12-03 08:30")


def test_a_friday_night_complaint_counts_from_saturday_opening() -> None:
    calendar = office()
    assert calendar.next_open(local("2026-12-04 21:00")) == local("2026-12-05 09:00")
    # 4 hours on Saturday, then Monday
    assert calendar.add(local("2026-12-04 21:00"), timedelta(hours=6)) == local(
        "2026-12-07 10:00")


def test_holidays_and_extra_days_off_are_skipped() -> None:
    calendar = office(days_off=DaysOff("CZ", None, frozenset({date(2026, 12, 24)})))
    # 23 Dec 19:30 + 1 h: half an hour that evening, then 24 (day off), 25 and 26 (holidays),
    # Sunday 27 (closed) and Monday 28 from 08:00
    assert calendar.add(local("2026-12-23 19:30"), timedelta(hours=1)) == local(
        "2026-12-28 08:30")
    names = dict(calendar.holidays(date(2026, 12, 20), date(2026, 12, 31)))
    assert names[date(2026, 12, 24)] == "day off"
    assert date(2026, 12, 25) in names


def test_a_due_time_on_a_closing_is_that_closing() -> None:
    assert office().add(local("2026-12-02 19:00"), timedelta(hours=1)) == local(
        "2026-12-02 20:00")


def test_a_span_across_midnight_is_one_opening() -> None:
    night = Calendar(PRAGUE, {day: [(0, 120), (1320, 1440)] for day in range(7)})
    assert night.next_close(local("2026-12-02 23:00")) == local("2026-12-03 02:00")
    assert night.last_change(local("2026-12-03 01:00")) == local("2026-12-02 22:00")
    assert night.last_change(local("2026-12-03 03:00")) == local("2026-12-03 02:00")


def test_each_year_is_laid_out_once_however_far_a_due_time_reaches() -> None:
    """The layout is the only per-year work; bench/due_times.py measures the cost itself."""
    calendar = office()
    start = local("2026-12-02 10:00")
    calendar.add(start, timedelta(days=3650))  # lays out each year once
    laid_out = len(calendar._years)
    calendar.add(start, timedelta(days=3650))
    assert len(calendar._years) == laid_out


def test_a_calendar_without_hours_is_refused() -> None:
    with pytest.raises(ValueError, match="opening hours"):
        Calendar(PRAGUE, {0: []})


# -- SLA clocks -----------------------------------------------------------------------------


def test_a_clock_pauses_and_resumes_without_counting_the_wait() -> None:
    calendar = office()
    clock = SlaClock.start("resolution", timedelta(hours=8), 0.5, calendar,
                           local("2026-12-02 10:00"))
    assert clock.due(calendar) == local("2026-12-02 18:00")
    assert clock.due(calendar, Point.WARNING) == local("2026-12-02 14:00")
    paused = clock.pause(calendar, local("2026-12-02 12:00"))
    assert paused.mode == "paused" and paused.due(calendar) is None
    assert paused.left(calendar, local("2026-12-09 12:00")) == timedelta(hours=6)
    resumed = paused.resume(calendar, local("2026-12-03 09:00"))
    assert resumed.due(calendar) == local("2026-12-03 15:00")
    stopped = resumed.stop(calendar, local("2026-12-03 10:00"))
    assert stopped.mode == "stopped" and stopped.left(calendar, local("2026-12-10")) == timedelta(
        hours=5)


def test_an_after_hours_clock_starts_at_the_next_opening() -> None:
    calendar = office()
    clock = SlaClock.start("first_response", timedelta(hours=1), 0.8, calendar,
                           local("2026-12-04 22:00"))
    assert clock.started_at == local("2026-12-05 09:00")
    assert clock.pending(calendar) == [(Point.WARNING, local("2026-12-05 09:48")),
                                       (Point.BREACH, local("2026-12-05 10:00"))]


def test_a_calendar_clock_counts_nights_and_weekends() -> None:
    always = Calendar.always_open()
    clock = SlaClock.start("resolution", timedelta(days=3), 0.8, always,
                           local("2026-12-04 22:00"))
    assert not clock.business
    assert clock.due(always) == local("2026-12-07 22:00")


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, st.lists(st.timedeltas(timedelta(0), timedelta(days=5)),
                                       min_size=1, max_size=6),
       st.timedeltas(timedelta(minutes=1), timedelta(days=10)))
def test_pauses_never_count(calendar: Calendar, start: datetime, gaps: list[timedelta],
                            target: timedelta) -> None:
    """However a clock is paused and resumed, it counts exactly the time it ran."""
    clock = SlaClock.start("resolution", target, 0.8, calendar, start)
    at, ran, running = start, timedelta(0), True
    for gap in gaps:
        later = at + gap
        if running:
            ran += calendar.elapsed(max(at, clock.started_at), later) if later > clock.started_at \
                else timedelta(0)
            clock = clock.pause(calendar, later)
        else:
            clock = clock.resume(calendar, later)
        at, running = later, not running
    assert clock.counted(calendar, at) == ran


def test_more_working_time_than_a_century_holds_is_refused_clearly() -> None:
    one_minute_a_week = Calendar("UTC", {0: [(600, 601)]}, DaysOff(None, None, frozenset()))
    with pytest.raises(ValueError, match="no 4 days, 0:00:00 of opening hours within 100 years"):
        one_minute_a_week.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=4))


# -- working days (follow-ups) ----------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(calendars(), instants, st.integers(0, 15))
def test_working_days_land_on_the_nth_working_day_when_the_team_is_in(
        calendar: Calendar, start: datetime, days: int) -> None:
    result = calendar.add_days(start, days)
    assert calendar.is_open(result)
    assert result >= start
    first = start.astimezone(calendar.zone).date()
    # the working days strictly between the start's day and the result's day, the result's
    # own day included when the team works then, number at least `days` (the next opening
    # may fall on a later working day when that day's hours are already over)
    working = sum(1 for offset in range(1, (result.astimezone(calendar.zone).date() - first)
                                        .days + 1)
                  if calendar.hours_on(first + timedelta(days=offset)))
    assert working >= days
    assert calendar.add_days(start, days + 1) >= result


def test_two_working_days_after_a_friday_are_tuesday() -> None:
    weekdays = Calendar("Europe/Zagreb", {day: [(480, 1200)] for day in range(5)})
    zagreb = ZoneInfo("Europe/Zagreb")
    friday = local("2026-12-04 15:00", zagreb)
    assert weekdays.add_days(friday, 2) == local("2026-12-08 15:00", zagreb)
    # after hours, the next opening: 21:00 on Tuesday is 08:00 on Wednesday
    assert weekdays.add_days(local("2026-12-04 21:00", zagreb), 2) == local(
        "2026-12-09 08:00", zagreb)


def test_working_days_skip_holidays() -> None:
    calendar = office(days_off=DaysOff("CZ", None, frozenset({date(2026, 12, 24)})))
    # Wednesday 23 Dec + 1: 24 off, 25 and 26 holidays, Sunday closed, so Monday 28
    assert calendar.add_days(local("2026-12-23 10:00"), 1) == local("2026-12-28 10:00")


def test_a_span_ending_in_the_spring_forward_gap_counts_each_minute_once() -> None:
    # Sundays 00:00-02:01 and 03:00-03:01 in Prague; on 29 March 2026 02:00 jumps to 03:00, so
    # 02:01 never happens and the two spans touch: 23:00-01:01 UTC, counted once (found by
    # hypothesis against a reference that summed the spans)
    calendar = Calendar("Europe/Prague", {6: [(0, 121), (180, 181)]})
    day = datetime(2026, 3, 29, tzinfo=UTC)
    assert calendar.elapsed(day, day + timedelta(days=1)) == timedelta(hours=1, minutes=1)
    assert reference_elapsed(calendar, day, day + timedelta(days=1)) == timedelta(hours=1,
                                                                                  minutes=1)


def test_a_span_inside_the_spring_forward_gap_loses_no_minute_of_the_next() -> None:
    # Sundays 02:01-02:02 (a time that never happens on 29 March 2026) and 03:00-04:58: the
    # morning counts 118 minutes, 01:00-02:58 UTC (found by hypothesis)
    calendar = Calendar("Europe/Prague", {6: [(0, 1), (121, 122), (180, 298)]})
    day = datetime(2026, 3, 29, tzinfo=UTC)
    assert calendar.elapsed(day, day + timedelta(days=1)) == timedelta(minutes=118)
