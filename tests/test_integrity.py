"""A history that proves itself, on SQLite and PostgreSQL: each case's events chained by hash
and verified, the database refusing to replace, truncate or change them (a redaction aside),
redaction that keeps the chain, and tampering found with the case and its first bad event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from recovery import Engine, InvalidInput, NotFound

from .conftest import WORKFLOWS, Clock, at_once, old_database
from .test_checkpoint import _rechain


def _lived(engine: Engine) -> int:
    case_id = engine.open_case("bistro", channel="instagram", author="@jana",
                               name="Jana Nováková",
                               text="Cold soup again; I live at Dlouhá 5, Praha").id
    engine.reply(case_id, text="Jana, we are sorry: the soup should have been hot. Please send "
                 "us a private message.", by="eva", fire="acknowledge", override="test")
    engine.fire(case_id, "investigate", by="eva", note="called her on +420 777 123 456")
    engine.record_finding(case_id, "founded", root_cause="soup waits at the pass", by="eva")
    return case_id


def _raw(db_url: str, *statements: str) -> None:
    sa = create_engine(db_url)
    try:
        with sa.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        sa.dispose()


def test_every_history_verifies_and_counts(engine: Engine) -> None:
    first = _lived(engine)
    _lived(engine)
    audit = engine.audit()
    assert (audit.ok, audit.cases, audit.events, audit.broken) == (True, 2, 10, [])
    assert engine.audit(case_id=first).events == len(engine.history(first))
    assert engine.audit(brand="bistro").cases == 2 and engine.audit(brand="eshop").cases == 0


@pytest.mark.parametrize("statement", [
    "UPDATE recovery_events SET by = 'mallory' WHERE seq = 2",
    "DELETE FROM recovery_events WHERE seq = 3",
    # a redaction that changes anything but the text is no redaction
    "UPDATE recovery_events SET redacted_at = at, content_hash = 'x', by = 'mallory' "
    "WHERE seq = 2",
])
def test_the_database_refuses_to_change_history(engine: Engine, db_url: str,
                                                statement: str) -> None:
    _lived(engine)
    with pytest.raises(Exception, match="append-only"):
        _raw(db_url, statement)
    assert engine.audit().ok


@pytest.mark.parametrize("statement", [
    "INSERT OR REPLACE INTO recovery_events (id, case_id, seq, at, by, \"trigger\", dest) "
    "SELECT id, case_id, seq, at, 'mallory', \"trigger\", dest FROM recovery_events WHERE seq = 2",
    "REPLACE INTO recovery_remedy_entries (id, remedy_id, seq, kind, by, at) "
    "SELECT id, remedy_id, seq, 'voided', 'mallory', at FROM recovery_remedy_entries",
    "TRUNCATE recovery_events CASCADE", "TRUNCATE recovery_remedy_entries",
    "TRUNCATE recovery_cases CASCADE",
])
def test_the_database_refuses_to_replace_or_truncate_history(engine: Engine, db_url: str,
                                                             statement: str) -> None:
    replaces = statement.startswith(("INSERT OR REPLACE", "REPLACE"))
    if replaces != db_url.startswith("sqlite"):
        pytest.skip("REPLACE is SQLite's, TRUNCATE PostgreSQL's")
    case_id = _lived(engine)
    engine.offer_remedy(case_id, "coupon", 1, by="eva")  # a ledger entry to replace
    with pytest.raises(Exception, match="append-only"):
        _raw(db_url, statement)
    assert engine.audit().ok and engine.case(case_id).version == 6
    assert len(engine.remedies(case_id=case_id)) == 1


def test_tampering_past_the_database_is_found_with_its_first_bad_event(
        engine: Engine, db_url: str) -> None:
    changed, cut, intact = _lived(engine), _lived(engine), _lived(engine)
    if db_url.startswith("sqlite"):
        drop = ["DROP TRIGGER recovery_events_no_update", "DROP TRIGGER recovery_events_no_delete"]
    else:
        drop = ["ALTER TABLE recovery_events DISABLE TRIGGER recovery_events_append_only"]
    _raw(db_url, *drop,
         f"UPDATE recovery_events SET note = 'nothing happened' WHERE case_id = {changed} "
         "AND seq = 4",
         f"DELETE FROM recovery_events WHERE case_id = {cut} AND seq = 5")
    audit = engine.audit()
    assert not audit.ok and audit.cases == 3
    assert [(b.case_id, b.seq) for b in audit.broken] == [(changed, 4), (cut, 5)]
    assert "event #4 (investigate) is not what was written" in audit.broken[0].problem
    assert "at version 5 but its history ends at #4" in audit.broken[1].problem
    assert engine.audit(case_id=intact).ok


def test_redaction_blanks_the_text_records_who_and_why_and_keeps_the_chain(
        engine: Engine) -> None:
    case_id = _lived(engine)
    redacted = engine.redact(case_id, 4, by="lead", reason="a phone number in a note")
    assert (redacted.trigger, redacted.by, redacted.note) == (
        "redact", "lead", "a phone number in a note")
    assert redacted.payload == {"event": 4, "fields": ["note"],
                                "reason": "a phone number in a note", "role": "anyone"}
    assert engine.history(case_id)[3].note == "[redacted]"
    engine.redact(case_id, 2, by="lead", reason="the customer asked")
    assert engine.history(case_id)[1].payload["text"] == "[redacted]"  # type: ignore[index]
    engine.redact(case_id, 1, by="lead", reason="an address in the complaint")
    case = engine.case(case_id)
    assert (case.text, case.name, case.author) == ("[redacted]", None, "@jana")
    assert engine.audit().ok and engine.audit().events == 8


REWRITES = [  # a redaction's marks, with other text written instead of the marker
    "note = 'she was rude to us'",
    "note = '[redacted]', payload = '{\"text\": \"all fine, thanks\"}'",
    "payload = '{\"text\": \"[redacted]\", \"public\": false}'",  # another field changed
    "payload = NULL",  # the whole payload wiped
]


@pytest.mark.parametrize("change", REWRITES)
def test_the_database_lets_a_redaction_only_blank_to_the_marker(engine: Engine, db_url: str,
                                                                change: str) -> None:
    case_id = _lived(engine)
    marks = (f"redacted_at = CURRENT_TIMESTAMP, content_hash = '{'0' * 64}'")
    with pytest.raises(Exception, match="append-only"):
        _raw(db_url, f"UPDATE recovery_events SET {change}, {marks} WHERE case_id = {case_id} "
             "AND seq = 2")
    engine.redact(case_id, 2, by="lead", reason="the customer asked")  # the one way allowed
    assert engine.history(case_id)[1].payload["text"] == "[redacted]"  # type: ignore[index]
    assert engine.audit().ok


def test_a_redaction_is_checked_by_who_made_it_and_what_it_blanked(
        engine: Engine, db_url: str) -> None:
    from recovery import PolicyViolation

    case_id = engine.open_case("bikeshare", channel="instagram", author="@ola",
                               text="Rower 1042 bez łańcucha, mój numer 600 100 200").id
    with pytest.raises(PolicyViolation, match="only a lead of bikeshare redacts a history; "
                       "'eva' is not one"):
        engine.redact(case_id, 1, by="eva", reason="a phone number")
    redaction = engine.redact(case_id, 1, by="petr", reason="a phone number")  # a lead
    assert redaction.payload["role"] == "lead" and engine.audit().ok  # type: ignore[index]
    if db_url.startswith("sqlite"):
        drop = ["DROP TRIGGER recovery_events_no_update"]
    else:
        drop = ["ALTER TABLE recovery_events DISABLE TRIGGER recovery_events_append_only"]
    forged = json.dumps({**(redaction.payload or {}), "role": "agent"})
    _raw(db_url, *drop, f"UPDATE recovery_events SET payload = '{forged}' WHERE case_id = "
         f"{case_id} AND seq = 2")  # as if an agent had redacted it, the chain made again
    _rechain(db_url, case_id)
    [broken] = engine.audit().broken
    assert (broken.seq, broken.problem) == (2, "redaction #2 was made by 'petr', who may not "
                                               "redact")


def test_a_forged_redaction_is_found(engine: Engine, db_url: str) -> None:
    case_id = _lived(engine)
    engine.redact(case_id, 4, by="lead", reason="a phone number in a note")
    if db_url.startswith("sqlite"):
        drop = ["DROP TRIGGER recovery_events_no_update"]
    else:
        drop = ["ALTER TABLE recovery_events DISABLE TRIGGER recovery_events_append_only"]
    _raw(db_url, *drop, f"UPDATE recovery_events SET note = 'she was rude to us' WHERE "
         f"case_id = {case_id} AND seq = 4")  # blanked text rewritten past the database
    [broken] = engine.audit().broken
    assert (broken.seq, broken.problem) == (
        4, "event #4 was blanked to something else than [redacted]")


def test_what_cannot_be_redacted_is_refused_in_one_line(engine: Engine) -> None:
    case_id = _lived(engine)
    engine.redact(case_id, 4, by="lead", reason="phone")
    for event, reason, message in [
            (4, "again", "was redacted already"), (6, "x", "is a redaction"),
            (3, "x", "holds no text to redact"), (2, " ", "say why the text is redacted")]:
        with pytest.raises(InvalidInput, match=message):
            engine.redact(case_id, event, by="lead", reason=reason)
    with pytest.raises(NotFound, match="has no event #99"):
        engine.redact(case_id, 99, by="lead", reason="x")
    assert engine.audit().ok


def test_a_database_written_before_the_chain_gets_it_at_upgrade(tmp_path: Path,
                                                                clock: Clock) -> None:
    url = old_database(
        tmp_path / "old.db", "0004",
        "INSERT INTO cases (id, brand, channel, author, text, state, version, opened_at, "
        "updated_at) VALUES (1, 'bistro', 'twitter', '@jana', 'Cold soup', 'acknowledged', 2, "
        "'2026-11-01 10:00:00', '2026-11-01 10:05:00')",
        "INSERT INTO events (case_id, seq, at, by, \"trigger\", dest, payload) "
        "VALUES (1, 1, '2026-11-01 10:00:00', '@jana', 'open', 'new', '{\"channel\": "
        "\"twitter\"}')",
        "INSERT INTO events (case_id, seq, at, by, \"trigger\", source, dest, note) "
        "VALUES (1, 2, '2026-11-01 10:05:00', 'eva', 'acknowledge', 'new', 'acknowledged', "
        "'sorry')")
    engine = Engine(url, workflows=WORKFLOWS, clock=clock)
    assert engine.audit().ok and engine.audit().events == 2
    engine.fire(1, "investigate", by="eva")
    assert engine.audit().events == 3 and engine.audit().ok
    engine.close()


def test_engines_opening_a_new_database_at_once_all_open_it(db_url: str) -> None:
    outcomes = at_once([db_url] * 4, lambda url: Engine(url, workflows=WORKFLOWS))
    assert all(isinstance(outcome, Engine) for outcome in outcomes), outcomes
    for engine in outcomes:
        assert isinstance(engine, Engine)
        engine.close()


def test_a_terminal_that_cannot_show_the_text_gets_escapes_after_the_save(
        tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from recovery.cli import main; main()",
               "--db", f"sqlite:///{tmp_path / 'a.db'}", "--workflows", str(WORKFLOWS),
               "case", "open", "bistro", "--channel", "instagram", "--author", "@jaňa",
               "--text", "Polévka 🍲 studená"]
    done = subprocess.run(command, capture_output=True, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert b"@ja\\u0148a" in done.stdout
    engine = Engine(f"sqlite:///{tmp_path / 'a.db'}", workflows=WORKFLOWS)
    assert [case.author for case in engine.cases()] == ["@jaňa"]
    engine.close()
