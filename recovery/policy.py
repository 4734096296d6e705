"""What a trigger records on a case, checked against the brand's policy. Pure: no I/O.

A trigger may record an acknowledgement (when it happened), a finding (founded, partly or
unfounded, with a root cause for the team and, if the customer is to be told, an explanation in
their language) or a remedy (a kind the brand offers, within its limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from recovery import limits
from recovery.errors import InvalidInput, PolicyViolation
from recovery.flows import Flow

FINDINGS = ("founded", "partly", "unfounded")


@dataclass(frozen=True)
class Recorder:
    """"Whichever trigger of the case's flow records this kind of fact" (finding, remedy)."""

    kind: str

    def resolve(self, flow: Flow) -> str:
        """The flow's trigger that records `kind`."""
        trigger = flow.recorder.get(self.kind)
        if trigger is None:
            raise InvalidInput(f"the flow of {flow.brand} has no trigger that records a "
                               f"{self.kind}")
        return trigger


def recorded_changes(flow: Flow, trigger: str, payload: dict[str, Any] | None,
                     at: datetime) -> dict[str, Any]:
    """The case columns `trigger` sets, from its payload; raises on a missing or bad value."""
    decl = flow.settings.flow.triggers.get(trigger)
    kind = decl.records if decl else None
    data = payload or {}
    if kind == "acknowledgement":
        return {"acknowledged_at": at}
    if kind == "finding":
        return _finding(trigger, data)
    if kind == "remedy":
        return _remedy(flow, trigger, data)
    return {}


def _finding(trigger: str, data: dict[str, Any]) -> dict[str, Any]:
    finding = data.get("finding")
    if finding not in FINDINGS:
        raise InvalidInput(f"'{trigger}' records a finding: give finding as one of "
                           f"{', '.join(FINDINGS)} (got {finding!r})")
    root_cause = str(data.get("root_cause") or "").strip() or None
    if finding != "unfounded" and root_cause is None:
        raise InvalidInput(f"a {finding} finding needs a root cause: say what the business "
                           "should improve (e.g. 'soup waits too long at the pass')")
    explanation = data.get("explanation")
    if explanation is not None:
        explanation = limits.text(explanation, "the explanation", limits.NOTE).strip() or None
    return {"finding": finding, "root_cause": root_cause, "explanation": explanation}


def _remedy(flow: Flow, trigger: str, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    limits = flow.settings.remedies
    if not kind:
        raise InvalidInput(f"'{trigger}' records a remedy: give its kind "
                           f"({', '.join(limits) or 'none declared'}) and value")
    limit = limits.get(str(kind))
    if limit is None:
        offered = ", ".join(limits) or "no remedies at all"
        raise PolicyViolation(f"{flow.brand} does not offer a {kind}; its flow allows {offered}")
    value = remedy_value(data.get("value", 1), limit.unit)
    cap = (limit.lead_max or limit.agent_max) if data.get("approved_by") else limit.agent_max
    if value > cap:
        raise PolicyViolation(f"a {kind} of {flow.amount(value, limit.unit, str(kind))} is over "
                              f"{flow.brand}'s limit of {flow.amount(cap, limit.unit, str(kind))}"
                              "; offer less or ask a lead to approve it")
    return {"remedy_kind": kind, "remedy_value": value, "remedy_unit": limit.unit}


def remedy_value(value: Decimal | float | str, unit: str | None = None) -> Decimal:
    """A remedy's amount as a positive `Decimal` with no more decimals than its `unit` has (a
    currency's minor units: 2 for EUR, 0 for JPY; 2 for anything else) and below ten billion;
    raises `InvalidInput` otherwise, rather than storing a rounded amount."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"remedy value {str(value)[:40]!r} is not a number") from None
    if not amount.is_finite() or amount <= 0 or amount >= LARGEST:
        raise InvalidInput(f"remedy value must be a positive number below {LARGEST:,}, "
                           f"not {amount}")
    places = _places(unit)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        allowed = f"{places} decimal(s)" if places else "no decimals"
        raise InvalidInput(f"remedy value {amount} has more decimals than {unit or 'it'} "
                           f"takes ({allowed})")
    return amount


LARGEST = Decimal(10) ** 10
"""Remedy amounts are stored with 12 digits, 2 after the point."""


def _places(unit: str | None) -> int:
    """Decimals an amount in `unit` may have: a currency's minor units, else 2."""
    if unit is not None and len(unit) == 3 and unit.isupper():
        from babel.numbers import get_currency_precision  # a currency: its minor units

        return min(get_currency_precision(unit), 2)
    return 2
