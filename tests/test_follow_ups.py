"""Follow-ups through the engine, on SQLite and PostgreSQL: asked on the brand's calendar where
the conversation went, reminded once, closed quietly, answered (a low score reopens), skipped
with the reason where asking makes no sense, and every step taken exactly once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recovery import Engine, InvalidInput, RecoveryError
from recovery.followups.schedule import sampled
from recovery.keeper import ClockStatus

from .conftest import WORKFLOWS, Clock, at_once, workflows_with


def _resolved(engine: Engine, private: bool = False, author: str = "@jana",
              text: str = "Cold soup again, second time this month") -> int:
    case_id = engine.open_case("bistro", channel="instagram", author=author, text=text,
                               name="Jana Nováková").id
    engine.fire(case_id, "acknowledge", by="eva")
    engine.fire(case_id, "investigate", by="eva")
    if private:
        engine.fire(case_id, "move_private", by="eva")
    engine.record_finding(case_id, "founded", root_cause="soup waits at the pass", by="eva")
    engine.fire(case_id, "resolve", by="eva")
    return case_id


def _triggers(engine: Engine, case_id: int) -> list[str]:
    return [event.trigger for event in engine.history(case_id)]


def _resolution(engine: Engine, case_id: int) -> ClockStatus:
    return next(c for c in engine.clocks(case_id) if c.name == "resolution")


def test_the_customer_is_asked_where_the_conversation_went_in_their_language(
        engine: Engine, clock: Clock) -> None:
    public = _resolved(engine)
    private = _resolved(engine, private=True, author="@petra",
                        text="Polévka byla zase studená, už podruhé tento měsíc")
    clock.advance(days=2, minutes=-1)
    assert engine.tick() == []
    clock.advance(minutes=1)
    assert sorted((t.case_id, t.trigger, t.outcome) for t in engine.tick()) == [
        (public, "ask", "fired"), (private, "ask", "fired")]
    asked = {case_id: engine.history(case_id)[-1] for case_id in (public, private)}
    for case_id, event in asked.items():
        payload = event.payload or {}
        assert (event.trigger, event.by, event.dest) == ("follow_up", "timer", "followed_up")
        assert (payload["public"], payload["scale"], payload["ask"]) == (
            case_id == public, [1, 5], "csat")
        assert payload["channel"] == "instagram" and "5" in payload["text"]
    assert asked[public].payload["language"] == "en"  # type: ignore[index]
    assert asked[private].payload["language"] == "cs"  # type: ignore[index]
    assert "Jano" in asked[private].payload["text"]  # type: ignore[index]  # the vocative


def test_a_low_score_reopens_resumes_the_clock_raises_priority_and_tells_the_lead(
        engine: Engine, clock: Clock) -> None:
    case_id = _resolved(engine)
    left = _resolution(engine, case_id).left
    clock.advance(days=2)
    engine.tick()
    clock.advance(hours=3)
    answered = engine.record_answer(case_id, 2, text="Still cold. Nobody called.")
    assert (answered.trigger, answered.by) == ("answer", "@jana")
    assert answered.payload == {"score": 2, "scale": [1, 5], "text": "Still cold. Nobody called.",
                                "low": True, "priority": "high", "notify": ["lead"]}
    case = engine.case(case_id)
    assert (case.state, case.priority) == ("investigating", "high")
    resumed = _resolution(engine, case_id)
    assert resumed.mode == "running" and resumed.left == left  # where it stopped
    reopened = engine.history(case_id)[-1]
    assert (reopened.trigger, reopened.by, reopened.note) == (
        "reopen", "recovery", "answered 2 of 5")
    clock.advance(days=30)
    assert [t.trigger for t in engine.tick() if t.clock == "follow_up"] == []  # all cancelled


def test_a_good_score_closes_the_case_and_a_second_answer_is_refused(engine: Engine,
                                                                     clock: Clock) -> None:
    case_id = _resolved(engine)
    clock.advance(days=2)
    engine.tick()
    engine.record_answer(case_id, 4, by="eva")
    assert engine.case(case_id).state == "closed"
    with pytest.raises(InvalidInput, match="is 'closed': only a case asked how it went"):
        engine.record_answer(case_id, 1)
    assert _triggers(engine, case_id)[-2:] == ["answer", "close"]


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_off_the_scale_is_refused_and_nothing_is_written(engine: Engine, clock: Clock,
                                                                 score: int) -> None:
    case_id = _resolved(engine)
    clock.advance(days=2)
    engine.tick()
    version = engine.case(case_id).version
    with pytest.raises(InvalidInput, match="a score is 1 to 5"):
        engine.record_answer(case_id, score)
    assert engine.case(case_id).version == version


def test_a_case_not_yet_asked_takes_no_answer(engine: Engine) -> None:
    case_id = _resolved(engine)
    with pytest.raises(InvalidInput, match="is 'resolved': only a case asked how it went"):
        engine.record_answer(case_id, 5)


def test_an_answer_too_long_is_refused_and_nothing_is_written(engine: Engine,
                                                               clock: Clock) -> None:
    case_id = _resolved(engine)
    clock.advance(days=2)
    engine.tick()
    version = engine.case(case_id).version
    with pytest.raises(InvalidInput, match="the answer is 25,000 characters long; the most is "
                       "10,000"):
        engine.record_answer(case_id, 5, text="good " * 5000)
    assert engine.case(case_id).version == version


def test_no_answer_gets_one_reminder_then_a_quiet_close(engine: Engine, clock: Clock) -> None:
    case_id = _resolved(engine)
    clock.advance(days=2)
    engine.tick()
    clock.advance(days=2, hours=1)  # Saturday: the team is in from 11:00
    [reminded] = engine.tick()
    assert reminded.trigger == "remind"
    reminder = engine.history(case_id)[-1]
    assert reminder.trigger == "reminder" and "5" in (reminder.payload or {})["text"]
    assert engine.case(case_id).state == "followed_up"
    clock.advance(days=30)
    assert [t.trigger for t in engine.tick()] == ["close"]
    closed = engine.history(case_id)[-1]
    assert (closed.trigger, closed.by, closed.note, closed.dest) == (
        "close", "timer", "no answer", "closed")
    assert _triggers(engine, case_id).count("reminder") == 1


def test_a_customer_who_asked_not_to_be_contacted_is_neither_asked_nor_reminded(
        engine: Engine, clock: Clock) -> None:
    before = _resolved(engine)
    engine.do_not_contact(before, by="eva", reason="asked us to stop")
    after = _resolved(engine, author="@petr")
    clock.advance(days=2)
    engine.tick()
    closed = engine.history(before)[-1]
    assert (closed.trigger, (closed.payload or {})["reason"]) == ("close", "do_not_contact")
    assert engine.history(after)[-1].trigger == "follow_up"
    engine.do_not_contact(after, by="eva")  # asked already: no reminder then
    clock.advance(days=2, hours=1)
    [skipped] = engine.tick()
    assert (skipped.trigger, skipped.outcome) == ("remind", "skipped: do_not_contact")
    assert "reminder" not in _triggers(engine, after)


def test_a_remedy_waiting_for_a_lead_postpones_the_question(engine: Engine,
                                                            clock: Clock) -> None:
    case_id = engine.open_case("bikeshare", channel="twitter", author="@tomek",
                               text="Your bike tore my jeans").id
    for trigger in ("acknowledge", "investigate"):
        engine.fire(case_id, trigger, by="eva")
    engine.record_finding(case_id, "founded", root_cause="loose chain guard", by="eva")
    waiting = engine.offer_remedy(case_id, "voucher", 450, by="eva")
    engine.fire(case_id, "resolve", by="eva")
    clock.advance(days=5)
    [postponed] = engine.tick()
    assert postponed.outcome == "postponed: a remedy waits for a lead's approval"
    assert engine.case(case_id).state == "resolved"
    approved = engine.approve_remedy(waiting.id, by="petr")  # the case stays resolved
    assert approved.status == "issued" and engine.case(case_id).state == "resolved"
    clock.advance(days=5)
    assert [t.outcome for t in engine.tick()] == ["fired"]
    assert engine.history(case_id)[-1].trigger == "follow_up"


def test_a_person_does_not_fire_the_question(engine: Engine) -> None:
    case_id = _resolved(engine)
    with pytest.raises(InvalidInput, match="asks the follow-up by itself"):
        engine.fire(case_id, "follow_up", by="eva")


def test_each_step_is_taken_once_with_several_workers(engine: Engine, db_url: str,
                                                       clock: Clock) -> None:
    ids = [_resolved(engine, author=f"@c{n}") for n in range(12)]
    workers = [engine, Engine(db_url, workflows=WORKFLOWS, clock=clock)]
    for days in (2, 2, 30):  # ask, remind, close
        clock.advance(days=days)
        threads = [threading.Thread(target=worker.tick) for worker in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for case_id in ids:
        assert _triggers(engine, case_id)[-3:] == ["follow_up", "reminder", "close"]
    workers[1].close()


def test_two_answers_at_once_act_once(engine: Engine, db_url: str, clock: Clock) -> None:
    case_id = _resolved(engine)
    clock.advance(days=2)
    engine.tick()
    other = Engine(db_url, workflows=WORKFLOWS, clock=clock)
    outcomes = at_once([engine, other], lambda worker: worker.record_answer(
        case_id, 1 if worker is engine else 5))
    assert sorted(isinstance(outcome, RecoveryError) for outcome in outcomes) == [
        False, True], outcomes
    assert _triggers(engine, case_id).count("answer") == 1
    other.close()


def test_sampling_and_policy_choices_follow_the_flow_file(tmp_path: Path, db_url: str,
                                                          clock: Clock) -> None:
    brand = ("extends: default\nname: Sampled\nlanguages: [en]\nvoice: formal\n"
             "timezone: Europe/Prague\nhours:\n  mon-fri: ['09:00-17:00']\n"
             "channels:\n  twitter: {first_response: 1h, resolution: 1d}\n")
    folder = workflows_with(tmp_path / "w",
                            half=brand + "follow_up: {after: 1d, sample: 0.5, clock: calendar}\n",
                            never=brand + "follow_up: null\n")
    engine = Engine(db_url, workflows=folder, clock=clock)
    cases = []
    for n in range(40):
        case_id = engine.open_case("half", channel="twitter", author=f"@c{n}", text="Late").id
        engine.fire(case_id, "acknowledge", by="eva")
        engine.fire(case_id, "investigate", by="eva")
        engine.record_finding(case_id, "unfounded", by="eva")
        engine.fire(case_id, "resolve", by="eva")
        cases.append(case_id)
    clock.advance(hours=23)
    assert engine.tick() == []
    clock.advance(hours=1)  # a calendar clock: exactly one day later, nights included
    engine.tick()
    asked = {case_id for case_id in cases if engine.case(case_id).state == "followed_up"}
    assert asked == {case_id for case_id in cases if sampled("half", case_id, 0.5)}
    assert 0 < len(asked) < len(cases)
    left_out = next(case_id for case_id in cases if case_id not in asked)
    assert engine.history(left_out)[-1].payload["reason"] == "not sampled"  # type: ignore[index]
    manual = engine.open_case("never", channel="twitter", author="@x", text="Late").id
    for trigger in ("acknowledge", "investigate"):
        engine.fire(manual, trigger, by="eva")
    engine.record_finding(manual, "unfounded", by="eva")
    engine.fire(manual, "resolve", by="eva")
    assert [t for t in engine.timers(manual) if t.clock == "follow_up"] == []
    assert engine.fire(manual, "follow_up", by="eva").dest == "followed_up"  # by hand
    with pytest.raises(InvalidInput, match="does not follow up"):
        engine.record_answer(manual, 5)
    engine.close()


@given(st.text(min_size=1, max_size=12), st.integers(1, 10**9),
       st.floats(0.01, 1.0, allow_nan=False))
def test_sampling_is_decided_by_the_case_alone(brand: str, case_id: int, share: float) -> None:
    assert sampled(brand, case_id, share) == sampled(brand, case_id, share)
    if share >= 1:
        assert sampled(brand, case_id, share)
    assert sampled(brand, case_id, share) <= sampled(brand, case_id, min(1.0, share * 2))


def test_a_sample_share_asks_about_that_share() -> None:
    asked = sum(sampled("bistro", case_id, 0.3) for case_id in range(1, 5001))
    assert 1350 < asked < 1650


