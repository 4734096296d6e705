"""The remedy ledger: remedies offered, approved, declined and issued, once per idempotency key.

A room of the engine, like `sender.py`: it works inside the case's transaction. Within the
agent's limit a remedy is issued at once: the ledger gets an entry, a coupon or voucher an
unguessable code, and the flow's remedy trigger fires on the case. Over it (when the brand
declares `people` and a `lead_max`) the remedy waits as `pending_approval` and the case says so;
a lead approves (issued, once: a second approval finds nothing waiting) or declines with a
reason. Over the lead's limit, over the customer's limit for the period, or over the goodwill
budget, it is refused with the limit named. An issued remedy is later redeemed (the customer
used it) or voided (withdrawn, with the reason). Entries are never changed or deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from recovery import limits
from recovery.errors import (
    GuardRefused,
    InvalidInput,
    KeyReused,
    NotFound,
    PolicyViolation,
    RecoveryError,
    TriggerNotAllowed,
)
from recovery.firing import allowed
from recovery.flows import GUARDS, CaseFacts, Flow
from recovery.flows.remedies import RemedyLimit
from recovery.people import Roles
from recovery.policy import Recorder, remedy_value
from recovery.remedies.catalogue import issued, limit_of
from recovery.room import Apply, ReadFacts, record
from recovery.store.records import Case, Remedy
from recovery.store.writer import Tx, Writer


class Ledger:
    """Offers, approves and declines the remedies of one engine."""

    def __init__(self, writer: Writer, facts: ReadFacts, apply: Apply,
                 flow_of: Callable[[str], Flow], roles: Roles) -> None:
        self._writer = writer
        self._flow_of = flow_of
        self._facts = facts
        self._apply = apply
        self._roles = roles

    def offer(self, flow: Flow, case: Case, kind: str, value: Decimal | float | str, by: str,
              key: str, order: str | None, goodwill: str | None, note: str | None,
              at: datetime) -> Remedy:
        """Offer a remedy on a case: issued, waiting for a lead, or refused; the same `key`
        again returns the first result and issues nothing."""
        limit = limit_of(flow, kind)
        amount = remedy_value(value, limit.unit)
        role = self._roles.of(flow, by)
        order = (limits.optional(order, "the order", limits.ORDER) or "").strip() or None
        goodwill = (limits.optional(goodwill, "the goodwill reason", limits.NOTE)
                    or "").strip() or None
        limits.text(key, "the key", limits.NAME)
        limits.optional(note, "the note", limits.NOTE)
        if (limit.needs_order or kind == "refund") and order is None:
            raise InvalidInput(f"a {kind} names the order it refunds (order=)")
        try:
            with self._writer.transaction(case.id) as tx:
                known = tx.remedy_by_key(flow.brand, key)
                if known is not None:
                    return _same(flow, _found(tx, known), case.id, kind, amount)
                _flow, facts, version = self._facts(tx, case.id, at)
                facts.goodwill = goodwill is not None
                _may_record(flow, facts, case.id)
                self._within_limits(tx, flow, case, kind, limit, goodwill, at)
                own = (limit.lead_max or limit.agent_max) if role == "lead" else limit.agent_max
                issue = amount <= own
                if not issue and not (self._roles.named(flow) and limit.lead_max is not None
                                      and amount <= limit.lead_max):
                    cap = limit.lead_max or limit.agent_max
                    raise PolicyViolation(
                        f"a {kind} of {flow.amount(amount, limit.unit, kind)} is over "
                        f"{flow.brand}'s limit of {flow.amount(cap, limit.unit, kind)}")
                values = {"case_id": case.id, "brand": flow.brand, "customer": case.author,
                          "kind": kind, "value": amount, "unit": limit.unit,
                          "status": "issued" if issue else "pending_approval", "key": key,
                          "asked_by": by, "asked_at": at, "code": None, "order_ref": order,
                          "goodwill": goodwill, "decided_by": None, "decided_at": None,
                          "reason": None, "expires_at": None, "version": 1}
                if issue:
                    values.update(issued(limit, kind, at))
                    if amount > limit.agent_max:  # a lead's own offer over the agent's limit
                        values.update(decided_by=by, decided_at=at)
                remedy_id = tx.insert_remedy(values)
                tx.append_entry(remedy_id, 1, "issued" if issue else "asked", by, at, note)
                remedy = Remedy.from_columns({**values, "id": remedy_id}, lambda when: when)
                if issue:
                    self._apply(tx, case.id, Recorder("remedy"), by, note, _payload(remedy), at)
                else:
                    record(tx, case.id, version, facts.state, at, by, "remedy", _payload(remedy),
                           note)
        except RecoveryError:  # the same key offered twice at once: the other offer may have
            with self._writer.transaction() as tx:  # moved the case on before this one read it
                known = tx.remedy_by_key(flow.brand, key)
                if known is None:
                    raise
                return _same(flow, _found(tx, known), case.id, kind, amount)
        return remedy

    def approve(self, remedy_id: int, by: str, at: datetime) -> Remedy:
        """A lead approves a remedy waiting for one: it is issued, with who and when."""
        return self._decide(remedy_id, by, at, None)

    def decline(self, remedy_id: int, by: str, reason: str, at: datetime) -> Remedy:
        """A lead declines a remedy waiting for one, saying why; nothing is issued."""
        reason = limits.text(reason, "the reason", limits.NOTE).strip()
        if not reason:
            raise InvalidInput("say why the remedy is declined (reason=)")
        return self._decide(remedy_id, by, at, reason)

    def redeem(self, remedy_id: int, by: str, at: datetime, note: str | None) -> Remedy:
        """The customer used an issued remedy (the code was taken, the refund paid out)."""
        return self._settle(remedy_id, by, at, "redeemed",
                            limits.optional(note, "the note", limits.NOTE))

    def void(self, remedy_id: int, by: str, reason: str, at: datetime) -> Remedy:
        """Withdraw an issued remedy nobody used (issued in error, the code leaked), saying why;
        it no longer counts against any limit."""
        reason = limits.text(reason, "the reason", limits.NOTE).strip()
        if not reason:
            raise InvalidInput("say why the remedy is voided (reason=)")
        return self._settle(remedy_id, by, at, "void", reason)

    def _settle(self, remedy_id: int, by: str, at: datetime, status: str,
                note: str | None) -> Remedy:
        """Move an issued remedy to `redeemed` or `void`, with a ledger entry and a word on the
        case; refused for any other status, for an expired code, or (voiding, where the brand
        names its people) by anyone but a lead."""
        verb = "redeem" if status == "redeemed" else "void"
        with self._writer.transaction() as tx:
            remedy, version = _read(tx, remedy_id)
            flow = self._flow_of(remedy.brand)
            role = self._roles.of(flow, by)
            if status == "void" and self._roles.named(flow) and role != "lead":
                raise PolicyViolation(f"only a lead of {flow.brand} may void a remedy; {by} is "
                                      "an agent")
            if remedy.status != "issued":
                raise PolicyViolation(f"remedy {remedy_id} is {remedy.status.replace('_', ' ')}"
                                      f", not issued: nothing to {verb}")
            if status == "redeemed" and remedy.expires_at is not None and at > remedy.expires_at:
                raise PolicyViolation(f"remedy {remedy_id} expired on "
                                      f"{remedy.expires_at:%Y-%m-%d %H:%M} UTC; it cannot be "
                                      "redeemed (offer a new one if it is still owed)")
            changes: dict[str, Any] = {
                "status": status, "decided_by": remedy.decided_by,
                "decided_at": remedy.decided_at, "code": remedy.code,
                "reason": note if status == "void" else remedy.reason,
                "expires_at": remedy.expires_at}
            if not tx.decide(remedy_id, version, changes):
                raise PolicyViolation(f"remedy {remedy_id} changed meanwhile (someone else "
                                      f"settled it); nothing to {verb}")
            tx.append_entry(remedy_id, version + 1, "voided" if status == "void" else status, by,
                            at, note)
            remedy = replace(remedy, **changes)
            _flow, facts, case_version = self._facts(tx, remedy.case_id, at)
            record(tx, remedy.case_id, case_version, facts.state, at, by, "remedy",
                   _payload(remedy), note)
        return remedy

    def _decide(self, remedy_id: int, by: str, at: datetime, reason: str | None) -> Remedy:
        verb = "approve" if reason is None else "decline"
        with self._writer.transaction() as tx:
            remedy, version = _read(tx, remedy_id)
            flow = self._flow_of(remedy.brand)
            if self._roles.of(flow, by) != "lead":
                raise PolicyViolation(f"only a lead of {flow.brand} may {verb} a remedy; {by} "
                                      f"is {'an agent' if self._roles.named(flow) else 'no lead'}")
            if remedy.status != "pending_approval":
                raise PolicyViolation(f"remedy {remedy_id} is {remedy.status.replace('_', ' ')}"
                                      f", not waiting for approval: nothing to {verb}")
            ruled, facts, case_version = self._facts(tx, remedy.case_id, at)  # its version's
            limit = limit_of(ruled, remedy.kind)
            changes: dict[str, Any] = {"status": "declined", "decided_by": by,
                                       "decided_at": at, "reason": reason, "code": None,
                                       "expires_at": None}
            if reason is None:
                changes.update(status="issued", **issued(limit, remedy.kind, at))
            if not tx.decide(remedy_id, version, changes):
                raise PolicyViolation(f"remedy {remedy_id} was decided by someone else "
                                      "meanwhile; nothing was issued")
            tx.append_entry(remedy_id, version + 1, "approved" if reason is None else "declined",
                            by, at, reason)
            remedy = replace(remedy, **changes)
            if reason is None and facts.state in ruled.sources(Recorder("remedy").resolve(ruled)):
                facts.goodwill = remedy.goodwill is not None
                self._apply(tx, remedy.case_id, Recorder("remedy"), by, None, _payload(remedy),
                            at)
            else:  # declined; or approved once the case moved on (resolved): it stays put
                record(tx, remedy.case_id, case_version, facts.state, at, by, "remedy",
                       _payload(remedy), reason)
        return remedy

    @staticmethod
    def _within_limits(tx: Tx, flow: Flow, case: Case, kind: str, limit: RemedyLimit,
                       goodwill: str | None, at: datetime) -> None:
        """Refuse a remedy over the customer's limit for the period or the goodwill budget."""
        per = limit.per_customer
        if per is not None:
            given = tx.count_given(flow.brand, case.author, kind, at - timedelta(days=per.days))
            if given >= per.count:
                raise PolicyViolation(f"{case.author} already got {given} {kind}(s) from "
                                      f"{flow.brand} in {per.days} days: the limit is "
                                      f"{per.count}")
        if goodwill is None:
            return
        budget = flow.settings.goodwill
        if tx.count_goodwill(flow.brand, at, case.id) >= budget.per_case:
            raise PolicyViolation(f"case {case.id} already has {budget.per_case} goodwill "
                                  f"remedy(ies): {flow.brand}'s goodwill limit per case")
        local = at.astimezone(ZoneInfo(flow.settings.timezone))
        month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if tx.count_goodwill(flow.brand, month) >= budget.per_month:
            raise PolicyViolation(f"{flow.brand}'s goodwill budget of {budget.per_month} this "
                                  "month is spent")


def _may_record(flow: Flow, facts: CaseFacts, case_id: int) -> None:
    """Refuse early, as firing would, when the case cannot take a remedy now."""
    trigger = Recorder("remedy").resolve(flow)
    decl = flow.settings.flow.triggers[trigger]
    if facts.state not in decl.sources:
        raise TriggerNotAllowed(case_id, facts.state, trigger, allowed(flow, facts))
    for guard in decl.guards:
        reason = GUARDS[guard](facts)
        if reason is not None:
            raise GuardRefused(case_id, trigger, guard, reason)


def _payload(remedy: Remedy) -> dict[str, Any]:
    """What the case's event says of the remedy."""
    payload: dict[str, Any] = {"remedy": remedy.id, "kind": remedy.kind,
                               "value": str(remedy.value), "unit": remedy.unit,
                               "status": remedy.status}
    for name in ("code", "order", "goodwill", "approved_by", "reason"):
        if getattr(remedy, name):
            payload[name] = getattr(remedy, name)
    return payload


def _same(flow: Flow, remedy: Remedy, case_id: int, kind: str, amount: Decimal) -> Remedy:
    """The remedy a key was used for, if this offer is the same one; a key reused for another
    offer is a mistake, refused rather than answered with the wrong remedy."""
    if (remedy.case_id, remedy.kind, remedy.value) != (case_id, kind, amount):
        amount_said = flow.amount(remedy.value, remedy.unit, remedy.kind)
        raise KeyReused(f"the key '{remedy.key}' was used for remedy {remedy.id} (a "
                        f"{remedy.kind} of {amount_said} on case {remedy.case_id}); give this "
                        "offer its own key", remedy.key, remedy.id)
    return remedy


def _read(tx: Tx, remedy_id: int) -> tuple[Remedy, int]:
    found = tx.remedy(limits.ident(remedy_id, "remedy"))
    if found is None:
        raise NotFound(f"no remedy {remedy_id}")
    return found


def _found(tx: Tx, remedy_id: int) -> Remedy:
    return _read(tx, remedy_id)[0]
