"""The courier: posts the outbox's due deliveries to their webhook endpoints, signed, and records
what came of each try; a failed one is tried again later, backing off, until it is dead.

At least once: a delivery is marked delivered only after its endpoint answered 2xx, so a process
that dies in between posts it again, with the same delivery id. On PostgreSQL the rows being
posted stay locked (`FOR UPDATE SKIP LOCKED`), so several workers share the outbox and a
worker's death unlocks its rows; on SQLite one worker delivers (`worker.py` sees to it).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from recovery import limits
from recovery.delivery.routes import kind
from recovery.delivery.signing import sign
from recovery.errors import InvalidInput
from recovery.flows import Flow
from recovery.flows.webhooks import Webhook
from recovery.store import outbox_sql
from recovery.store.outbox_sql import DEAD, DELIVERED, PENDING, Parcel
from recovery.store.records import Delivery, Record

if TYPE_CHECKING:
    import httpx

BATCH = 100
"""Deliveries read (and, on PostgreSQL, locked) per round."""
ROUND = 2.0
"""Seconds a round goes on posting. On PostgreSQL its rows stay locked in one transaction
meanwhile, and the event feed holds back events committed after a transaction that is still
open (`store/feed.py`): a slow endpoint must not hold the feed for long. A round lasts at most
this plus one try (a try's timeout is at most 8 s)."""
JITTER = 0.2
"""A retry waits its backoff give or take this share, so endpoints are not hit in step."""
USER_AGENT = "recovery-webhooks/1"
ERROR = 300
"""The most of what went wrong a delivery keeps (a reason phrase is the receiver's text)."""

Stop = Callable[[], bool]
Transaction = Callable[[], AbstractContextManager[Connection]]
When = Callable[[datetime | None], datetime]


@dataclass(frozen=True)
class OutboxStats(Record):
    """How the outbox stands: deliveries per status and the age of the oldest pending one."""

    pending: int
    delivered: int
    dead: int
    oldest_pending: timedelta | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, the age in seconds."""
        age = self.oldest_pending
        return {"pending": self.pending, "delivered": self.delivered, "dead": self.dead,
                "oldest_pending_seconds": None if age is None else age.total_seconds()}


class Courier:
    """Delivers one engine's outbox and answers what is in it."""

    def __init__(self, flows: dict[str, Flow], read: Transaction, write: Transaction,
                 locking: bool, when: When) -> None:
        self._flows = flows
        self._when = when
        self._read = read
        self._write = write
        self._locking = locking
        self._client: httpx.Client | None = None

    def deliver(self, now: datetime | None = None, stop: Stop | None = None) -> list[Delivery]:
        """Post the deliveries due by `now` (one round of at most `BATCH`: call again while it
        returns some); returns each try's result. `stop` is asked before each post: when it
        says so, the rest wait for the next round."""
        now = self._when(now)
        if self._locking:
            with self._write() as conn:  # rows stay locked while they are posted
                tried = self._post_all(outbox_sql.due(conn, now, BATCH, lock=True), now, stop)
                outbox_sql.settle(conn, tried)
            return tried
        with self._read() as conn:
            parcels = outbox_sql.due(conn, now, BATCH, lock=False)
        tried = self._post_all(parcels, now, stop)
        if tried:
            with self._write() as conn:
                outbox_sql.settle(conn, tried)
        return tried

    def deliveries(self, status: str | None = None, limit: int = 100,
                   ids: list[int] | None = None) -> list[Delivery]:
        """Deliveries with that status (pending, delivered, dead; all if None), oldest first;
        or those with `ids`."""
        if status not in (None, PENDING, DELIVERED, DEAD):
            raise InvalidInput(f"no status '{status}'; use {PENDING}, {DELIVERED} or {DEAD}")
        with self._read() as conn:
            return outbox_sql.listing(conn, status, limits.rows(limit), _ids(ids) or [])

    def retry(self, ids: list[int] | None = None, now: datetime | None = None) -> int:
        """Make dead deliveries pending again, due `now`, attempts counted afresh (those with
        `ids`, or every dead one); returns how many. One that is not dead is left alone."""
        when = self._when(now)
        with self._write() as conn:
            return outbox_sql.revive(conn, when, _ids(ids))

    def stats(self, now: datetime | None = None) -> OutboxStats:
        """Pending, delivered and dead deliveries, and how long the oldest pending one waits."""
        now = self._when(now)
        with self._read() as conn:
            found, oldest = outbox_sql.counts(conn)
        return OutboxStats(found[PENDING], found[DELIVERED], found[DEAD],
                           None if oldest is None else max(now - oldest, timedelta(0)))

    def close(self) -> None:
        """Close the HTTP connections kept open between posts."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _post_all(self, parcels: list[Parcel], now: datetime,
                  stop: Stop | None) -> list[Delivery]:
        """Post the parcels in order until `stop` says so or the round has taken `ROUND`
        seconds (the rest wait for the next round)."""
        tried: list[Delivery] = []
        until = time.monotonic() + ROUND
        for parcel in parcels:
            if (stop is not None and stop()) or (tried and time.monotonic() > until):
                break
            tried.append(self._try(parcel, now))
        return tried

    def _try(self, parcel: Parcel, now: datetime) -> Delivery:
        """Post one delivery; the delivery as it stands afterwards."""
        delivery = parcel.delivery
        hook = self._hook(delivery)
        if hook is None:
            return replace(delivery, status=DEAD, last_error=(
                f"{delivery.endpoint} is no longer a webhook of {delivery.brand}'s flow file; "
                "put it back, then retry the delivery"))
        error = self._post(parcel, hook, now)
        attempts = delivery.attempts + 1
        if error is None:
            return replace(delivery, status=DELIVERED, attempts=attempts, last_error=None,
                           delivered_at=now)
        if attempts >= hook.attempts:
            return replace(delivery, status=DEAD, attempts=attempts, last_error=error)
        wait = hook.backoff * 2 ** (attempts - 1) * random.uniform(1 - JITTER, 1 + JITTER)
        return replace(delivery, status=PENDING, attempts=attempts, last_error=error,
                       next_at=now + wait)

    def _hook(self, delivery: Delivery) -> Webhook | None:
        flow = self._flows.get(delivery.brand)
        hooks = flow.settings.webhooks if flow is not None else []
        return next((hook for hook in hooks if hook.url == delivery.endpoint), None)

    def _post(self, parcel: Parcel, hook: Webhook, now: datetime) -> str | None:
        """POST the parcel; None when the endpoint took it (2xx), else what went wrong."""
        secret = os.environ.get(hook.secret_env)
        if not secret:
            return f"{hook.secret_env} is not set in the worker's environment"
        body = self.body(parcel)
        stamp = int(now.timestamp())
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "X-Recovery-Delivery": parcel.delivery.delivery_id,
                   "X-Recovery-Timestamp": str(stamp),
                   "X-Recovery-Signature": sign(secret, stamp, body)}
        seconds = hook.timeout
        import httpx  # here: 55 ms to import, paid only by a process that delivers

        if self._client is None:
            self._client = httpx.Client(follow_redirects=False)
        try:
            answer = self._client.post(hook.url, content=body, headers=headers,
                                       timeout=httpx.Timeout(seconds))
        except httpx.TimeoutException:
            return f"no answer within {seconds:g} s"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:ERROR]
        if 200 <= answer.status_code < 300:
            return None
        return f"HTTP {answer.status_code} {answer.reason_phrase}".strip()[:ERROR]

    def body(self, parcel: Parcel) -> bytes:
        """The JSON a delivery posts: its id, the event, and the case as it stands."""
        event = parcel.event
        flow = self._flows[parcel.delivery.brand]
        document = {"delivery_id": parcel.delivery.delivery_id, "event": {
            "id": parcel.event_id, "case_id": event.case_id, "seq": event.seq,
            "brand": parcel.delivery.brand, "kind": kind(flow, event),
            "trigger": event.trigger, "from": event.source, "to": event.dest,
            "at": event.at.isoformat(), "by": event.by, "note": event.note,
            "payload": event.payload}, "case": parcel.case}
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False,
                          default=str).encode()


def _ids(ids: Iterable[int] | None) -> list[int] | None:
    """Delivery ids checked (None stays None: no choice made)."""
    if ids is None:
        return None
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise InvalidInput(f"ids is a list of delivery ids, not {type(ids).__name__}")
    return [limits.ident(i, "delivery") for i in ids]
