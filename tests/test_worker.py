"""The worker as an operator runs it: a real process, a real HTTP receiver that fails a share of
requests and answers others too slowly, SIGTERM, a second worker on SQLite, and workers killed
-9 at random moments (one on SQLite, three at once on PostgreSQL; forked from one process that
imported the engine, `tests/forks.py`). At the end every event has
been received at least once, signed; repeats carry the same delivery id; each case's events
arrived in order; nothing is pending; and the histories verify."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from recovery import Engine
from recovery.cli import app
from recovery.worker import alone
from tests.conftest import Clock, until
from tests.forks import Forks
from tests.receiver import Receiver
from tests.test_outbox import SECRET, hook, hooked

RECOVERY = [sys.executable, "-c", "from recovery.cli import main; main()"]


def _worker(db: str, folder: Path, now: str, *more: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*RECOVERY, "--db", db, "--workflows", str(folder), "--now", now,
                             "--drill", "worker", "--interval", "0.05", *more],
                            env=_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


_ENV = {**os.environ, "BISTRO_HOOK_SECRET": SECRET}


def _cases(engine: Engine, count: int) -> list[int]:
    """Cases with a few events each; half resolved, the others left to breach their clocks."""
    ids = []
    for n in range(count):
        case_id = engine.open_case("bistro", channel="instagram", author=f"@guest{n}",
                                   text="Cold soup again").id
        engine.fire(case_id, "acknowledge", by="eva")
        engine.fire(case_id, "investigate", by="eva")
        if n % 2:
            engine.record_finding(case_id, "founded", root_cause="slow pass", by="eva")
            engine.fire(case_id, "resolve", by="eva")
        ids.append(case_id)
    return ids


@pytest.mark.parametrize("workers", [1, 3])
def test_workers_killed_at_random_deliver_every_event_once_or_again_in_order(
        db_url: str, clock: Clock, tmp_path: Path, workers: int) -> None:
    if workers > 1 and not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one worker at a time")
    with Receiver(SECRET, failing=0.25, slow=0.1, delay=0.8, seed=workers) as receiver:
        folder = hooked(tmp_path / "wf", hook(receiver.url, ", backoff: 1m, attempts: 50, "
                                              "timeout: 0.4"))
        engine = Engine(db_url, workflows=folder, clock=clock)
        ids = _cases(engine, 8)  # 24 to 32 events: kills land mid-way, and a run stays short
        rng = random.Random(workers)
        with Forks(_ENV, tmp_path) as forks:
            for round_ in range(40):  # kill workers at random moments, time moving on
                now = (clock.now + timedelta(minutes=30 * round_)).isoformat()
                running = [forks.start("worker", "--db", db_url, "--workflows", str(folder),
                                       "--now", now, "--drill", "worker", "--interval", "0.05")
                           for _ in range(workers)]
                for child in running:  # once all are at work, let them work a moment
                    assert child.first_line()
                time.sleep(rng.uniform(0.05, 1.0))  # a random moment to kill them at
                for child in running:
                    child.kill()  # SIGKILL: mid-post, mid-transaction or not
                if round_ >= 4 and engine.outbox.stats().pending == 0:
                    break
        assert receiver.got and receiver.refused  # the endpoint failed some, took others
        receiver.failing = receiver.slow = 0.0
        late = (clock.now + timedelta(days=60)).isoformat()
        for _ in range(5):  # whatever still waits goes at the next rounds
            finished = _worker(db_url, folder, late, "--once")
            assert finished.wait(timeout=120) == 0
            if engine.outbox.stats().pending == 0:
                break
        stats = engine.outbox.stats()
        assert (stats.pending, stats.dead) == (0, 0)
        events = {(case_id, event.seq) for case_id in ids for event in engine.history(case_id)}
        assert any("." in event.trigger for case_id in ids
                   for event in engine.history(case_id))  # timers fired in the workers too
        ids_of: dict[tuple[int, int], set[str]] = defaultdict(set)
        arrivals: dict[int, list[int]] = defaultdict(list)
        for got in receiver.got:
            assert got.signed
            key = (got.body["event"]["case_id"], got.body["event"]["seq"])
            ids_of[key].add(got.delivery_id)
            arrivals[key[0]].append(key[1])
        assert set(ids_of) == events  # every event received
        assert len(receiver.got) > len(events)  # some came again (a slow answer, a kill)
        assert all(len(found) == 1 for found in ids_of.values())  # repeats: the same id
        for seqs in arrivals.values():  # in order: a repeat may come again, never a step back
            assert seqs == sorted(seqs), seqs
        assert engine.audit().ok
        engine.close()


@pytest.mark.parametrize("workers", [1, 3])
def test_a_kill_posts_again_at_most_what_was_in_flight(db_url: str, clock: Clock,
                                                       tmp_path: Path, workers: int) -> None:
    if workers > 1 and not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one worker at a time")
    with Receiver(SECRET, slow=1.0, delay=0.05) as receiver:  # every answer takes a moment
        folder = hooked(tmp_path / "wf", hook(receiver.url, ", timeout: 5"))
        engine = Engine(db_url, workflows=folder, clock=clock)
        ids = _cases(engine, 8)
        total = engine.outbox.stats().pending
        rng, kills, left = random.Random(7), 0, [total]
        with Forks(_ENV, tmp_path) as forks:
            while left[-1] and kills < 40 * workers:
                running = [forks.start("courier", db_url, str(folder)) for _ in range(workers)]
                for child in running:
                    assert child.first_line() == "ready"
                time.sleep(rng.uniform(0.1, 0.6))  # a random moment to kill them at
                for child in running:
                    child.kill()  # SIGKILL: mid-post or not
                    kills += 1
                left.append(engine.outbox.stats().pending)
        assert any(0 < count < total for count in left), left  # the kills came mid-way
        assert _worker(db_url, folder, clock.now.isoformat(), "--once").wait(timeout=120) == 0
        assert engine.outbox.stats().pending == 0
        events = {(case_id, event.seq) for case_id in ids for event in engine.history(case_id)}
        taken = [(got.body["event"]["case_id"], got.body["event"]["seq"]) for got in receiver.got]
        assert set(taken) == events and len(events) == total
        again = len(taken) - len(events)  # each kill re-posts at most the post it interrupted
        assert again <= kills, (again, kills)
        engine.close()


def test_sigterm_finishes_the_post_in_flight_and_exits_0(tmp_path: Path, clock: Clock) -> None:
    db = f"sqlite:///{tmp_path / 'care.db'}"
    with Receiver(SECRET, slow=1.0, delay=1.0) as receiver:
        folder = hooked(tmp_path / "wf", hook(receiver.url, ", timeout: 5"))
        engine = Engine(db, workflows=folder, clock=clock)
        _cases(engine, 3)
        worker = _worker(db, folder, clock.now.isoformat())
        assert worker.stderr is not None and b" started " in worker.stderr.readline()
        until(lambda: receiver.got, "the first post")  # in flight: the receiver takes 1 s
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
        lines = worker.stderr.read().decode().splitlines()
        assert lines[-1].split()[2] == "stopped"
        assert [line.split()[2] for line in lines[:-1]] == ["delivery"]
        assert 'status="delivered"' in lines[0]
        stats = engine.outbox.stats()
        assert stats.delivered == 1 and stats.pending > 0  # the rest wait for the next worker
        engine.close()


def test_a_second_worker_on_sqlite_says_so_and_exits(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'care.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "db", "init"]).exit_code == 0
    with alone(db):
        second = runner.invoke(app, ["--db", db, "worker", "--once"])
    assert second.exit_code == 2
    assert second.stderr.startswith("error: another worker already runs on ")
    assert len(second.stderr.splitlines()) == 1
    assert runner.invoke(app, ["--db", db, "worker", "--once"]).exit_code == 0


def test_a_round_the_database_refuses_is_logged_and_tried_again(
        caplog: pytest.LogCaptureFixture) -> None:
    from recovery.errors import StorageError
    from recovery.worker import Worker

    class Flaky:
        """An engine whose database is away for the first round."""

        def __init__(self) -> None:
            self.rounds = 0
            self.outbox = self

        def tick(self, stop: object = None) -> list[object]:
            self.rounds += 1
            if self.rounds == 1:
                raise StorageError("cannot connect to the database: connection refused")
            if self.rounds == 3:
                worker.stop()
            return []

        def deliver(self, stop: object = None, within: object = None) -> list[object]:
            return []

    flaky = Flaky()
    worker = Worker(flaky, interval=0.01)  # type: ignore[arg-type]
    with caplog.at_level("INFO", logger="recovery.worker"):
        worker.run()
    assert flaky.rounds == 3
    assert [r.getMessage() for r in caplog.records] == ["started", "round", "stopped"]
    assert caplog.records[1].levelname == "ERROR"
    with pytest.raises(StorageError):  # --once: the command ends with the error
        Worker(Flaky(), interval=0.01).run(once=True)  # type: ignore[arg-type]


def _until_listening(db_url: str) -> None:
    """Wait until a session of the database listens for new deliveries."""
    listening = text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                     "current_database() AND query = 'LISTEN recovery_outbox' AND "
                     "state = 'idle'")
    sa = create_engine(db_url)
    with sa.connect() as conn:
        def heard() -> object:
            conn.rollback()  # pg_stat_activity as it is now, not as the transaction began
            return conn.execute(listening).scalar()

        until(heard, "the worker to listen")
    sa.dispose()


def test_on_postgresql_a_new_delivery_wakes_the_worker_before_its_interval(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no LISTEN/NOTIFY: its worker polls")
    with Receiver(SECRET) as receiver:
        folder = hooked(tmp_path / "wf", hook(receiver.url))
        engine = Engine(db_url, workflows=folder, clock=clock)
        later = (clock.now + timedelta(days=1)).isoformat()
        worker = _worker(db_url, folder, later, "--interval", "600")  # it would poll in 10 min
        assert worker.stderr is not None and b" started " in worker.stderr.readline()
        _until_listening(db_url)  # it has done its first round and waits on the channel
        engine.open_case("bistro", channel="instagram", author="@jana", text="Cold soup")
        until(lambda: receiver.got, "the delivery, long before the 10-minute poll")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
        assert receiver.got[0].body["event"]["kind"] == "opened"
        engine.close()
