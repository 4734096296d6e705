"""The care report's figures against cases driven with known times, on SQLite and PostgreSQL:
a business-clock channel across a weekend and a calendar-clock one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from recovery import Engine

from .conftest import Clock

ZAGREB, PRAGUE = ZoneInfo("Europe/Zagreb"), ZoneInfo("Europe/Prague")
HOUR = 3600.0


def _at(text: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_the_report_counts_what_happened(engine: Engine, clock: Clock) -> None:
    friday = _at("2026-12-04 19:00", ZAGREB)
    late = engine.open_case("eshop", channel="facebook", author="@ivana", at=friday,
                            text="My parcel is late again, where is it?").id
    engine.open_case("eshop", channel="facebook", author="@marko", at=friday,
                     text="Nobody answers me about my order")  # never answered: it breaches
    monday = _at("2026-12-07 09:00", ZAGREB)  # 1 h on Friday and 1 h on Monday: 2 business h
    engine.fire(late, "acknowledge", by="eva", at=monday)
    engine.fire(late, "investigate", by="eva", at=monday)
    engine.record_finding(late, "founded", root_cause="courier lost the parcel", by="eva",
                          at=monday)
    engine.offer_remedy(late, "refund", 20, order="EO-1", by="eva", at=monday)
    engine.fire(late, "resolve", by="eva", at=_at("2026-12-07 12:00", ZAGREB))
    review = engine.open_case("bistro", channel="reviews", author="Jana",
                              at=_at("2026-12-04 19:00", PRAGUE), text="Cold soup, again.").id
    engine.fire(review, "acknowledge", by="eva", at=_at("2026-12-05 10:00", PRAGUE))
    engine.tick(_at("2026-12-09 13:00", ZAGREB))  # the follow-up is asked, clocks breach
    engine.record_answer(late, 2, at=_at("2026-12-09 14:00", ZAGREB))
    figures = engine.report(since=_at("2026-12-01 00:00", ZAGREB),
                            until=_at("2026-12-10 00:00", ZAGREB))
    eshop = figures["eshop"]["channels"]["facebook"]
    assert eshop["cases"] == 2
    first = eshop["first_response"]
    assert first["business"] is True
    assert (first["p50"], first["calendar_p50"]) == (2 * HOUR, 62 * HOUR)
    assert (first["met"], first["breached"], first["running"]) == (1, 1, 0)
    resolution = eshop["resolution"]  # resolved Monday 12:00, reopened by the low score
    assert resolution["running"] + resolution["breached"] == 2
    assert figures["eshop"]["findings"] == {"founded": 1}
    assert figures["eshop"]["root_causes"] == [{"cause": "courier lost the parcel", "cases": 1}]
    assert figures["eshop"]["remedies"] == [{"kind": "refund", "unit": "EUR", "count": 1,
                                             "total": "20.00"}]
    assert figures["eshop"]["follow_up"] == {"asked": 1, "answered": 1, "response_rate": 1.0,
                                             "average_score": 2.0, "low_scores": 1,
                                             "reopen_rate": 1.0}
    reviews = figures["bistro"]["channels"]["reviews"]["first_response"]
    assert reviews["business"] is False and reviews["p50"] == reviews["calendar_p50"] == 15 * HOUR
    assert engine.report(brand="bistro", since=_at("2026-12-05 00:00", PRAGUE),
                         until=_at("2026-12-10 00:00", PRAGUE)) == {}


def test_the_report_command(run) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
               "--text", "Cold soup", "--at", "2026-12-01T09:00Z").exit_code == 0
    assert run("case", "fire", "1", "acknowledge", "--by", "eva", "--now",
               "2026-12-01T09:20Z").exit_code == 0
    shown = run("report", "--since", "2026-11-30T00:00Z", "--until", "2026-12-02T00:00Z")
    assert shown.exit_code == 0 and "bistro: cases, times and SLA compliance" in shown.stdout
    assert "20m / 20m" in shown.stdout
    data = run("report", "--json", "--since", "2026-11-30T00:00Z", "--until",
               "2026-12-02T00:00Z")
    import json

    figures = json.loads(data.stdout)
    assert figures["bistro"]["channels"]["instagram"]["first_response"]["p50"] == 1200.0
    assert run("report", "--brand", "nobody").exit_code == 3
