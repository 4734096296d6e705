"""The engine end to end, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import itertools
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from recovery import (
    ConcurrentUpdate,
    Engine,
    Event,
    FlowError,
    GuardRefused,
    InvalidInput,
    NotFound,
    PolicyViolation,
    TriggerNotAllowed,
)
from recovery.errors import OutOfOrder
from recovery.store.writer import Tx
from tests.conftest import WORKFLOWS, Clock


def _open(engine: Engine, brand: str = "bistro", **extra: str) -> int:
    channel = extra.pop("channel", "facebook")
    return engine.open_case(brand, channel=channel, author="@jana", text="Cold soup", **extra).id


def _to_resolved(engine: Engine, case_id: int) -> None:
    engine.fire(case_id, "acknowledge", by="eva")
    engine.fire(case_id, "investigate", by="eva")
    engine.record_finding(case_id, "founded", root_cause="slow pass", by="eva")
    engine.fire(case_id, "resolve", by="eva")


def test_a_case_goes_through_the_whole_recovery(engine: Engine, clock: Clock) -> None:
    case_id = _open(engine)
    engine.fire(case_id, "acknowledge", by="eva", note="public reply")
    engine.fire(case_id, "investigate", by="eva")
    engine.record_finding(case_id, "founded", root_cause="slow pass", by="eva")
    engine.fire(case_id, "call", by="eva")
    engine.offer_remedy(case_id, "coupon", 1, by="eva")
    engine.fire(case_id, "resolve", by="eva")
    clock.advance(days=2)
    fired = engine.tick()
    assert [(t.case_id, t.trigger, t.outcome) for t in fired] == [(case_id, "ask", "fired")]
    clock.advance(days=7)
    assert [t.trigger for t in engine.tick()] == ["remind", "close"]
    case = engine.case(case_id)
    assert case.state == "closed"
    assert (case.finding, case.root_cause, case.remedy_kind, case.remedy_unit) == (
        "founded", "slow pass", "coupon", "meal")
    assert case.acknowledged_at is not None
    history = engine.history(case_id)
    assert [e.trigger for e in history] == [
        "open", "acknowledge", "investigate", "record_finding", "call", "offer_remedy",
        "resolve", "follow_up", "reminder", "close"]
    assert [e.seq for e in history] == list(range(1, case.version + 1))
    assert history[1].note == "public reply"
    assert history[-1].by == "timer"


def test_a_trigger_from_the_wrong_state_says_which_are_allowed(engine: Engine) -> None:
    case_id = _open(engine)
    with pytest.raises(TriggerNotAllowed) as refused:
        engine.fire(case_id, "resolve", by="eva")
    assert refused.value.allowed == ["acknowledge"]
    assert refused.value.state == "new"
    assert len(engine.history(case_id)) == 1


def test_a_guard_refusal_says_which_guard_and_why(engine: Engine) -> None:
    case_id = _open(engine)
    engine.fire(case_id, "acknowledge", by="eva")
    engine.fire(case_id, "investigate", by="eva")
    with pytest.raises(GuardRefused) as refused:
        engine.fire(case_id, "resolve", by="eva")
    assert refused.value.guard == "has_finding"
    options = {o.trigger: o for o in engine.triggers(case_id)}
    assert not options["resolve"].allowed
    assert "no finding" in options["resolve"].reason
    assert options["acknowledge"].reason == "only from new"
    assert engine.case(case_id).state == "investigating"


def test_brand_overrides_apply_only_to_that_brand(engine: Engine) -> None:
    shop = _open(engine, "eshop")
    engine.fire(shop, "acknowledge", by="eva")
    engine.fire(shop, "investigate", by="eva")
    engine.record_finding(shop, "partly", root_cause="courier backlog", by="eva")
    with pytest.raises(GuardRefused, match="has_remedy"):
        engine.fire(shop, "resolve", by="eva")
    bistro = _open(engine, "bistro")
    _to_resolved(engine, bistro)
    assert engine.case(bistro).state == "resolved"


def test_remedies_are_held_to_the_brand_limits(engine: Engine) -> None:
    case_id = _open(engine, "bikeshare", channel="twitter")
    engine.fire(case_id, "acknowledge", by="ola")
    engine.fire(case_id, "investigate", by="ola")
    engine.record_finding(case_id, "founded", root_cause="loose chain guard", by="ola")
    with pytest.raises(PolicyViolation, match="over bikeshare's limit of 600"):
        engine.offer_remedy(case_id, "voucher", 601, by="ola")
    with pytest.raises(PolicyViolation, match="does not offer a refund"):
        engine.offer_remedy(case_id, "refund", 10, by="ola")
    with pytest.raises(InvalidInput):
        engine.offer_remedy(case_id, "voucher", "lots", by="ola")
    engine.offer_remedy(case_id, "voucher", "350.50", by="ola")
    case = engine.case(case_id)
    assert (case.state, str(case.remedy_value), case.remedy_unit) == (
        "remedy_offered", "350.50", "PLN")


def test_bad_complaints_are_refused_and_write_nothing(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="does not serve channel 'tiktok'"):
        engine.open_case("bistro", channel="tiktok", author="@a", text="x")
    with pytest.raises(InvalidInput, match="neither may be empty"):
        engine.open_case("bistro", channel="facebook", author="@a", text="   ")
    with pytest.raises(NotFound, match="known brands: bikeshare, bistro, eshop"):
        engine.open_case("nobody", channel="facebook", author="@a", text="x")
    with pytest.raises(NotFound):
        engine.open_case("default", channel="facebook", author="@a", text="x")
    assert engine.cases() == []
    with pytest.raises(NotFound):
        engine.fire(404, "acknowledge", by="eva")


def test_the_same_post_fed_twice_opens_one_case(engine: Engine) -> None:
    first = _open(engine, external_id="fb-1")
    again = _open(engine, external_id="fb-1")
    assert first == again
    assert engine.case_for("bistro", "fb-1") is not None
    assert len(engine.cases()) == 1


def test_a_stale_writer_gets_a_conflict_and_writes_nothing(
        engine: Engine, db_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = _open(engine)
    engine.fire(case_id, "acknowledge", by="eva")
    other = Engine(db_url, workflows=WORKFLOWS, clock=clock)
    read = Tx.facts

    def read_then_someone_else_writes(tx: Tx, wanted: int) -> object:
        facts = read(tx, wanted)
        monkeypatch.setattr(Tx, "facts", read)
        other.fire(case_id, "investigate", by="petr")  # lands between our read and our write
        return facts

    monkeypatch.setattr(Tx, "facts", read_then_someone_else_writes)
    with pytest.raises(ConcurrentUpdate):
        engine.fire(case_id, "move_private", by="eva")
    assert [e.trigger for e in engine.history(case_id)] == ["open", "acknowledge", "investigate"]
    assert engine.case(case_id).state == "investigating"
    other.close()


def test_concurrent_firing_never_loses_or_duplicates_an_event(engine: Engine) -> None:
    case_id = _open(engine)
    engine.fire(case_id, "acknowledge", by="eva")
    engine.fire(case_id, "move_private", by="eva")
    done: list[int] = []

    def agent(name: str) -> None:
        for _ in range(15):
            for trigger in ("call", "move_private"):
                try:
                    engine.fire(case_id, trigger, by=name)
                    done.append(1)
                except (ConcurrentUpdate, TriggerNotAllowed):
                    pass

    threads = [threading.Thread(target=agent, args=(f"agent{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    case = engine.case(case_id)
    history = engine.history(case_id)
    assert [e.seq for e in history] == list(range(1, case.version + 1))
    assert len(history) == 3 + len(done)
    for before, after in itertools.pairwise(history):
        assert after.source == before.dest  # every event starts where the last one ended


def test_each_timer_fires_exactly_once_with_several_workers(
        engine: Engine, db_url: str, clock: Clock) -> None:
    ids = [_open(engine) for _ in range(30)]
    for case_id in ids:
        _to_resolved(engine, case_id)
    clock.advance(days=3)
    workers = [engine, Engine(db_url, workflows=WORKFLOWS, clock=clock)]
    fired: list[list[object]] = [[], []]

    def work(index: int) -> None:
        fired[index] = list(workers[index].tick())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fired[0]) + len(fired[1]) == len(ids)
    for case_id in ids:
        triggers = [e.trigger for e in engine.history(case_id)]
        assert triggers.count("follow_up") == 1
    assert engine.tick() == []
    workers[1].close()


def test_leaving_a_state_cancels_its_timers(engine: Engine, clock: Clock) -> None:
    case_id = _open(engine)
    _to_resolved(engine, case_id)
    engine.fire(case_id, "reopen", by="eva")
    clock.advance(days=30)
    assert [t for t in engine.tick() if t.clock == "follow_up"] == []
    [timer] = [t for t in engine.timers(case_id) if t.clock == "follow_up"]
    assert timer.cancelled_at is not None and timer.fired_at is None
    assert engine.fire(case_id, "resolve", by="eva").dest == "resolved"  # on 31 December
    clock.advance(days=2)  # two working days later, New Year's Day not among them: not yet
    assert engine.tick() == []
    clock.advance(days=1, hours=1)  # Sunday 3 January, when the team is in from 11:00
    assert [t.outcome for t in engine.tick()] == ["fired"]
    closed = engine.history(case_id)[-1]  # a reopened case is not asked again
    assert (closed.trigger, closed.payload["reason"]) == ("close", "reopened")


def test_subscribers_hear_every_event_and_cannot_break_the_engine(engine: Engine) -> None:
    heard: list[Event] = []
    stop = engine.subscribe(heard.append)
    engine.subscribe(lambda event: 1 / 0)  # a broken subscriber is logged, not raised
    case_id = _open(engine)
    engine.fire(case_id, "acknowledge", by="eva")
    stop()
    engine.fire(case_id, "investigate", by="eva")
    assert [(e.trigger, e.dest) for e in heard] == [
        ("open", "new"), ("acknowledge", "acknowledged")]


def test_times_are_kept_in_utc_and_read_back_aware(engine: Engine, clock: Clock) -> None:
    case_id = _open(engine)
    event = engine.fire(case_id, "acknowledge", by="eva", at=clock.now + timedelta(minutes=5))
    case = engine.case(case_id)
    assert case.opened_at == clock.now
    assert case.acknowledged_at == event.at == clock.now + timedelta(minutes=5)
    assert case.acknowledged_at.utcoffset() == timedelta(0)


def test_listing_filters_by_brand_state_and_channel(engine: Engine) -> None:
    a = _open(engine, "bistro")
    _open(engine, "eshop")
    engine.fire(a, "acknowledge", by="eva")
    assert [c.id for c in engine.cases(brand="bistro", state="acknowledged")] == [a]
    assert len(engine.cases(channel="facebook")) == 2
    assert [c.brand for c in engine.cases(state="new")] == ["eshop"]


def test_history_is_never_out_of_order(engine: Engine, clock: Clock) -> None:
    case_id = _open(engine)
    engine.fire(case_id, "acknowledge", by="eva", at=clock.now + timedelta(hours=1))
    last = r"last event was at 2026-12-01 11:00:00\+01:00"  # in the brand's time
    with pytest.raises(OutOfOrder, match=last) as refused:
        engine.fire(case_id, "investigate", by="eva", at=clock.now + timedelta(minutes=30))
    assert isinstance(refused.value, InvalidInput)
    with pytest.raises(OutOfOrder):
        engine.reply(case_id, text="We are sorry the soup was cold; the chef is checking the "
                     "pass right now.", by="eva", at=clock.now)
    assert [event.trigger for event in engine.history(case_id)] == ["open", "acknowledge"]
    assert engine.case(case_id).version == 2
    naive = (clock.now + timedelta(hours=2)).replace(tzinfo=None)  # read as UTC
    assert engine.fire(case_id, "investigate", by="eva", at=naive).at == clock.now + timedelta(
        hours=2)


def test_a_tick_dated_before_the_last_event_leaves_the_timer_for_a_later_tick(
        engine: Engine, clock: Clock) -> None:
    case_id = _open(engine)
    _to_resolved(engine, case_id)  # the follow-up comes due two days later
    engine.reply(case_id, text="Jana, a chef now tastes every bowl at the pass before it goes "
                 "out, so the soup reaches you hot.", public=False, by="eva",
                 at=clock.now + timedelta(days=3))
    assert [t for t in engine.tick(clock.now + timedelta(days=2, hours=12))
            if t.clock == "follow_up"] == []
    fired = engine.tick(clock.now + timedelta(days=4))
    assert [(t.trigger, t.outcome) for t in fired if t.clock == "follow_up"] == [
        ("ask", "fired")]
    assert engine.history(case_id)[-1].at == clock.now + timedelta(days=4)


def test_an_unknown_trigger_or_state_is_named_with_what_the_flow_has(engine: Engine) -> None:
    case_id = _open(engine)
    with pytest.raises(TriggerNotAllowed, match="no trigger 'acknowlege' in bistro's flow "
                       r"\(did you mean 'acknowledge'\? allowed now: acknowledge\)"):
        engine.fire(case_id, "acknowlege", by="eva")
    with pytest.raises(InvalidInput, match="no state 'investigatng' in bistro's flow "
                       r"\(did you mean 'investigating'\? states: new, acknowledged"):
        engine.cases(brand="bistro", state="investigatng")
    assert engine.cases(state="investigating") == []


def test_an_unknown_template_names_the_languages_tried_once_and_the_known_templates(
        engine: Engine) -> None:
    case_id = _open(engine)
    with pytest.raises(NotFound) as missing:
        engine.draft(case_id, template="apology", by="eva")
    assert str(missing.value).startswith(  # "Cold soup" is English: tried first
        "no 'apology' template in en, cs (known: acknowledge, after_hours, follow_up, "
        "follow_up_reminder, goodbye, hello, incident_acknowledge, move_private")


def test_a_broken_brand_flow_stops_only_that_brand(tmp_path: Path, db_url: str,
                                                   clock: Clock) -> None:
    folder = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, folder)
    first = Engine(db_url, workflows=folder, clock=clock)
    bistro = _open(first)
    eshop = _open(first, "eshop")
    first.close()
    flow = folder / "bistro" / "flow.yaml"
    flow.write_text(flow.read_text().replace("Europe/Prague", "Europe/Prag"))
    engine = Engine(db_url, workflows=folder, clock=clock)
    try:
        assert list(engine.broken) == ["bistro"]
        assert engine.fire(eshop, "acknowledge", by="eva").dest == "acknowledged"
        with pytest.raises(FlowError, match=r"bistro/flow\.yaml:4: timezone"):
            engine.fire(bistro, "acknowledge", by="eva")
        with pytest.raises(FlowError, match="Europe/Prag"):
            _open(engine)
        clock.advance(days=30)
        ticked = engine.tick()
        assert {timer.case_id for timer in ticked if timer.fired_at} == {eshop}
        failed = [timer for timer in ticked if timer.fired_at is None]
        assert failed and {timer.case_id for timer in failed} == {bistro}
        assert all(t.outcome and t.outcome.startswith("failed: ") and "Europe/Prag" in t.outcome
                   for t in failed)
        listed = engine.pending_timers(failed=True)
        assert [(t.attempts, t.retry_at) for t in listed] == [
            (1, clock.now + timedelta(minutes=1))] * len(failed)
        assert engine.tick() == []  # not before its next try
        assert engine.case(bistro).state == "new"
        clock.advance(minutes=1)
        assert {t.attempts for t in engine.tick()} == {2}  # then 2 minutes, 4, … up to 6 h
        assert {t.retry_at for t in engine.pending_timers(failed=True)} == {
            clock.now + timedelta(minutes=2)}
    finally:
        engine.close()
    flow.write_text(flow.read_text().replace("Europe/Prag", "Europe/Prague"))
    mended = Engine(db_url, workflows=folder, clock=clock)
    clock.advance(minutes=2)
    assert all(timer.fired_at for timer in mended.tick())  # the brand mended: they fire
    assert mended.pending_timers(failed=True) == []
    mended.close()


def test_an_unexpected_failure_stays_with_its_timer(engine: Engine, db_url: str,
                                                    clock: Clock) -> None:
    broken, sound = _open(engine), _open(engine)
    raw = create_engine(db_url)
    with raw.begin() as conn:  # a timer no code knows how to fire
        conn.execute(text("INSERT INTO recovery_timers (case_id, \"trigger\", state, due_at, "
                          "clock, attempts) "
                          "VALUES (:case, 'bogus', 'new', :due, 'resolution', 0)"),
                     {"case": broken, "due": clock.now})
    raw.dispose()
    clock.advance(days=2)
    ticked = engine.tick()
    [failed] = [timer for timer in ticked if timer.fired_at is None]
    assert failed.case_id == broken and failed.outcome == (
        "failed: ValueError: 'bogus' is not a valid Point")
    assert sound in {timer.case_id for timer in ticked if timer.fired_at}
