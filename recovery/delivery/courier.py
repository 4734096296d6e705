"""The courier: posts the outbox's due deliveries to their webhook endpoints, signed as Standard
Webhooks, and records what came of each try as soon as its answer comes; a failed one is tried
again later, backing off, until it is dead.

At least once: a delivery is marked delivered only after its endpoint answered 2xx, so a process
that dies in between posts it again, with the same delivery id, and only that one (each
delivery is settled in its own transaction). On PostgreSQL a delivery being posted stays locked
(`FOR UPDATE SKIP LOCKED`), so several workers share the outbox and a worker's death unlocks
it; on SQLite one worker delivers (`worker.py` sees to it). A receiver's answer is honoured:
410 Gone stops the endpoint's deliveries until they are retried, `Retry-After` on 429 and 503
is waited out.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from recovery import limits
from recovery.delivery.routes import kind
from recovery.delivery.signing import BadSecret, headers
from recovery.errors import InvalidInput
from recovery.flows import Flow
from recovery.flows.webhooks import Webhook
from recovery.store import outbox_sql
from recovery.store.outbox_sql import DEAD, DELIVERED, GONE, PENDING, Parcel
from recovery.store.records import Delivery, Record

if TYPE_CHECKING:
    import httpx

BATCH = 100
"""Deliveries read per look at the outbox (each then posted and settled on its own)."""
ROUND = 2.0
"""Seconds the worker posts in a round before it fires its timers again (a call lasts at most
this plus one try: a try's timeout is at most 8 s)."""
JITTER = 0.2
"""A retry waits its backoff give or take this share, so endpoints are not hit in step."""
ERROR = 300
"""The most of what went wrong a delivery keeps (a reason phrase is the receiver's text)."""
WAIT = "; asked to wait "
"""What a delivery's error says when its endpoint answered with a `Retry-After`."""
LONGEST_WAIT = timedelta(days=1)
"""The most a `Retry-After` is waited (a receiver asking for more is asked again then)."""


@dataclass(frozen=True)
class Answer:
    """What came of one post: None for an error when the endpoint took it; `gone` when it
    answered 410; `wait` the `Retry-After` of a 429 or 503."""

    error: str | None
    gone: bool = False
    wait: timedelta | None = None


Stop = Callable[[], bool]
Transaction = Callable[[], AbstractContextManager[Connection]]
When = Callable[[datetime | None], datetime]


@dataclass(frozen=True)
class OutboxStats(Record):
    """How the outbox stands: deliveries per status, the age of the oldest pending one, and
    the endpoints that said they are gone (410: their deliveries wait, dead, for a retry)."""

    pending: int
    delivered: int
    dead: int
    oldest_pending: timedelta | None
    gone: list[str]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, the age in seconds."""
        age = self.oldest_pending
        return {"pending": self.pending, "delivered": self.delivered, "dead": self.dead,
                "oldest_pending_seconds": None if age is None else age.total_seconds(),
                "gone": self.gone}


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

    def deliver(self, now: datetime | None = None, stop: Stop | None = None,
                within: float | None = None) -> list[Delivery]:
        """Post every delivery due by `now` (each try then dated by the clock as it goes,
        unless `now` is given), a case's events to an endpoint in order (the next once the one
        before is delivered), each recorded as soon as its answer comes; returns each try's
        result. An endpoint that says it is gone (410) or asks to wait (429, 503) gets no more
        posts in the call. `stop` is asked before each post, and `within` seconds bound the
        call: the rest wait for the next call."""
        fixed = now is not None
        due_by = self._when(now)
        tried: list[Delivery] = []
        seen: set[tuple[int, int]] = set()
        paused: set[str] = set()  # endpoints that said gone or wait, in this call
        until = None if within is None else time.monotonic() + within
        while True:
            with self._read() as conn:
                parcels = [parcel for parcel in outbox_sql.due(conn, due_by, BATCH)
                           if (parcel.delivery.id, parcel.delivery.attempts) not in seen]
            if not parcels:
                return tried
            for parcel in parcels:
                if (stop is not None and stop()) or (until is not None and tried
                                                     and time.monotonic() > until):
                    return tried
                seen.add((parcel.delivery.id, parcel.delivery.attempts))
                if parcel.delivery.endpoint in paused:
                    continue
                done = self._one(parcel, due_by if fixed else self._when(None))
                if done is None:
                    continue
                tried.append(done)
                said = done.last_error or ""
                if said.startswith(GONE) or WAIT in said:
                    paused.add(done.endpoint)

    def _one(self, parcel: Parcel, now: datetime) -> Delivery | None:
        """Post one delivery and record what came of it, in a transaction of its own (on
        PostgreSQL holding the delivery's row while it is posted; None when another worker
        has it). An endpoint that said it is gone has its other deliveries stopped after."""
        if self._locking:
            with self._write() as conn:
                if not outbox_sql.claim(conn, parcel.delivery.id, now):
                    return None
                done = self._try(parcel, now)
                outbox_sql.settle(conn, [done])
        else:
            done = self._try(parcel, now)
            with self._write() as conn:
                outbox_sql.settle(conn, [done])
        said = done.last_error or ""
        if done.status == DEAD and said.startswith(GONE):
            with self._write() as conn:  # its own transaction: rows others post are skipped
                outbox_sql.gone(conn, done.endpoint, said.removeprefix(GONE), self._locking)
        return done

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
        """Pending, delivered and dead deliveries, how long the oldest pending one waits, and
        the endpoints that said they are gone."""
        now = self._when(now)
        with self._read() as conn:
            found, oldest = outbox_sql.counts(conn)
            gone = outbox_sql.gone_endpoints(conn)
        return OutboxStats(found[PENDING], found[DELIVERED], found[DEAD],
                           None if oldest is None else max(now - oldest, timedelta(0)), gone)

    def close(self) -> None:
        """Close the HTTP connections kept open between posts."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _try(self, parcel: Parcel, now: datetime) -> Delivery:
        """Post one delivery; the delivery as it stands afterwards."""
        delivery = parcel.delivery
        hook = self._hook(delivery)
        if hook is None:
            return replace(delivery, status=DEAD, last_error=(
                f"{delivery.endpoint} is no longer a webhook of {delivery.brand}'s flow file; "
                "put it back, then retry the delivery"))
        answer = self._post(parcel, hook)
        attempts = delivery.attempts + 1
        if answer.error is None:
            return replace(delivery, status=DELIVERED, attempts=attempts, last_error=None,
                           delivered_at=now)
        if answer.gone:
            return replace(delivery, status=DEAD, attempts=attempts,
                           last_error=GONE + answer.error)
        if attempts >= hook.attempts:
            return replace(delivery, status=DEAD, attempts=attempts, last_error=answer.error)
        wait = hook.backoff * 2 ** (attempts - 1) * random.uniform(1 - JITTER, 1 + JITTER)
        if answer.wait is not None:
            wait = max(wait, answer.wait)
        return replace(delivery, status=PENDING, attempts=attempts, last_error=answer.error,
                       next_at=now + wait)

    def _hook(self, delivery: Delivery) -> Webhook | None:
        flow = self._flows.get(delivery.brand)
        hooks = flow.settings.webhooks if flow is not None else []
        return next((hook for hook in hooks if hook.url == delivery.endpoint), None)

    def _post(self, parcel: Parcel, hook: Webhook) -> Answer:
        """POST the parcel, signed with each of the endpoint's secrets, stamped with the time
        it is sent."""
        secrets = os.environ.get(hook.secret_env)
        if not secrets or not secrets.strip():
            return Answer(f"{hook.secret_env} is not set in the worker's environment")
        body = self.body(parcel)
        try:
            signed = headers(secrets, parcel.delivery.delivery_id, body, int(time.time()))
        except BadSecret as exc:
            return Answer(f"{hook.secret_env}: {exc}")
        seconds = hook.timeout
        import httpx  # here: 55 ms to import, paid only by a process that delivers

        if self._client is None:
            self._client = httpx.Client(follow_redirects=False)
        try:
            answer = self._client.post(hook.url, content=body, headers=signed,
                                       timeout=httpx.Timeout(seconds))
        except httpx.TimeoutException:
            return Answer(f"no answer within {seconds:g} s")
        except httpx.HTTPError as exc:
            return Answer(f"{type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''}"[:ERROR])
        code = answer.status_code
        if 200 <= code < 300:
            return Answer(None)
        said = f"HTTP {code} {answer.reason_phrase}".strip()[:ERROR]
        if code == 410:
            return Answer(said + ": the endpoint says it is gone; retry its deliveries once "
                          "it is back", gone=True)
        later = _retry_after(answer.headers.get("Retry-After")) if code in (429, 503) else None
        return Answer(said + (f"{WAIT}{later}" if later else ""), wait=later)

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


def _retry_after(said: str | None) -> timedelta | None:
    """A `Retry-After` header's wait: seconds, or an HTTP date; at most `LONGEST_WAIT`. A
    value that is neither is no wait at all (the backoff holds)."""
    said = (said or "").strip()
    if not said or len(said) > 64:
        return None
    if said.isascii() and said.isdigit():
        return min(timedelta(seconds=min(int(said), LONGEST_WAIT.total_seconds())),
                   LONGEST_WAIT)
    try:
        when = parsedate_to_datetime(said)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when - datetime.now(tz=UTC), timedelta(0)), LONGEST_WAIT)


def _ids(ids: Iterable[int] | None) -> list[int] | None:
    """Delivery ids checked (None stays None: no choice made)."""
    if ids is None:
        return None
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise InvalidInput(f"ids is a list of delivery ids, not {type(ids).__name__}")
    return [limits.ident(i, "delivery") for i in ids]
