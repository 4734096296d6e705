"""Steps about remedies: offered, waiting for a lead, approved or declined, beyond duty.

The remedy at hand is the last one offered in the scenario (`"eva" offers a voucher worth 450`,
from the shared steps, or one of the steps below).
"""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from recovery.store.records import Remedy
from recovery.testing.steps import Spec


def _at_hand(spec: Spec) -> Remedy:
    """The last remedy offered on the case, whatever became of it."""
    found = spec.engine.remedies(case_id=spec.case.id, limit=1)
    assert found, "no remedy was offered on the case"
    return found[0]


def _last(spec: Spec) -> Remedy:
    spec.succeeded()
    return _at_hand(spec)


@when(parsers.parse('"{agent}" offers a {kind} worth {value} as goodwill, because "{reason}"'))
def when_offers_goodwill(spec: Spec, agent: str, kind: str, value: str, reason: str) -> None:
    """Offer a remedy beyond duty, with the reason (counted in the goodwill budget)."""
    spec.attempt(spec.engine.offer_remedy, spec.case.id, kind, value.split()[0], by=agent,
                 goodwill=reason)


@when(parsers.parse('"{agent}" offers a {kind} worth {value} again, with the key "{key}"'))
@when(parsers.parse('"{agent}" offers a {kind} worth {value} with the key "{key}"'))
def when_offers_with_key(spec: Spec, agent: str, kind: str, value: str, key: str) -> None:
    """Offer a remedy under an idempotency key (the same key again issues nothing new)."""
    spec.attempt(spec.engine.offer_remedy, spec.case.id, kind, value.split()[0], by=agent,
                 key=key)


@when(parsers.parse('"{lead}" approves the remedy'))
def when_approves(spec: Spec, lead: str) -> None:
    """A lead approves the remedy at hand."""
    spec.attempt(spec.engine.approve_remedy, _at_hand(spec).id, by=lead)


@when(parsers.parse('"{lead}" declines the remedy, because "{reason}"'))
def when_declines(spec: Spec, lead: str, reason: str) -> None:
    """A lead declines the remedy at hand, saying why."""
    spec.attempt(spec.engine.decline_remedy, _at_hand(spec).id, reason=reason, by=lead)


@when(parsers.parse('"{agent}" redeems the remedy'))
def when_redeems(spec: Spec, agent: str) -> None:
    """The customer used the remedy at hand (its code was taken, the refund paid out)."""
    spec.attempt(spec.engine.redeem_remedy, _at_hand(spec).id, by=agent)


@when(parsers.parse('"{lead}" voids the remedy, because "{reason}"'))
def when_voids(spec: Spec, lead: str, reason: str) -> None:
    """A lead withdraws the issued remedy at hand, saying why."""
    spec.attempt(spec.engine.void_remedy, _at_hand(spec).id, reason=reason, by=lead)


@then(parsers.parse("the remedy is {status:w}"))
def then_settled(spec: Spec, status: str) -> None:
    """The remedy at hand is `redeemed` or `void`."""
    remedy = _last(spec)
    assert remedy.status == status, f"the remedy is {remedy.status}"


@then(parsers.parse("the remedy is issued with a code"))
def then_issued_with_code(spec: Spec) -> None:
    """The remedy at hand was issued, with its code."""
    remedy = _last(spec)
    assert remedy.status == "issued", f"the remedy is {remedy.status}"
    assert remedy.code, "it was issued without a code"


@then(parsers.parse("the remedy is issued"))
def then_issued(spec: Spec) -> None:
    """The remedy at hand was issued."""
    remedy = _last(spec)
    assert remedy.status == "issued", f"the remedy is {remedy.status}"


@then(parsers.parse("the remedy waits for a lead's approval"))
def then_waits(spec: Spec) -> None:
    """The remedy at hand is over the agent's limit: nothing is issued until a lead approves."""
    remedy = _last(spec)
    assert (remedy.status, remedy.code) == ("pending_approval", None), remedy.status


@then(parsers.parse('the remedy is declined, because "{reason}"'))
def then_declined(spec: Spec, reason: str) -> None:
    """The remedy at hand was declined, with the reason."""
    remedy = _last(spec)
    assert (remedy.status, remedy.reason) == ("declined", reason), remedy


@then(parsers.parse("the case has {count:d} remedy"))
@then(parsers.parse("the case has {count:d} remedies"))
def then_count(spec: Spec, count: int) -> None:
    """How many remedies the case has, whatever their status: none is ever deleted."""
    found = spec.engine.remedies(case_id=spec.case.id)
    assert len(found) == count, f"the case has {len(found)}: {[r.status for r in found]}"
