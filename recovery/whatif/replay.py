"""The replay: a history's acts, at their own times, through a scratch engine's flows.

The scratch engine is a real one, on a SQLite file of its own, so a replay runs the very
code a live case runs: the state machine and its guards, the SLA clocks, the priority rules, the
remedy limits, the follow-up. Each act a person recorded (an opening, a trigger, a reply, a
finding, a remedy offered or decided, an answer, a reach update, a hidden post, a redaction) is
made again as it was made (a link to an incident, whose incident is not replayed, is recorded
as it was); what the engine did by itself in answer (a notice, a late breach, a
case an answer closes) it does again by itself. Timers fire as the live worker fired them: a
timer the history has (the same trigger, clock and due time) fires when the live worker fired
it, or not at all if it never did; one the history lacks fires when it falls due, as an
on-time worker would fire it, and one the live worker cancelled or never reached fires at its
first tick after it fell due (as the live worker would have, had the case not moved on first).
A timer armed already due (a clock's target tightened by a reach update) fires at once.

An act the scratch flows refuse is kept (case, act, why) and the case goes on without it.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from recovery.errors import RecoveryError
from recovery.flows.moderation import HIDE
from recovery.flows.priority import UPDATE
from recovery.flows.validate import INCIDENT
from recovery.flows.versions import MIGRATE
from recovery.room import record
from recovery.signals import Detected
from recovery.store.audit import REDACT
from recovery.store.records import REMEDY_STATUSES, Timer
from recovery.whatif.history import Act, Recorded, in_order

if TYPE_CHECKING:
    from recovery.engine import Engine

TOGETHER = 500
"""Acts replayed per transaction of the scratch database."""
REMEDY = frozenset({"remedy", "kind", "value", "unit", "status"})
"""What the ledger writes in the payload of each event of a remedy (`remedies/ledger.py`)."""
OFFERED = ("issued", "pending_approval")
"""A remedy's status on the event that offered it."""
CHOICES = frozenset({"answer", "do_not_contact", UPDATE, HIDE, REDACT})
"""Acts that carry something the flow does not decide (the customer's answer, how far a post
travels, a lead's redaction): replayed as recorded."""


@dataclass(frozen=True)
class Refused:
    """An act the scratch flows would not take: which case, which event, why."""

    case: int
    brand: str
    seq: int
    at: datetime
    trigger: str
    by: str
    why: str


@dataclass
class Replayed:
    """What a replay did: live case id → scratch case id, the acts refused and those not
    replayed (by kind), and how many recorded choices it took as they were."""

    cases: dict[int, int] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    choices: int = 0
    acts: int = 0
    timers: int = 0


class Replay:
    """Replays recorded cases through one scratch engine."""

    def __init__(self, scratch: Engine, keys: dict[int, str], ticks: list[datetime],
                 now: datetime) -> None:
        self._engine = scratch
        self._keys = keys
        self._now = now
        self._done = Replayed()
        self._remedies: dict[int, int] = {}
        self._seqs: dict[tuple[int, int], int] = {}
        """(live case, live seq) → the scratch event's seq, for a redaction."""
        self._seen = 0
        """The last timer queued (or passed over), by id: those armed later are new."""
        self._live: dict[int, Recorded] = {}
        """Scratch case id → the live case it replays."""
        self._due: list[tuple[datetime, int, int, int, Timer]] = []
        self._ticks = ticks
        """When the live worker fired anything, in order: when it is known to have run."""
        self._at = datetime.min.replace(tzinfo=UTC)
        """The moment the replay has reached."""
        self._tried: set[int] = set()
        """The live remedies whose offer was replayed, given or refused."""

    def run(self, recorded: list[Recorded],
            progress: Callable[[int, int], None] | None = None) -> Replayed:
        """Replay every case's acts in the order they happened; `progress(done, total)` is
        told after each act."""
        by_id = {case.id: case for case in recorded}
        total = sum(len(case.acts) for case in recorded)
        acts = iter(in_order(recorded))
        while True:
            with self._together():
                taken = 0
                for act in itertools.islice(acts, TOGETHER):
                    taken += 1
                    self._fire_until(act.order)
                    self._at = act.at
                    case = by_id[act.case]
                    if act.seq == 1:
                        self._open(case, act)
                    elif act.case in self._done.cases:
                        self._act(case, act)
                    else:
                        self._skip("acts on cases the proposed flow did not open")
                    self._done.acts += 1
                    if progress is not None:
                        progress(self._done.acts, total)
                if taken < TOGETHER:  # the last run: what is due by now fires too
                    self._fire_until(None)
                    return self._done

    @contextmanager
    def _together(self) -> Iterator[None]:
        """One transaction of the scratch database for a run of acts, each call of the engine
        a savepoint in it (`Engine.joined`): a commit costs more than an act."""
        with self._engine._db.connect() as conn, conn.begin(), self._engine.joined(conn):
            yield

    # -- timers ----------------------------------------------------------------------------

    def _queue(self) -> None:
        """Queue the timers armed since the last look, each at the moment it is to fire."""
        with self._engine._writer.transaction() as tx:
            armed = tx.armed_since(self._seen)
        for timer in armed:
            self._seen = timer.id
            case = self._live[timer.case_id]
            key = (timer.trigger, timer.clock, timer.due_at)
            fired = case.fired.get(key)
            if fired:
                at, seq = fired.pop(0)
            elif key in case.unfired:  # cancelled first, or the worker did not run since
                tick = bisect.bisect_left(self._ticks, timer.due_at)
                if tick == len(self._ticks):
                    continue
                at, seq = self._ticks[tick], 0
            else:
                at, seq = timer.due_at, 0  # not in the history: an on-time worker fires it
            at = max(at, self._at)  # armed already due: at once
            if at <= self._now:
                heapq.heappush(self._due, (at, case.id, seq, timer.id, timer))

    def _fire_until(self, order: tuple[datetime, int, int] | None) -> None:
        """Fire the queued timers that came before `order` (None: all of them)."""
        while self._due and (order is None or self._due[0][:3] < order):
            at, _case, _seq, _id, timer = heapq.heappop(self._due)
            self._at = max(self._at, at)
            if self._engine._ticker.fire(timer, at) is not None:
                self._done.timers += 1
            self._queue()

    # -- acts ------------------------------------------------------------------------------

    def _open(self, case: Recorded, act: Act) -> None:
        """Open the case again with its complaint, its language as read then and its reach."""
        payload = act.payload or {}
        reading = payload.get("reading") or {}
        language = Detected(reading.get("language"), float(reading.get("confidence", 0.0)))
        engine = self._engine
        try:
            flow = engine.flow(case.brand).serving(case.channel)
            opening = engine._intake.prepare(
                flow, case.channel, case.author, case.text, act.at, case.external_id, act.by,
                case.name, notices=not payload.get("brought_over"), language=language,
                reach=payload.get("reach"))
            with engine._writer.transaction() as tx:
                scratch, _posted = engine._intake.write(tx, opening)
        except RecoveryError as exc:
            self._refuse(case, act, exc)
            return
        self._done.cases[case.id] = scratch
        self._live[scratch] = case
        self._seqs[case.id, 1] = 1
        self._queue()

    def _act(self, case: Recorded, act: Act) -> None:
        """Make one recorded act again on the scratch case."""
        scratch = self._done.cases[case.id]
        try:
            event = self._make(scratch, act)
        except RecoveryError as exc:
            self._refuse(case, act, exc)
            return
        if event is not None:
            self._seqs[case.id, act.seq] = event
        self._queue()

    def _make(self, scratch: int, act: Act) -> int | None:
        """The act, through the engine's call that made it; the seq of its event."""
        engine, by, at = self._engine, act.by, act.at
        payload: dict[str, Any] = act.payload or {}
        if act.trigger in CHOICES:
            self._done.choices += 1
        if act.trigger == MIGRATE:  # every case runs under the proposal from its opening
            self._skip("moves to another version of the flow")
            return None
        if _remedy_of(payload) is not None:
            return self._remedy(scratch, act, payload)
        if act.trigger == "reply":
            return engine._sender.record_reply(scratch, None, at, by, payload, act.note).seq
        if act.trigger == "answer":
            return engine.record_answer(scratch, int(payload["score"]), text=payload.get("text"),
                                        by=by, at=at).seq
        if act.trigger == "do_not_contact":
            return engine.do_not_contact(scratch, by=by, reason=payload.get("reason"),
                                         at=at).seq
        if act.trigger == UPDATE:
            return engine.update_reach(scratch, payload["reach"], by=by, at=at).seq
        if act.trigger == HIDE:
            return engine.moderate(scratch, post=payload["post"], rule=payload["rule"], by=by,
                                   author=payload.get("author"), text=payload.get("text"),
                                   at=at).seq
        if act.trigger == REDACT:
            seq = self._seqs.get((act.case, int(payload["event"])))
            if seq is None:
                self._skip("redactions of events not replayed")
                return None
            return engine.redact(scratch, seq, by=by, reason=payload["reason"], at=at).seq
        if act.trigger == INCIDENT:  # the incident is not replayed; its link stays a fact
            return self._as_recorded(scratch, act)
        return engine.fire(scratch, act.trigger, by=by, note=act.note, payload=act.payload,
                           at=at).seq

    def _as_recorded(self, scratch: int, act: Act) -> int:
        """Record the act's event as it was, leaving the case where it is."""
        engine = self._engine
        with engine._writer.transaction(scratch) as tx:
            _flow, facts, version = engine._firing.facts(tx, scratch, act.at)
            return record(tx, scratch, version, facts.state, act.at, act.by, act.trigger,
                          act.payload, act.note).seq

    def _remedy(self, scratch: int, act: Act, payload: dict[str, Any]) -> int | None:
        """A remedy's offer (the first time the history names it) or its decision."""
        engine, by, at = self._engine, act.by, act.at
        live, status = int(payload["remedy"]), payload["status"]
        mine = self._remedies.get(live)
        if mine is None:
            if live in self._tried or status not in OFFERED:  # its offer was refused
                self._skip("decisions on remedies the proposed flow did not give")
                return None
            self._tried.add(live)
            remedy = engine.offer_remedy(scratch, payload["kind"], payload["value"], by=by,
                                         key=self._keys.get(live), order=payload.get("order"),
                                         goodwill=payload.get("goodwill"), note=act.note, at=at)
            self._remedies[live] = remedy.id
            return engine.case(scratch).version
        reason = str(payload.get("reason") or act.note or "as recorded")
        if status == "issued":
            engine.approve_remedy(mine, by=by, at=at)
        elif status == "declined":
            engine.decline_remedy(mine, reason=reason, by=by, at=at)
        elif status == "redeemed":
            engine.redeem_remedy(mine, by=by, note=act.note, at=at)
        elif status == "void":
            engine.void_remedy(mine, reason=reason, by=by, at=at)
        else:
            self._skip(f"remedies {status}")
            return None
        return engine.case(scratch).version

    def _refuse(self, case: Recorded, act: Act, exc: RecoveryError) -> None:
        """Keep the act refused, its reason naming the case (and the remedy) by their live
        ids, not the scratch database's."""
        why = str(exc).splitlines()[0]
        scratch = self._done.cases.get(case.id)
        named = [("case", scratch, case.id)]
        live = _remedy_of(act.payload or {})
        if live is not None:
            named.append(("remedy", self._remedies.get(live), live))
        for what, mine, theirs in named:
            if mine is not None and mine != theirs:
                why = re.sub(rf"\b{what} {mine}\b", f"{what} {theirs}", why)
        self._done.refused.append(Refused(case.id, case.brand, act.seq, act.at, act.trigger,
                                          act.by, why))

    def _skip(self, kind: str) -> None:
        self._done.skipped[kind] = self._done.skipped.get(kind, 0) + 1


def _remedy_of(payload: dict[str, Any]) -> int | None:
    """The remedy an event's payload is the ledger's word on, if it is."""
    if payload.keys() >= REMEDY and payload["status"] in REMEDY_STATUSES:
        remedy = payload["remedy"]
        if isinstance(remedy, int) and not isinstance(remedy, bool):
            return remedy
    return None
