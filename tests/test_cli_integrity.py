"""`recovery audit verify` and `recovery case redact` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text


def test_audit_verify_and_redact(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
               "--text", "Cold soup; call me on 777 123 456").exit_code == 0
    assert run("case", "fire", "1", "acknowledge", "--by", "eva", "--note",
               "called 777 123 456").exit_code == 0
    verified = run("audit", "verify")
    assert (verified.exit_code, verified.stdout) == (0, "1 case(s), 2 event(s) verified\n")
    redacted = run("case", "redact", "1", "--event", "2", "--reason", "a phone number",
                   "--by", "lead")
    assert redacted.stdout == "case 1: event #2 redacted (note); recorded as #3\n"
    shown = " ".join(run("case", "show", "1").stdout.split())
    assert "redaction of #2 (note)" in shown and "called 777 123 456" not in shown
    again = run("case", "redact", "1", "--event", "2", "--reason", "again", "--by", "lead")
    assert again.exit_code == 2 and "was redacted already" in again.stderr
    assert json.loads(run("audit", "verify", "--json").stdout)["ok"] is True
    db = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.begin() as conn:  # someone with the file and no scruples
        conn.execute(text("DROP TRIGGER recovery_events_no_update"))
        conn.execute(text("UPDATE recovery_events SET by = 'mallory' WHERE seq = 1"))
    db.dispose()
    broken = run("audit", "verify", "--brand", "bistro")
    assert broken.exit_code == 1
    assert " ".join(broken.stdout.split()) == (
        "case 1: event #1 (open) is not what was written: its content or the chain before it "
        "was changed 1 case(s), 3 event(s) checked, 1 broken")


def test_a_case_in_a_state_its_flow_dropped_is_named_as_such(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
               "--text", "Cold soup").exit_code == 0
    db = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.begin() as conn:  # as if a changed flow file had removed the state it is in
        conn.execute(text("UPDATE recovery_cases SET state = 'tasting' WHERE id = 1"))
    db.dispose()
    fired = run("case", "fire", "1", "acknowledge", "--by", "eva")
    assert fired.exit_code == 7
    assert "case 1 is in state 'tasting', which bistro's flow no longer has" in fired.stderr
    assert "closed" not in fired.stderr
    validated = run("flow", "validate")
    assert validated.exit_code == 0
    assert ("warning: 1 case(s) of bistro sit in state 'tasting', which its flow no longer "
            "has") in validated.stderr


def test_a_failing_timer_is_listed_and_the_tick_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for author in ("@jana", "@petr"):
        assert run("case", "open", "bistro", "--channel", "instagram", "--author", author,
                   "--text", "Cold soup", "--at", "2026-12-01T10:00Z").exit_code == 0
    db = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.begin() as conn:
        conn.execute(text("UPDATE recovery_cases SET state = 'tasting' WHERE id = 1"))
    db.dispose()
    ticked = run("tick", "--now", "2026-12-03T10:00Z")
    assert ticked.exit_code == 8
    assert "timer(s) failed and will be tried again; `recovery timers --failed`" in ticked.stderr
    assert "fired" in ticked.stdout  # case 2's clocks still warned and breached
    failed = json.loads(run("timers", "--failed", "--json").stdout)
    assert failed and {timer["case_id"] for timer in failed} == {1}
    assert all(timer["attempts"] == 1 and "tasting" in timer["last_error"] for timer in failed)
    listed = " ".join(run("timers", "--failed").stdout.split())
    assert "failed timer(s)" in listed and "tasting" in listed


def test_a_tick_that_fires_more_than_a_screenful_counts_them(run) -> None:  # type: ignore[no-untyped-def]
    from recovery.cli.timers import SCREENFUL

    for n in range(SCREENFUL // 2 + 1):  # each breaches two clocks' warning and breach
        assert run("case", "open", "bistro", "--channel", "instagram", "--author",
                   f"@guest{n}", "--text", "Cold soup").exit_code == 0
    ticked = run("tick", "--now", "2026-12-05T12:00Z")
    assert ticked.exit_code == 0, ticked.output
    rows = [line.replace("│", " ").replace("┃", " ").split()
            for line in ticked.stdout.splitlines()]
    assert ["trigger", "outcome", "timers"] in rows  # counted, not one row a timer
    assert ["first_response.breach", "fired", "21"] in rows
