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
                                             "csat": 0.0, "reopen_rate": 1.0}
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
    assert "20 business minutes / 20 business minutes" in shown.stdout
    data = run("report", "--json", "--since", "2026-11-30T00:00Z", "--until",
               "2026-12-02T00:00Z")
    import json

    figures = json.loads(data.stdout)
    assert figures["bistro"]["channels"]["instagram"]["first_response"]["p50"] == 1200.0
    assert run("report", "--brand", "nobody").exit_code == 3


def test_the_report_counts_replies_overrides_spread_and_weeks(engine: Engine) -> None:
    monday = _at("2026-11-30 10:00", PRAGUE)
    soup = engine.open_case("bistro", channel="facebook", author="@jana", at=monday,
                            text="Studená polévka, zase.").id
    blame = "Promiňte, ale není to naše chyba, polévku vaří dodavatel."
    engine.reply(soup, text=blame, by="eva", override="the supplier asked us to",
                 at=_at("2026-11-30 10:05", PRAGUE))
    engine.reply(soup, text="Promiňte. Zavolejte na infolinku.", by="eva",
                 at=_at("2026-11-30 10:10", PRAGUE))  # a warning: it only redirects
    for trigger in ("acknowledge", "investigate"):
        engine.fire(soup, trigger, by="eva", at=_at("2026-11-30 10:15", PRAGUE))
    engine.record_finding(soup, "founded", root_cause="soup waits at the pass", by="eva",
                          at=_at("2026-11-30 10:20", PRAGUE))
    engine.fire(soup, "resolve", by="eva", at=_at("2026-11-30 12:00", PRAGUE))
    engine.open_case("bistro", channel="facebook", author="@petr",
                     at=_at("2026-12-08 10:00", PRAGUE), text="Kde je můj stůl?")
    figures = engine.report(brand="bistro", since=_at("2026-11-30 00:00", PRAGUE),
                            until=_at("2026-12-10 00:00", PRAGUE))["bistro"]
    replies = figures["replies"]
    assert (replies["sent"], replies["public"], replies["overridden"]) == (2, 2, 1)
    assert replies["findings"]["blocking"] == {"blame": 1}
    assert replies["findings"]["warning"]["redirect-only"] == 1
    [override] = replies["overrides"]
    assert (override["case"], override["by"], override["codes"], override["reason"]) == (
        soup, "eva", ["blame"], "the supplier asked us to")
    spread = figures["channels"]["facebook"]["resolution"]["spread"]
    assert [bucket["cases"] for bucket in spread] == [0, 1, 0, 0, 0, 0, 0]  # 2 h
    assert spread[-1]["up_to"] is None and sum(bucket["cases"] for bucket in spread) == 1
    weeks = figures["weeks"]
    assert list(weeks) == ["2026-11-30", "2026-12-07"]
    assert weeks["2026-11-30"]["resolution"]["met"] == 1
    assert weeks["2026-12-07"]["first_response"]["running"] == 1


def test_the_report_as_csv_and_as_a_page(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
               "--text", "Cold soup", "--at", "2026-12-01T09:00Z").exit_code == 0
    for trigger in ("acknowledge", "investigate"):
        assert run("case", "fire", "1", trigger, "--by", "eva", "--now",
                   "2026-12-01T09:20Z").exit_code == 0
    assert run("case", "finding", "1", "founded", "--root-cause", "=HYPERLINK(\"x\") <b>",
               "--by", "eva", "--now", "2026-12-01T09:30Z").exit_code == 0
    period = ("--since", "2026-11-30T00:00Z", "--until", "2026-12-02T00:00Z")
    shown = run("report", "--csv", *period)
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == "brand,channel,figure,item,value"
    assert "bistro,instagram,first_response.p50_seconds,,1200.0" in lines
    assert "bistro,,root_cause,\"'=HYPERLINK(\"\"x\"\") <b>\",1" in lines  # never a formula
    page = tmp_path / "report.html"
    written = run("report", "--html", str(page), *period)
    assert written.exit_code == 0 and written.stdout.split() == ["wrote", str(page)]
    text = page.read_text()
    assert "<h2>Bistro Na Rohu (bistro)</h2>" in text
    assert "=HYPERLINK(&quot;x&quot;) &lt;b&gt;" in text
    assert "<b>" not in text
    assert text.count("<svg") == 2  # both clocks by week opened (root causes: a table)
    assert "<td>=HYPERLINK(&quot;x&quot;) &lt;b&gt;</td>" in text  # whole, in a table
    both = run("report", "--csv", "--json", *period)
    assert (both.exit_code, both.stderr) == (2, "error: choose one of --json, --csv and "
                                                 "--html\n")
    nowhere = run("report", "--html", str(tmp_path / "no" / "such" / "r.html"), *period)
    assert nowhere.exit_code == 2 and nowhere.stderr.startswith("error: --html: cannot write")
