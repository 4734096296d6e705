"""Policy what-if: a recorded history replayed through flows, on SQLite and PostgreSQL.

Under the flows the cases ran under, the replay reproduces every state, event, clock and timer
exactly (`compare.differences` finds nothing); under a proposed flow it shows what would have
gone otherwise, and the live database is only read.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from recovery import Engine
from recovery.errors import InvalidInput, RecoveryError
from recovery.whatif import compare, replay, scratch, sheet
from recovery.whatif.replay import Replayed

from .conftest import WORKFLOWS, Clock, sqlite_copy

ZAGREB, WARSAW = ZoneInfo("Europe/Zagreb"), ZoneInfo("Europe/Warsaw")
EVER = datetime(2026, 1, 1, tzinfo=ZAGREB)


def _at(text: str, zone: ZoneInfo = ZAGREB) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def history(engine: Engine) -> None:
    """A week of cases touching every kind of act, with a worker that ticked late."""
    friday = _at("2026-12-04 19:00")
    late = engine.open_case("eshop", channel="facebook", author="@ivana", at=friday,
                            text="My parcel is late again, where is it?").id
    engine.open_case("eshop", channel="twitter", author="@marko", at=friday,
                     text="Nobody answers me about my order", reach={"followers": 20000})
    monday = _at("2026-12-07 09:00")
    engine.reply(late, text="We are sorry, Ivana. We are checking your parcel now.",
                 by="eva", fire="acknowledge", at=monday)
    engine.fire(late, "investigate", by="eva", at=monday)
    engine.record_finding(late, "founded", root_cause="courier lost the parcel", by="eva",
                          at=monday)
    engine.offer_remedy(late, "refund", 20, order="EO-1", by="eva", at=monday)
    engine.tick(_at("2026-12-07 11:30"))  # the worker, late for the breaches due before
    engine.fire(late, "resolve", by="eva", at=_at("2026-12-07 12:00"))
    rider = engine.open_case("bikeshare", channel="twitter", author="@tomek", at=_at(
        "2026-12-05 10:00", WARSAW), text="Your bike tore my jeans, the chain guard is gone").id
    engine.update_reach(rider, {"followers": 1500}, by="ola", at=_at("2026-12-05 10:05",
                                                                        WARSAW))
    engine.fire(rider, "acknowledge", by="ola", at=_at("2026-12-05 10:10", WARSAW))
    engine.fire(rider, "investigate", by="ola", at=_at("2026-12-05 10:20", WARSAW))
    engine.record_finding(rider, "founded", root_cause="chain guard bolt missing",
                          by="ola", at=_at("2026-12-05 10:30", WARSAW))
    waiting = engine.offer_remedy(rider, "voucher", 500, by="ola",
                                  at=_at("2026-12-05 10:40", WARSAW))
    engine.approve_remedy(waiting.id, by="petr", at=_at("2026-12-05 11:00", WARSAW))
    engine.fire(rider, "resolve", by="ola", at=_at("2026-12-05 12:00", WARSAW))
    engine.tick(_at("2026-12-09 13:00"))  # the follow-up is asked
    engine.record_answer(late, 2, at=_at("2026-12-09 14:00"))
    engine.do_not_contact(rider, by="ola", at=_at("2026-12-09 15:00"))
    outage = engine.incidents.open("eshop", title="Card payments fail", by="ana",
                                   says={"hr": "plaćanje karticom ne radi",
                                         "en": "card payments are failing"},
                                   at=_at("2026-12-09 15:00"))
    engine.incidents.link(outage.id, [2], by="ana", at=_at("2026-12-09 15:05"))
    engine.moderate(2, post="p-9", rule="spam", by="eva", author="@bot", text="cheap pills",
                    at=_at("2026-12-09 15:10"))
    engine.redact(2, 1, by="ana", reason="the customer asked us to erase the order number",
                  at=_at("2026-12-09 15:20"))
    engine.tick(_at("2026-12-14 09:00"))


def _differences(engine: Engine, workflows: Path, now: datetime) -> tuple[list[str], Replayed]:
    """What differs between the engine's cases and their replay under `workflows`."""
    with scratch(workflows, now) as into:
        done = replay(engine._connection, into, EVER, now, now)
        with engine._connection() as live, into._connection() as mine:
            return compare.differences(live, mine, done.cases), done


def test_replaying_a_history_under_its_own_flows_changes_nothing(engine: Engine,
                                                                 clock: Clock) -> None:
    history(engine)
    now = clock.now = _at("2026-12-14 10:00")
    found, done = _differences(engine, WORKFLOWS, now)
    assert found == []
    assert done.refused == [] and done.skipped == {}
    assert len(done.cases) == 3 and done.timers > 0 and done.choices == 5
    with engine._connection(begin=True) as conn:  # a change no act made: told apart
        conn.execute(text("UPDATE recovery_clocks SET target_us = 1 WHERE case_id = 2"))
    found, _done = _differences(engine, WORKFLOWS, now)
    assert found == ["case 2 name first_response recovery_clocks.target_us: live 1, "
                     "replayed 900000000", "case 2 name resolution recovery_clocks.target_us: "
                     "live 1, replayed 86400000000"]


def test_a_triggers_payload_shaped_as_a_remedys_replays_as_the_trigger(engine: Engine,
                                                                        clock: Clock) -> None:
    case = engine.open_case("bistro", channel="instagram", author="@jana", text="Cold soup",
                            at=_at("2026-12-07 12:00")).id
    engine.fire(case, "acknowledge", by="eva", at=_at("2026-12-07 12:10"), payload={
        "remedy": "not an id", "kind": "coupon", "value": "1", "unit": "meal",
        "status": "issued"})  # given by hand: no remedy of the ledger's
    found, done = _differences(engine, WORKFLOWS, _at("2026-12-08 12:00"))
    assert found == [] and done.refused == []


def test_a_tighter_urgent_target_shows_the_urgent_cases_that_would_have_breached(
        engine: Engine, clock: Clock, tmp_path: Path) -> None:
    history(engine)
    proposed = _proposed(tmp_path, "eshop", "  twitter:  {first_response: 1h, resolution: 1d}",
                         "  twitter:  {first_response: {urgent: 5m, default: 1h}, "
                         "resolution: 1d}")
    urgent = engine.open_case("eshop", channel="twitter", author="@ana", reach={
        "followers": 50000}, at=_at("2026-12-08 10:00"), text="Where is my order 123?").id
    engine.fire(urgent, "acknowledge", by="eva", at=_at("2026-12-08 10:10"))  # 15m: met
    clock.now = _at("2026-12-14 10:00")
    before = _rows(engine)
    found = engine.what_if(proposed, brand="eshop", since=EVER)
    assert _rows(engine) == before  # only read
    recorded = found.recorded["eshop"]["channels"]["twitter"]["first_response"]
    proposed_fr = found.proposed["eshop"]["channels"]["twitter"]["first_response"]
    assert (recorded["met"], recorded["breached"]) == (1, 1)
    assert (proposed_fr["met"], proposed_fr["breached"]) == (0, 2)
    urgent_then = found.proposed["eshop"]["priorities"]["urgent"]["first_response"]
    assert urgent_then["breached"] == 2
    urgent_was = found.recorded["eshop"]["priorities"]["urgent"]["first_response"]
    assert urgent_was["p50"] == urgent_then["p50"] == 600.0  # the one answered: 10 minutes
    assert found.refused == [] and found.cases == 3
    assert found.proposal == {"eshop": [{"key": "channels.twitter.first_response.urgent",
                                         "live": "15m", "proposed": "5m"}]}  # as resolved
    assert found.workflows == str(proposed)


def test_what_a_proposed_flow_refuses_is_named_case_by_case(engine: Engine, clock: Clock,
                                                            tmp_path: Path) -> None:
    history(engine)
    proposed = _proposed(tmp_path, "bikeshare",
                         "    {max: 400, lead_max: 600, unit: PLN,",
                         "    {max: 100, lead_max: 200, unit: PLN,")
    clock.now = _at("2026-12-14 10:00")
    found = engine.what_if(proposed, brand="bikeshare", since=EVER)
    [offered] = found.refused  # the offer waited for a lead; the lead's approval follows it
    assert (offered["case"], offered["seq"], offered["trigger"], offered["by"]) == (
        3, 6, "remedy", "ola")
    assert "a voucher of 500,00\xa0zł is over bikeshare's limit of 200,00\xa0zł" in offered["why"]
    assert found.skipped == {"decisions on remedies the proposed flow did not give": 1}
    assert found.not_given == [{"brand": "bikeshare", "kind": "voucher", "unit": "PLN",
                                "goodwill": False, "count": 1, "value": "500.00",
                                "of_count": 1, "of_value": "500.00"}]  # of those given live
    assert found.remedies[0]["recorded"] == "issued"
    assert found.remedies[0]["proposed"] == "not offered"
    rows = sheet.as_csv(found).splitlines()
    assert "remedies given,bikeshare,voucher (PLN),count,1,0" in rows
    assert "remedies given,bikeshare,voucher (PLN),value,500.00,0" in rows
    assert "remedies not given,bikeshare,voucher (PLN),value,500.00," in rows
    assert found.ended == []  # a voucher is no guard of resolve: the case still resolves


def test_a_refusal_names_the_live_case_not_the_replays(engine: Engine, clock: Clock,
                                                       tmp_path: Path) -> None:
    history(engine)
    proposed = _proposed(tmp_path, "bikeshare", "follow_up: {after: 5d}",
                         "follow_up: {after: 5d}\nflow:\n  triggers:\n"
                         "    resolve: {guards: [has_finding, has_remedy]}")
    proposed = _proposed(tmp_path, "bikeshare", "    {max: 400, lead_max: 600, unit: PLN,",
                         "    {max: 100, lead_max: 200, unit: PLN,")
    clock.now = _at("2026-12-14 10:00")
    found = engine.what_if(proposed, brand="bikeshare", since=EVER)
    resolve = next(item for item in found.refused if item["trigger"] == "resolve")
    assert resolve["case"] == 3  # the replay's own database numbers it 1
    assert resolve["why"].startswith("case 3: 'resolve' refused by guard 'has_remedy'"), \
        resolve["why"]


def test_a_timer_the_live_case_never_reached_fires_at_the_workers_next_run(
        engine: Engine, clock: Clock, tmp_path: Path) -> None:
    """Under a refund limit of 10 the refund of 20 is refused, so the case cannot resolve
    (its flow asks for a remedy): its resolution clock runs on, and its warning and breach,
    cancelled live by the resolve, fire when the live worker next ran after they fell due."""
    history(engine)
    proposed = _proposed(tmp_path, "eshop", "  refund:   {max: 500, unit: EUR}",
                         "  refund:   {max: 10, unit: EUR}")
    clock.now = _at("2026-12-14 10:00")
    found = engine.what_if(proposed, brand="eshop", since=EVER)
    assert [item["trigger"] for item in found.refused if item["case"] == 1][:2] == [
        "offer_remedy", "resolve"]
    with scratch(proposed, clock.now) as into:
        done = replay(engine._connection, into, EVER, clock.now, clock.now, "eshop")
        reached = [(event.trigger, event.at) for event in into.history(done.cases[1])
                   if event.trigger.startswith("resolution.")]
    ran = _at("2026-12-14 09:00")  # the live worker's first run after 2026-12-10 09:24
    assert reached == [("resolution.warning", ran), ("resolution.breach", ran)]
    assert {"case": 1, "brand": "eshop", "recorded": "high",
            "proposed": "urgent"} in found.priorities


def test_a_timer_armed_already_due_fires_at_once(engine: Engine, clock: Clock,
                                                 tmp_path: Path) -> None:
    """A reach update makes the case urgent half an hour in; under a 5-minute urgent target
    its first response is overdue the moment the target tightens: the breach comes then."""
    proposed = _proposed(tmp_path, "eshop", "  twitter:  {first_response: 1h, resolution: 1d}",
                         "  twitter:  {first_response: {urgent: 5m, default: 1h}, "
                         "resolution: 1d}")
    case = engine.open_case("eshop", channel="twitter", author="@ana", text="Order 9?",
                            at=_at("2026-12-08 10:00")).id
    engine.update_reach(case, {"followers": 50000}, by="monitoring", at=_at("2026-12-08 10:30"))
    clock.now = _at("2026-12-08 12:00")
    with scratch(proposed, clock.now) as into:
        done = replay(engine._connection, into, EVER, clock.now, clock.now)
        breaches = [event.at for event in into.history(done.cases[case])
                    if event.trigger == "first_response.breach"]
    assert breaches == [_at("2026-12-08 10:30")]


def test_an_empty_period_or_a_missing_brand_is_refused_up_front(engine: Engine, clock: Clock,
                                                                tmp_path: Path) -> None:
    history(engine)
    clock.now = _at("2026-12-14 10:00")
    with pytest.raises(InvalidInput, match="the period is empty"):
        engine.what_if(WORKFLOWS, since=clock.now, until=EVER)
    proposed = _proposed(tmp_path, "eshop", "timezone: Europe/Zagreb", "timezone: Europe/Zagreb")
    shutil.rmtree(proposed / "bikeshare")
    with pytest.raises(InvalidInput, match=r"no flow for bikeshare \(1 case\(s\)\)"):
        engine.what_if(proposed, since=EVER)
    assert engine.what_if(proposed, brand="eshop", since=EVER).cases == 2
    with pytest.raises(InvalidInput, match=r"in the proposal$"):  # --brand is given already
        engine.what_if(proposed, brand="bikeshare", since=EVER)


def test_a_slower_follow_up_asks_later(engine: Engine, clock: Clock, tmp_path: Path) -> None:
    history(engine)
    proposed = _proposed(tmp_path, "eshop", "follow_up: {after: 2d}", "follow_up: {after: 5d}")
    clock.now = _at("2026-12-14 10:00")
    found = engine.what_if(proposed, brand="eshop", since=EVER)
    [changed] = found.follow_ups
    assert changed["case"] == 1
    assert changed["recorded"][0]["step"] == "ask" and changed["recorded"][0]["at"] != "pending"
    assert changed["proposed"][0]["at"] == "pending"  # five working days are not over yet
    assert found.ended == [{"case": 1, "brand": "eshop", "recorded": "investigating",
                            "proposed": "resolved"}]  # never asked, so never reopened


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 9), st.integers(1, 600)),
                      min_size=1, max_size=25))
def test_any_history_replays_exactly(migrated_sqlite: Path, tmp_path_factory,  # type: ignore[no-untyped-def]
                                     steps: list[tuple[int, int, int]]) -> None:
    """Cases opened, moved by whatever their flow allows, answered, and ticked at any
    moment: the replay under the same flows differs in nothing."""
    folder = tmp_path_factory.mktemp("any")
    clock = Clock(_at("2026-12-07 08:00"))
    engine = Engine(sqlite_copy(migrated_sqlite, folder / "live.db"), workflows=WORKFLOWS,
                    clock=clock)
    opened: list[int] = []
    for kind, pick, minutes in steps:
        at = clock.advance(minutes=minutes)
        try:
            if kind == 0 or not opened:
                brand = ("eshop", "bistro", "bikeshare")[pick % 3]
                channel = {"eshop": "twitter", "bistro": "instagram",
                           "bikeshare": "twitter"}[brand]
                opened.append(engine.open_case(brand, channel=channel, author=f"@c{pick}",
                                               text=f"My order {pick} never came, again",
                                               at=at).id)
            elif kind == 1:
                case = opened[pick % len(opened)]
                allowed = engine.allowed_triggers(case)
                if allowed:
                    engine.fire(case, allowed[pick % len(allowed)], by="eva", at=at)
            else:
                engine.tick(at)
        except RecoveryError:
            pass  # a guard said no: nothing was recorded
    now = clock.advance(hours=1)
    found, done = _differences(engine, WORKFLOWS, now)
    assert found == [] and done.refused == []
    engine.close()


def test_the_demo_replays_exactly(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from recovery.cli import app

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(app, ["--db", url, "--workflows", str(WORKFLOWS), "demo"])
    assert result.exit_code == 0, result.output
    live = Engine(url, workflows=WORKFLOWS)
    now = live._when(None)
    found, done = _differences(live, WORKFLOWS, now)
    assert found == [] and len(done.cases) == 7 and done.refused == []
    live.close()


def test_the_command_line_shows_it_as_tables_json_csv_and_a_page(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "eshop", "--channel", "twitter", "--author", "@ana",
               "--text", "Where is my order 123?", "--followers", "50000",
               "--now", "2026-12-01T09:00Z").exit_code == 0
    assert run("case", "fire", "1", "acknowledge", "--by", "eva",
               "--now", "2026-12-01T09:10Z").exit_code == 0
    proposed = _proposed(tmp_path, "eshop", "  twitter:  {first_response: 1h, resolution: 1d}",
                         "  twitter:  {first_response: {urgent: 5m, default: 1h}, "
                         "resolution: 1d}")
    shown = run("what-if", "--workflows", str(proposed), "--since", "2026-11-01T00:00Z")
    assert shown.exit_code == 0, shown.output
    assert "eshop: SLA outcomes per channel" in shown.output
    assert "The live database was only read." in " ".join(shown.output.split())
    data = json.loads(run("what-if", "--workflows", str(proposed), "--since",
                          "2026-11-01T00:00Z", "--json").stdout)
    urgent = [data[side]["eshop"]["priorities"]["urgent"]["first_response"]
              for side in ("recorded", "proposed")]
    assert data["cases"] == 1 and [(u["met"], u["breached"]) for u in urgent] == [(1, 0), (0, 1)]
    rows = run("what-if", "--workflows", str(proposed), "--since", "2026-11-01T00:00Z",
               "--csv").stdout.splitlines()
    assert rows[0] == "section,brand,item,figure,recorded,proposed"
    assert "proposal,eshop,channels.twitter.first_response.urgent,,15m,5m" in rows
    assert "SLA per priority,eshop,urgent first_response,breached,0,1" in rows  # numbers
    assert "SLA per channel,eshop,twitter first_response,p50_seconds,600.0,600.0" in rows
    page = tmp_path / "what-if.html"
    assert run("what-if", "--workflows", str(proposed), "--since", "2026-11-01T00:00Z",
               "--html", str(page)).exit_code == 0
    assert "recorded against proposed" in page.read_text()
    missing = run("what-if", "--workflows", str(tmp_path / "none"))
    assert missing.exit_code == 2 and missing.output.count("\n") == 1
    assert "no folder" in missing.output
    flow = proposed / "eshop" / "flow.yaml"
    flow.write_text(flow.read_text().replace("timezone: Europe/Zagreb", "timezone: [Europe"))
    broken = run("what-if", "--workflows", str(proposed))  # nothing replayed on a broken flow
    assert broken.exit_code == 7 and broken.output.count("\n") == 1
    assert f"{flow}:4: not valid YAML" in broken.output


def _proposed(tmp_path: Path, brand: str, old: str, new: str) -> Path:
    """The sample workflows with one line of `brand`'s flow changed."""
    folder = tmp_path / "proposed"
    if not folder.exists():
        shutil.copytree(WORKFLOWS, folder)
    flow = folder / brand / "flow.yaml"
    text = flow.read_text()
    assert old in text, old
    flow.write_text(text.replace(old, new))
    return folder


def _rows(engine: Engine) -> tuple[object, ...]:
    with engine._connection() as conn:
        return tuple(conn.execute(text(f"SELECT count(*) FROM recovery_{name}")).scalar()
                     for name in ("cases", "events", "timers", "clocks", "remedies"))


def test_a_proposal_is_told_key_by_key() -> None:
    from recovery.whatif.proposal import _differing

    live = {"channels": {"twitter": {"first_response": "1h", "resolution": "1d"}},
            "hours": {"mon-fri": ["08:00-20:00"]}, "goodwill": {"per_case": 1}}
    proposed = {"channels": {"twitter": {"first_response": "30m", "resolution": "1d"}},
                "hours": {"mon-fri": ["08:00-18:00"]}, "priority": {"urgent": ["refund"]}}
    assert list(_differing(live, proposed, "")) == [
        ("channels.twitter.first_response", "1h", "30m"),
        ("hours.mon-fri", ["08:00-20:00"], ["08:00-18:00"]),  # a list is one value
        ("goodwill", {"per_case": 1}, None),
        ("priority", None, {"urgent": ["refund"]})]
    assert list(_differing(live, live, "")) == []
