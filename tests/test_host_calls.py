"""What a host meets first when it calls the engine: ids of the wrong type named as such, an
external id that means one complaint, and an engine warmed before it serves; on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest

from recovery import Engine, InvalidInput, KeyReused, NotFound
from tests.conftest import WORKFLOWS, Clock, at_once


def _open(engine: Engine, brand: str = "bistro", **extra: str) -> int:
    channel = extra.pop("channel", "facebook")
    return engine.open_case(brand, channel=channel, author="@jana", text="Cold soup", **extra).id


def test_an_id_of_another_type_says_which_type_an_id_is(engine: Engine) -> None:
    case_id = _open(engine)
    calls = [lambda: engine.case("1"), lambda: engine.fire("1", "acknowledge", by="eva"),  # type: ignore[arg-type]
             lambda: engine.history("1"), lambda: engine.clocks("1"),  # type: ignore[arg-type]
             lambda: engine.allowed_triggers("1"), lambda: engine.remedy("1"),  # type: ignore[arg-type]
             lambda: engine.incidents.get("1")]  # type: ignore[arg-type]
    for call in calls:
        with pytest.raises(InvalidInput, match=r"id is a whole number \(int\), not str '1'"):
            call()
    with pytest.raises(InvalidInput, match=r"a case id is a whole number \(int\), not float"):
        engine.case(1.0)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="no case 2"):
        engine.case(case_id + 1)


def test_an_external_id_reused_for_another_complaint_is_refused_naming_its_case(
        engine: Engine, db_url: str, clock: Clock) -> None:
    first = _open(engine, external_id="fb-1")
    with pytest.raises(KeyReused, match=r"is case 1's, a complaint with another author and "
                                        r"text") as refused:
        engine.open_case("bistro", channel="facebook", author="@ola", text="Wrong table",
                         external_id="fb-1")
    assert (refused.value.key, refused.value.existing) == ("fb-1", first)
    assert isinstance(refused.value, InvalidInput) and len(engine.cases()) == 1
    assert engine.open_case("bistro", channel="facebook", author=" @jana", text="Cold soup ",
                            external_id="fb-1").id == first  # the same post, as stored
    engine.redact(first, 1, by="petr", reason="the customer asked us to erase it")
    assert _open(engine, external_id="fb-1") == first  # a redacted complaint still answers
    others = [Engine(db_url, workflows=WORKFLOWS, clock=clock) for _ in range(2)]
    texts = iter(["Cold soup", "Rude waiter"])
    raced = at_once(others, lambda other: other.open_case(
        "bistro", channel="facebook", author="@iva", text=next(texts), external_id="fb-2"))
    assert sorted(type(result).__name__ for result in raced) == ["Case", "KeyReused"]
    assert len(engine.cases()) == 2
    for other in others:
        other.close()


def test_warming_loads_what_the_first_complaint_needs_and_writes_nothing(
        db_url: str, clock: Clock) -> None:
    from recovery.replies.lemmas import table
    from recovery.signals.language import _detector

    _detector.cache_clear()
    table.cache_clear()
    engine = Engine(db_url, workflows=WORKFLOWS, clock=clock, warm=True)
    served = {language for brand in engine.brands
              for language in engine.flow(brand).audience.serves}
    assert _detector.cache_info().currsize >= 1
    assert table.cache_info().currsize >= len(served)  # each served language's lemmas
    loaded = (_detector.cache_info().currsize, table.cache_info().currsize)
    engine.warm()  # again: nothing more to load, nothing written
    assert (_detector.cache_info().currsize, table.cache_info().currsize) == loaded
    assert engine.cases() == [] and engine.events() == [] and engine.pending_timers() == []
    case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
    engine.reply(case.id, text="So sorry, Jana: a fresh soup is on its way.", by="eva")
    assert engine.case(case.id).language == "en"
    assert (_detector.cache_info().currsize, table.cache_info().currsize) == loaded  # warm
    engine.close()
