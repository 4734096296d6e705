"""What the subscribers are told: every event and notice once, after the transaction that wrote
it commits, whichever room of the engine wrote it; nothing of a change that was refused."""

from __future__ import annotations

from collections import Counter

import pytest

from recovery import Engine, Event, Notice, TriggerNotAllowed
from tests.conftest import Clock


def test_every_committed_event_is_told_once_whichever_room_wrote_it(engine: Engine,
                                                                     clock: Clock) -> None:
    heard: list[Event | Notice] = []
    engine.subscribe(heard.append)
    soup = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup").id
    incident = engine.incidents.open("bistro", title="card payments are failing", by="petr",
                                     channels=["twitter"], keywords=["card"]).id
    card = engine.open_case("bistro", channel="twitter", author="@ola",
                            text="My card was refused twice").id
    engine.reply(soup, template="acknowledge", by="eva", fire="acknowledge")
    engine.reply(card, template="acknowledge", by="eva", fire="acknowledge")
    engine.incidents.link(incident, [card], by="eva")
    clock.advance(hours=30)
    engine.tick()  # the resolution clocks warn and breach
    engine.update_reach(soup, {"shares": 60}, by="eva")
    engine.incidents.resolve(incident, root_cause="a faulty terminal", by="petr")  # moves card
    engine.fire(soup, "investigate", by="eva")
    engine.record_finding(soup, "founded", root_cause="soup waits at the pass", by="eva")
    engine.offer_remedy(soup, "coupon", 1, by="eva")
    engine.fire(soup, "resolve", by="eva")
    clock.advance(days=4)
    engine.tick()  # the follow-up is asked
    engine.record_answer(soup, 5, text="All good now")
    engine.redact(soup, 1, by="petr", reason="the customer asked")
    engine.moderate(card, post="tw-9", rule="spam", author="@ads", by="eva")
    with pytest.raises(TriggerNotAllowed):
        engine.fire(card, "reopen", by="eva")  # refused: nothing is told

    told = [(item.case_id, item.seq) for item in heard if isinstance(item, Event)]
    written = [(event.case_id, event.seq) for case_id in (soup, card)
               for event in engine.history(case_id)]
    assert Counter(told) == Counter(written)  # each once, none of the refused change
    triggers = {item.trigger for item in heard if isinstance(item, Event)}
    assert {"resolution.breach", "record_finding", "follow_up", "hide", "redact"} <= triggers
    kinds = Counter(item.kind for item in heard if isinstance(item, Notice))
    assert kinds["incident_announce"] == kinds["incident_resolve"] > 0
