"""The worker: runs until stopped, firing due timers (what `tick` does) and delivering the
webhook outbox, polling at an interval. Asked to stop (SIGTERM, Ctrl-C), it finishes the timer
or delivery in flight and returns. It logs one line per action; a round the database refuses
is logged and tried again after the interval (with `--once`, it ends the command).

Several workers may share a PostgreSQL database (timers and deliveries are claimed with
`FOR UPDATE SKIP LOCKED`), and a new outbox row wakes them (LISTEN/NOTIFY). On SQLite one
worker runs at a time: it holds an OS lock on a file beside the database, which the system
frees even when the worker is killed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from recovery.delivery.courier import ROUND
from recovery.engine import Engine
from recovery.errors import InvalidInput, RecoveryError
from recovery.store.db import database_file
from recovery.store.records import Delivery, Timer

log = logging.getLogger("recovery.worker")
SLICE = 1.0
"""The longest one wait for a notice lasts, so a worker asked to stop is gone within it."""


class Worker:
    """Runs an engine's timers and outbox in rounds until `stop()`."""

    def __init__(self, engine: Engine, interval: float = 5.0,
                 wake: Listener | None = None, checkpoint: Callable[[], str] | None = None,
                 every: float = 3600.0) -> None:
        self._engine = engine
        self._interval = interval
        self._stopping = threading.Event()
        self._wake = wake
        self._checkpoint = checkpoint
        """Writes a signed checkpoint of every chain head (`recovery.checkpoint`); where."""
        self._every = every
        self._last = float("-inf")
        self._bound: float | None = ROUND
        """Seconds a round delivers for (None: all that is due, for `--once`)."""

    def stop(self) -> None:
        """Finish what is in flight, then return from `run` (safe from a signal handler)."""
        self._stopping.set()

    def stopping(self) -> bool:
        """Whether the worker was asked to stop."""
        return self._stopping.is_set()

    def run(self, once: bool = False) -> None:
        """Work in rounds, waiting `interval` seconds after a round with nothing to do, until
        stopped; with `once`, one round. Time is the engine's clock."""
        log.info("started", extra={"fields": {"once": once, "interval": self._interval}})
        self._bound = None if once else ROUND  # one round from cron delivers all that is due
        while not self.stopping():
            try:
                busy = self.round()
            except RecoveryError as exc:  # the database is away: say so, try again later
                log.error("round", extra={"fields": {"error": str(exc).splitlines()[0]}})
                if once:
                    raise
                busy = 0
            self._anchor()
            if once:
                break
            if not busy:
                self._idle()
        log.info("stopped", extra={"fields": {}})

    def _anchor(self) -> None:
        """Write a checkpoint when `every` seconds have passed since the last."""
        if self._checkpoint is None or time.monotonic() - self._last < self._every:
            return
        self._last = time.monotonic()  # a failed one is tried again at the next interval
        try:
            where = self._checkpoint()
        except (RecoveryError, OSError) as exc:
            log.error("checkpoint", extra={"fields": {"error": str(exc).splitlines()[0]}})
            return
        log.info("checkpoint", extra={"fields": {"file": where}})

    def _idle(self) -> None:
        """Wait `interval` seconds, or less: until asked to stop, or (on PostgreSQL) until a
        new outbox row is written."""
        if self._wake is None:
            self._stopping.wait(self._interval)
            return
        until = time.monotonic() + self._interval
        while not self.stopping() and (left := until - time.monotonic()) > 0:
            if self._wake.wait(min(left, SLICE)):
                return

    def round(self) -> int:
        """Fire the due timers, then deliver what is due; returns how many actions it took."""
        actions = 0
        for timer in self._engine.tick(stop=self.stopping):
            actions += 1
            _log_timer(timer)
        if not self.stopping():  # for about `ROUND` seconds, then timers first (`--once`: all)
            tried = self._engine.outbox.deliver(stop=self.stopping, within=self._bound)
            for delivery in tried:
                _log_delivery(delivery)
            actions += len(tried)
        return actions


class Listener:
    """PostgreSQL: hears the `recovery_outbox` notice a new outbox row sends (migration 0009)
    on a connection of its own, so a webhook goes out at once instead of at the next poll."""

    def __init__(self, db: str) -> None:
        import psycopg  # here: PostgreSQL only

        url = make_url(db).set(drivername="postgresql")
        self._db = url.render_as_string(hide_password=False)
        self._psycopg = psycopg
        self._conn: Any = None

    def wait(self, seconds: float) -> bool:
        """Whether a notice came within `seconds`. A connection that fails is opened again at
        the next wait; meanwhile the worker polls, as on SQLite."""
        try:
            if self._conn is None:
                self._conn = self._psycopg.connect(self._db, autocommit=True)
                self._conn.execute("LISTEN recovery_outbox")
            return any(True for _ in self._conn.notifies(timeout=seconds, stop_after=1))
        except self._psycopg.Error as exc:
            log.warning("listen", extra={"fields": {"error": str(exc).splitlines()[0]}})
            self.close()
            time.sleep(seconds)
            return False

    def close(self) -> None:
        """Close the listening connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def listener(db: str) -> Listener | None:
    """A `Listener` for a PostgreSQL database; None for another kind (the worker polls)."""
    try:
        postgres = make_url(db).get_backend_name() == "postgresql"
    except ArgumentError:
        return None
    return Listener(db) if postgres else None


def _log_timer(timer: Timer) -> None:
    fields = {"timer": timer.id, "case": timer.case_id, "trigger": timer.trigger,
              "clock": timer.clock, "outcome": timer.outcome}
    level = logging.WARNING if timer.fired_at is None else logging.INFO
    log.log(level, "timer", extra={"fields": fields})


def _log_delivery(delivery: Delivery) -> None:
    fields = {"delivery": delivery.id, "delivery_id": delivery.delivery_id,
              "case": delivery.case_id, "seq": delivery.seq, "endpoint": delivery.endpoint,
              "status": delivery.status, "attempts": delivery.attempts,
              "error": delivery.last_error}
    if delivery.status == "pending":
        fields["next_at"] = delivery.next_at.isoformat()
    level = logging.INFO if delivery.status == "delivered" else logging.WARNING
    log.log(level, "delivery", extra={"fields": fields})


class Lines(logging.Formatter):
    """One line per record: `time level action key=value …`, or a JSON object."""

    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self._json = as_json

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line."""
        fields: dict[str, Any] = dict(getattr(record, "fields", {}))
        at = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info).splitlines()[-1]
        if self._json:
            return json.dumps({"at": at, "level": record.levelname.lower(),
                               "action": record.getMessage(), **fields}, default=str)
        words = " ".join(f"{key}={json.dumps(value, default=str)}" for key, value in
                         fields.items() if value is not None)
        return f"{at} {record.levelname.lower()} {record.getMessage()} {words}".rstrip()


def logging_to(stream: IO[str], as_json: bool) -> None:
    """Send the engine's and the worker's log lines to `stream`, one line each."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Lines(as_json))
    root = logging.getLogger("recovery")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


@contextmanager
def alone(db: str) -> Iterator[None]:
    """On SQLite, hold the lock that lets one worker run at a time; a second is refused."""
    path = database_file(db)
    if path is None:
        yield
        return
    import fcntl  # POSIX; the worker's lock is what keeps two SQLite workers apart

    lock = path.with_name(path.name + ".worker")
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InvalidInput(f"another worker already runs on {path} (SQLite takes one at a "
                               "time); stop it first, or move to PostgreSQL to run several"
                               ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

