"""The follow-up room of the engine: ask how it went, remind once, close quietly, record the
answer.

Each step is a timer the ticker claims (so it fires exactly once, also with several workers)
and hands here inside its transaction. Asking posts the brand's `follow_up` template in the
customer's language and the brand's voice to where the conversation went (a private message
once the case moved private or to the phone, else the public thread) and moves the case to the
asked state. It is skipped, with the reason, where asking makes no sense: the customer asked not
to be contacted, the case was reopened before, or it is outside the brand's sample (those
close the case); or a remedy still waits for a lead (the question waits one more `after`).
An answer at or below `low_score` reopens the case (its resolution clock resumes where it
stopped), raises its priority and tells the lead; a better one closes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from recovery import limits
from recovery.errors import ConcurrentUpdate, InvalidInput
from recovery.flows import Flow
from recovery.flows.follow_up import SCALE, FollowUp
from recovery.flows.priority import PRIORITIES
from recovery.followups import schedule
from recovery.limits import ENGINE, TIMER
from recovery.replies.compose import write
from recovery.room import Apply, ReadFacts, record
from recovery.store.records import Case, Event, Timer
from recovery.store.writer import Tx, Writer


class Asker:
    """Asks, reminds, closes quietly and records answers for one engine."""

    def __init__(self, writer: Writer, facts: ReadFacts, apply: Apply) -> None:
        self._writer = writer
        self._facts = facts
        self._apply = apply

    def step(self, tx: Tx, timer: Timer, now: datetime) -> str | None:
        """Take a claimed follow-up timer's step on its case, inside the ticker's transaction:
        None when it appended its events, else why it appended none (the timer's outcome)."""
        flow, _facts, version = self._facts(tx, timer.case_id, now)
        found = schedule.policy(flow)
        if found is None:
            return f"skipped: {flow.brand} no longer follows up"
        declared, _asks_from, _asked = found
        case, history = tx.case(timer.case_id), tx.history(timer.case_id)
        if case is None or case.version != version:
            raise ConcurrentUpdate(timer.case_id)  # it moved meanwhile: the next tick sees it
        base: dict[str, Any] = {"timer": timer.id, "due_at": timer.due_at.isoformat()}
        said = {event.trigger for event in history}
        if timer.trigger == schedule.CLOSE:
            self._apply(tx, case.id, "close", TIMER, "no answer",
                        {**base, "follow_up": "no answer"}, now)
            return None
        if timer.trigger == schedule.REMIND:
            if "do_not_contact" in said and "do_not_contact" in declared.skip_when:
                return "skipped: do_not_contact"
            message = _message(flow, case, history, declared.reminder)
            record(tx, case.id, version, case.state, now, TIMER, "reminder", {**base, **message})
            return None
        reason = _skip(declared, case, said, _waiting(history))
        if reason == "pending_remedy":
            tx.arm(case.id, case.state,
                   [(schedule.ASK, schedule.due(flow, declared, now, declared.after))],
                   clock=schedule.KIND)
            return "postponed: a remedy waits for a lead's approval"
        if reason is not None:
            self._apply(tx, case.id, "close", TIMER, f"follow-up skipped: {reason}",
                        {**base, "follow_up": "skipped", "reason": reason}, now)
            return None
        message = _message(flow, case, history, declared.template)
        self._apply(tx, case.id, schedule.TRIGGER, TIMER, None,
                    {**base, **message, "ask": declared.ask, "scale": list(SCALE)}, now)
        return None

    def answer(self, flow: Flow, case: Case, score: int, text: str | None, by: str,
               at: datetime) -> Event:
        """Record the customer's answer to the follow-up and act on it: a low score reopens
        the case, raises its priority and tells the lead; a good one closes it."""
        if not SCALE[0] <= score <= SCALE[1]:
            raise InvalidInput(f"a score is {SCALE[0]} to {SCALE[1]} ({SCALE[1]}: all is well); "
                               f"got {score}")
        text = (limits.optional(text, "the answer", limits.REPLY) or "").strip() or None
        found = schedule.policy(flow)
        if found is None:
            raise InvalidInput(f"{flow.brand} does not follow up (no `follow_up` in its flow "
                               "file), so there is no question to answer")
        declared, _asks_from, asked = found
        low = score <= declared.low_score
        with self._writer.transaction(case.id) as tx:
            _flow, facts, version = self._facts(tx, case.id, at)
            if facts.state != asked:
                raise InvalidInput(f"case {case.id} is '{facts.state}': only a case asked how "
                                   f"it went ('{asked}') takes an answer")
            payload: dict[str, Any] = {"score": score, "scale": list(SCALE), "text": text,
                                       "low": low}
            row = tx.facts(case.id)
            if low and row is not None:
                raised = PRIORITIES[min(PRIORITIES.index(row.priority) + 1, len(PRIORITIES) - 1)]
                payload.update(priority=raised, notify=["lead"])
            answered = record(tx, case.id, version, asked, at, by, "answer", payload,
                              changes={"priority": payload["priority"]} if "priority" in payload
                              else None)
            self._apply(tx, case.id, "reopen" if low else "close", ENGINE,
                        f"answered {score} of {SCALE[1]}", {"answer": score}, at)
        return answered

    def do_not_contact(self, case_id: int, by: str, reason: str | None, at: datetime) -> Event:
        """Record that the customer asked not to be contacted: no follow-up or reminder."""
        limits.optional(reason, "the reason", limits.NOTE)
        with self._writer.transaction(case_id) as tx:
            _flow, facts, version = self._facts(tx, case_id, at)
            event = record(tx, case_id, version, facts.state, at, by, "do_not_contact",
                           {"reason": reason})
        return event


def _skip(declared: FollowUp, case: Case, said: set[str], waiting: bool) -> str | None:
    """Why the case is not asked, if it is not."""
    reasons = {"do_not_contact": "do_not_contact" in said, "reopened": "reopen" in said,
               "pending_remedy": waiting}
    for reason in declared.skip_when:
        if reasons[reason]:
            return reason
    if not schedule.sampled(case.brand, case.id, declared.sample):
        return "not sampled"
    return None


def _waiting(history: list[Event]) -> bool:
    """Whether a remedy on the case still waits for a lead: its last word in the history (each
    offer, approval and decline is an event naming the remedy) says so."""
    last: dict[int, str] = {}
    for event in history:
        payload = event.payload or {}
        if "remedy" in payload and "status" in payload:
            last[int(payload["remedy"])] = str(payload["status"])
    return "pending_approval" in last.values()


def _message(flow: Flow, case: Case, history: list[Event], template: str) -> dict[str, Any]:
    """The follow-up's text in the customer's language and the brand's voice, and where it
    goes: privately once the conversation moved private, else in the public thread."""
    states = flow.settings.flow.states
    private = any(event.dest in states and states[event.dest].private for event in history)
    if not private:
        private = any(event.trigger == "reply" and not (event.payload or {}).get("public", True)
                      for event in history)
    rendered = write(flow, case, ENGINE, template)
    return {"text": rendered.text, "template": rendered.template,
            "language": rendered.language, "channel": case.channel, "public": not private}

