"""`recovery import`: cases from another helpdesk with their history, idempotent by external
id; a bad line is reported with its number and the rest go in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recovery import Engine, InvalidInput
from recovery.signals import read
from tests.conftest import Clock

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def line(n: int, **changes: object) -> str:
    """One case, acknowledged 20 minutes after it came in, then investigated."""
    at = OPENED + timedelta(hours=n)
    case: dict[str, object] = {
        "external_id": f"zd-{n}", "brand": "bistro", "channel": "instagram",
        "opened_at": at.isoformat(), "author": f"@guest{n}", "text": "The soup was cold.",
        "events": [{"trigger": "acknowledge", "at": (at + timedelta(minutes=20)).isoformat(),
                    "by": "eva"},
                   {"trigger": "investigate", "at": (at + timedelta(hours=1)).isoformat(),
                    "by": "eva", "note": "asked the kitchen"}]}
    case.update(changes)
    return json.dumps(case)


def test_cases_come_with_their_history_replayed_through_the_flow(engine: Engine) -> None:
    done = engine.import_cases([line(1), line(2, language="en")])
    assert (done.imported, done.existing, done.bad) == (2, 0, [])
    [second, first] = engine.cases(brand="bistro")
    assert first.external_id == "zd-1" and first.state == "investigating"
    assert first.opened_at == OPENED + timedelta(hours=1)
    history = engine.history(first.id)
    assert [(e.trigger, e.by, e.at) for e in history] == [
        ("open", "@guest1", OPENED + timedelta(hours=1)),
        ("acknowledge", "eva", OPENED + timedelta(hours=1, minutes=20)),
        ("investigate", "eva", OPENED + timedelta(hours=2))]
    assert history[2].note == "asked the kitchen"
    first_response = {c.name: c for c in engine.clocks(first.id)}["first_response"]
    assert first_response.mode == "stopped" and not first_response.breached  # acknowledged
    assert second.language == "en"
    reading = history[0].payload["reading"]  # type: ignore[index]
    assert (first.language, reading["language"]) == ("en", "en")  # detected with the batch
    alone = read("The soup was cold.", engine.flow("bistro").audience).as_payload()
    assert reading["confidence"] < 1 and reading == alone
    assert engine.outbox.stats().pending == 0 and engine.audit().ok


def test_importing_again_leaves_what_is_there_and_takes_what_is_new(engine: Engine) -> None:
    engine.import_cases([line(1)])
    done = engine.import_cases([line(1), line(2), line(2)])
    assert (done.imported, done.existing, done.bad) == (1, 2, [])
    assert len(engine.cases(brand="bistro")) == 2


def test_a_line_whose_external_id_is_another_complaints_is_a_bad_line(engine: Engine) -> None:
    engine.import_cases([line(1)])
    done = engine.import_cases([line(1, text="The waiter was rude."), line(1), line(2),
                                line(2, author="@someone")])
    assert (done.imported, done.existing) == (1, 1)
    second = engine.case_for("bistro", "zd-2")
    assert second is not None and second.author == "@guest2"
    assert [(number, text.split(";")[0]) for number, text in done.bad] == [
        (1, "the external id 'zd-1' is case 1's, a complaint with another text"),
        (4, f"the external id 'zd-2' is case {second.id}'s, a complaint with another author")]
    assert engine.case(1).text == "The soup was cold."


def test_a_case_twice_in_a_file_goes_in_once_even_when_its_first_line_is_bad(
        engine: Engine) -> None:
    refused = line(1, events=[{"trigger": "resolve", "by": "eva",
                               "at": (OPENED + timedelta(hours=2)).isoformat()}])
    done = engine.import_cases([refused, line(1), line(1), line(2)])
    assert (done.imported, done.existing, [n for n, _ in done.bad]) == (2, 1, [1])
    assert [c.external_id for c in engine.cases(brand="bistro")] == ["zd-2", "zd-1"]


def test_a_bad_line_is_reported_by_number_and_the_rest_go_in(engine: Engine) -> None:
    lines = [line(1), "{not json", line(3, brand="nobody"), line(4, opened_at="yesterday"),
             "", line(6, events=[{"trigger": "resolve", "by": "eva",
                                  "at": (OPENED + timedelta(hours=7)).isoformat()}]),
             line(7, events=[{"trigger": "acknowledge", "at": "2026-11-01T00:00:00+00:00",
                              "by": "eva"}]),
             b"\xff\xfe", "[1, 2]", line(10, colour="red"), line(11),
             json.dumps({"external_id": "zd-12", "brand": "bistro",
                         **{f"x{n}": n for n in range(7)}})]
    done = engine.import_cases(lines)
    assert done.imported == 2
    bad = dict(done.bad)
    assert sorted(bad) == [2, 3, 4, 6, 7, 8, 9, 10, 12]
    assert bad[12] == ("channel, opened_at, author, text: Field required; x0, x1, x2, x3, x4 "
                       "and 2 more: Extra inputs are not permitted")
    assert bad[2].startswith("not JSON")
    assert bad[3].startswith("no brand 'nobody'")
    assert bad[4].startswith("opened_at: ")
    assert bad[6] == ("events.0 (resolve): 'resolve' is not allowed from state 'new' "
                      "(allowed: acknowledge)")
    assert bad[7].startswith("events.0 (acknowledge): ") and "before" in bad[7]
    assert bad[8] == "not UTF-8 at byte 0"
    assert bad[9].startswith("a line is one JSON object")
    assert bad[10].startswith("colour: ")
    assert [c.external_id for c in engine.cases(brand="bistro")] == ["zd-11", "zd-1"]
    assert engine.audit().ok


def test_the_import_command(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "cases.jsonl"
    file.write_text("\n".join([line(1), line(2), "oops"]) + "\n")
    done = run("import", str(file))
    assert done.exit_code == 2
    assert done.stdout.strip() == "imported 2 case(s); 0 already here; 1 bad line(s)"
    assert done.stderr == f"error: {file}:3: not JSON: Expecting value at column 1\n"
    again = run("import", str(file), "--json")
    assert json.loads(again.stdout) == {"imported": 0, "existing": 2, "bad": [
        {"line": 3, "error": "not JSON: Expecting value at column 1"}]}
    missing = run("import", str(tmp_path / "none.jsonl"))
    assert missing.exit_code == 2 and missing.stderr.startswith("error: cannot read ")


def test_a_bad_case_in_a_batch_leaves_the_rest_of_the_batch_in(db_url: str,
                                                               clock: Clock) -> None:
    from recovery import importer
    from tests.conftest import WORKFLOWS

    engine = Engine(db_url, workflows=WORKFLOWS, clock=clock)
    lines = [line(n) for n in range(importer.BATCH + 3)]
    lines[importer.BATCH - 1] = line(999, events=[{"trigger": "close", "by": "eva", "at": (
        OPENED + timedelta(hours=1000)).isoformat()}])
    done = engine.import_cases(lines)
    assert done.imported == importer.BATCH + 2 and [n for n, _ in done.bad] == [importer.BATCH]
    engine.close()


def test_two_imports_of_one_file_at_once_bring_each_case_once(
        db_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read the batch before either writes it: each finds no case there, one writes them
    all, the other's insert fails and it writes the batch again case by case, finding each."""
    import threading

    from recovery import importer
    from tests.conftest import WORKFLOWS

    Engine(db_url, workflows=WORKFLOWS, clock=clock).close()  # the schema, made once
    both_read = threading.Barrier(2, timeout=30)
    write = importer.Importer._write

    def read_then_write(self, batch, counts, bad):  # type: ignore[no-untyped-def]
        both_read.wait()
        write(self, batch, counts, bad)

    monkeypatch.setattr(importer.Importer, "_write", read_then_write)
    lines = [line(n, language="en") for n in range(300)]
    engines = [Engine(db_url, workflows=WORKFLOWS, clock=clock) for _ in range(2)]
    done: list[object] = []
    threads = [threading.Thread(target=lambda made=made: done.append(made.import_cases(lines)))
               for made in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((d.imported, d.existing, d.bad) for d in done) == [  # type: ignore[attr-defined]
        (0, 300, []), (300, 0, [])]
    external = [str(case.external_id) for case in engines[0].cases(brand="bistro", limit=1000)]
    assert sorted(external) == sorted(f"zd-{n}" for n in range(300))
    assert engines[0].audit().ok
    for made in engines:
        made.close()


def test_a_helpdesk_may_hand_over_parsed_objects_or_a_whole_text(engine: Engine) -> None:
    done = engine.import_cases([json.loads(line(1)), None, 7, line(4).encode()])
    assert (done.imported, done.bad) == (2, [
        (2, "a line is JSON text, bytes or a mapping, not NoneType"),
        (3, "a line is JSON text, bytes or a mapping, not int")])
    assert engine.import_cases(line(1) + "\n\n" + line(5) + "\n").imported == 1  # 1 is here
    assert engine.import_cases(json.loads(line(6))).imported == 1  # one object: one case
    assert engine.import_cases([{"external_id": "zd-9", "brand": "bistro"}]).bad == [
        (1, "channel, opened_at, author, text: Field required")]
    with pytest.raises(InvalidInput, match=r"import takes lines .* not NoneType"):
        engine.import_cases(None)  # type: ignore[arg-type]
