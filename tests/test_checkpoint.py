"""A history anchored outside the database, on SQLite and PostgreSQL: a checkpoint of every
case's chain head, signed with a key the database never holds, catches what someone with write
access to the database can do that the chain alone cannot: cut a history and lower the case's
version, edit an event and recompute the chain after it, delete and renumber, forge a
redaction over an earlier event."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from recovery import Engine, InvalidInput
from recovery.checkpoint import new_key, read
from recovery.cli import app
from recovery.clock import as_utc
from recovery.store.chain import GENESIS, content_hash, link
from recovery.store.tables import events

from .conftest import WORKFLOWS


def _lived(engine: Engine) -> int:
    case_id = engine.open_case("bistro", channel="instagram", author="@jana",
                               text="Cold soup again").id
    engine.fire(case_id, "acknowledge", by="eva", note="said sorry in public")
    engine.fire(case_id, "investigate", by="eva", note="asked the kitchen")
    engine.record_finding(case_id, "founded", root_cause="soup waits at the pass", by="eva")
    return case_id


def _unguarded(db_url: str, *statements: str) -> None:
    """Run statements as someone with write access who switched the guards off."""
    sa = create_engine(db_url)
    off = (["DROP TRIGGER IF EXISTS recovery_events_no_update",
            "DROP TRIGGER IF EXISTS recovery_events_no_delete"] if db_url.startswith("sqlite")
           else ["ALTER TABLE recovery_events DISABLE TRIGGER USER"])
    try:
        with sa.begin() as conn:
            for statement in [*off, *statements]:
                conn.execute(text(statement))
    finally:
        sa.dispose()


def _rechain(db_url: str, case_id: int) -> None:  # also used by test_integrity
    """Recompute the case's chain after an edit, as a careful forger would."""
    sa = create_engine(db_url)
    try:
        with sa.begin() as conn:
            head = GENESIS
            for row in conn.execute(events.select().where(events.c.case_id == case_id)
                                    .order_by(events.c.seq)):
                head = link(head, content_hash(row.case_id, row.seq, as_utc(row.at), row.by,
                                               row.trigger, row.source, row.dest, row.note,
                                               row.payload))
                conn.execute(events.update().where(events.c.id == row.id)
                             .values(chain_hash=head))
    finally:
        sa.dispose()


@pytest.fixture
def signed(engine: Engine) -> tuple[list[int], object, str]:
    cases = [_lived(engine) for _ in range(4)]
    private, public = new_key()
    return cases, engine.checkpoint(private), public


def test_a_checkpoint_catches_what_the_chain_alone_cannot(
        engine: Engine, db_url: str, signed: tuple[list[int], object, str]) -> None:
    (cut, edited, renumbered, intact), checkpoint, _public = signed
    _unguarded(db_url,
               f"DELETE FROM recovery_events WHERE case_id = {cut} AND seq = 4",
               f"UPDATE recovery_cases SET version = 3 WHERE id = {cut}",
               f"UPDATE recovery_events SET note = 'nothing was said' WHERE case_id = {edited} "
               "AND seq = 2",
               f"DELETE FROM recovery_events WHERE case_id = {renumbered} AND seq = 2",
               f"UPDATE recovery_events SET seq = seq - 1 WHERE case_id = {renumbered} AND "
               "seq > 2",
               f"UPDATE recovery_cases SET version = 3 WHERE id = {renumbered}")
    for case_id in (edited, renumbered):
        _rechain(db_url, case_id)
    assert engine.audit().ok  # the chain alone: every history "verifies"
    audit = engine.audit(checkpoint=checkpoint)  # type: ignore[arg-type]
    found = {item.case_id: item.problem for item in audit.broken}
    assert set(found) == {cut, edited, renumbered}
    assert "is at version 3, but the checkpoint of" in found[cut]
    assert "its history was cut" in found[cut]
    assert "does not hash to the head the checkpoint" in found[edited]
    assert "is at version 3, but" in found[renumbered]
    assert engine.audit(case_id=intact, checkpoint=checkpoint).ok  # type: ignore[arg-type]


def test_a_forged_redaction_over_an_earlier_event_is_found(
        engine: Engine, db_url: str, signed: tuple[list[int], object, str]) -> None:
    (forged, *_rest), checkpoint, _public = signed
    _unguarded(db_url,
               "UPDATE recovery_events SET note = 'she apologised to us', "
               "redacted_at = CURRENT_TIMESTAMP, content_hash = 'x' "
               f"WHERE case_id = {forged} AND seq = 2")
    assert not engine.audit().ok
    assert not engine.audit(checkpoint=checkpoint).ok  # type: ignore[arg-type]


def test_the_cli_writes_and_checks_a_checkpoint_signed_outside_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    engine = Engine(db, workflows=WORKFLOWS)
    case_id = _lived(engine)
    last = engine.case(case_id).version
    engine.close()

    def run(*args: str) -> object:
        return CliRunner().invoke(app, ["--db", db, "--workflows", str(WORKFLOWS), *args])

    keys = run("audit", "keygen")
    assert keys.exit_code == 0  # type: ignore[attr-defined]
    pair = dict(line.split("=", 1) for line in keys.stdout.split())  # type: ignore[attr-defined]
    assert set(pair) == {"RECOVERY_AUDIT_KEY", "RECOVERY_AUDIT_PUBLIC_KEY"}
    refused = run("audit", "checkpoint", "--out", str(tmp_path / "cp.json"))
    assert refused.exit_code != 0 and "set RECOVERY_AUDIT_KEY" in refused.output  # type: ignore[attr-defined]
    monkeypatch.setenv("RECOVERY_AUDIT_KEY", pair["RECOVERY_AUDIT_KEY"])
    monkeypatch.setenv("RECOVERY_AUDIT_PUBLIC_KEY", pair["RECOVERY_AUDIT_PUBLIC_KEY"])
    written = run("audit", "checkpoint", "--out", str(tmp_path / "cp.json"))
    assert written.exit_code == 0 and "checkpoint of 1 case(s)" in written.stdout  # type: ignore[attr-defined]
    assert run("audit", "verify", "--checkpoint", str(tmp_path / "cp.json")).exit_code == 0  # type: ignore[attr-defined]
    by_worker = run("--drill", "worker", "--once", "--checkpoint", str(tmp_path / "w.json"))
    assert by_worker.exit_code == 0, by_worker.output  # type: ignore[attr-defined]
    assert run("audit", "verify", "--checkpoint", str(tmp_path / "w.json")).exit_code == 0  # type: ignore[attr-defined]
    _unguarded(db, f"DELETE FROM recovery_events WHERE case_id = {case_id} AND seq = {last}",
               f"UPDATE recovery_cases SET version = {last - 1} WHERE id = {case_id}")
    assert run("audit", "verify").exit_code == 0  # type: ignore[attr-defined]  # chain alone
    caught = run("audit", "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert caught.exit_code == 1  # type: ignore[attr-defined]
    assert f"case {case_id}: the case is at version {last - 1}" in caught.stdout  # type: ignore[attr-defined]
    other = new_key()[1]
    with pytest.raises(InvalidInput, match="not signed by the key given"):
        read(tmp_path / "cp.json", other)
    (tmp_path / "cp.json").write_text((tmp_path / "cp.json").read_text().replace(
        f'"version": {last}', f'"version": {last - 1}'))
    with pytest.raises(InvalidInput, match="not signed by the key given"):
        read(tmp_path / "cp.json", pair["RECOVERY_AUDIT_PUBLIC_KEY"])


def test_a_checkpoint_is_posted_to_an_endpoint_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`audit checkpoint --post URL` and `worker --checkpoint-post URL` POST the checkpoint,
    signed as a Standard Webhook (the receiver's own verifier checks it); an endpoint that
    refuses it is one line and exit 1, the file kept."""
    import json

    from tests.receiver import Receiver
    from tests.test_outbox import SECRET

    db = f"sqlite:///{tmp_path / 'c.db'}"
    engine = Engine(db, workflows=WORKFLOWS)
    _lived(engine)
    engine.close()
    monkeypatch.setenv("RECOVERY_AUDIT_KEY", new_key()[0])

    def run(*args: str) -> object:
        return CliRunner().invoke(app, ["--db", db, "--workflows", str(WORKFLOWS), *args])

    with Receiver(SECRET) as receiver:
        unset = run("audit", "checkpoint", "--out", str(tmp_path / "cp.json"),
                    "--post", receiver.url)
        assert unset.exit_code != 0 and "RECOVERY_CHECKPOINT_SECRET" in unset.output  # type: ignore[attr-defined]
        monkeypatch.setenv("RECOVERY_CHECKPOINT_SECRET", SECRET)
        posted = run("audit", "checkpoint", "--out", str(tmp_path / "cp.json"),
                     "--post", receiver.url)
        assert posted.exit_code == 0, posted.output  # type: ignore[attr-defined]
        by_worker = run("--drill", "worker", "--once", "--checkpoint", str(tmp_path / "w.json"),
                        "--checkpoint-post", receiver.url)
        assert by_worker.exit_code == 0, by_worker.output  # type: ignore[attr-defined]
        assert [got.signed for got in receiver.got] == [True, True]
        assert receiver.got[0].body == json.loads((tmp_path / "cp.json").read_text())
        assert receiver.got[1].body == json.loads((tmp_path / "w.json").read_text())
        assert receiver.got[0].delivery_id != receiver.got[1].delivery_id
        receiver.status = 500
        refused = run("audit", "checkpoint", "--out", str(tmp_path / "again.json"),
                      "--post", receiver.url)
        assert refused.exit_code == 1  # type: ignore[attr-defined]
        assert "HTTP 500" in refused.output and (tmp_path / "again.json").exists()  # type: ignore[attr-defined]
