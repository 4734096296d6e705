"""Steps about the follow-up days later: asked, reminded, answered, skipped, closed quietly.

"Asked" means the engine posted the brand's follow-up question on the case (by itself, when
its timer came due: move time with "When 2 days pass" or "When the clock reaches …").
"""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from recovery.store.records import Event
from recovery.testing.steps import Spec


def _events(spec: Spec, trigger: str) -> list[Event]:
    return [event for event in spec.engine.history(spec.case.id) if event.trigger == trigger]


@when(parsers.re(r'the customer answers (?P<score>\d+)(?: saying "(?P<text>[^"]*)")?$'))
def when_answers(spec: Spec, score: str, text: str | None) -> None:
    """The customer answers the follow-up's question with a score (1 to 5) and maybe words."""
    spec.attempt(spec.engine.record_answer, spec.case.id, int(score), text=text)


@when(parsers.parse('"{agent}" records that the customer asked not to be contacted'))
def when_do_not_contact(spec: Spec, agent: str) -> None:
    """The customer asked not to be contacted again."""
    spec.attempt(spec.engine.do_not_contact, spec.case.id, by=agent,
                 reason="the customer asked")


@then(parsers.re(r"the customer was asked how it went(?: at (?P<moment>[^,]+?))?"
                 r"(?:, (?P<where>publicly|privately))?$"))
def then_asked(spec: Spec, moment: str | None, where: str | None) -> None:
    """The engine asked the follow-up question once (at a local time; in public or private)."""
    spec.succeeded()
    asked = _events(spec, "follow_up")
    assert len(asked) == 1, f"asked {len(asked)} times"
    event = asked[0]
    assert event.by == "timer" and event.payload and event.payload.get("text"), event
    if moment is not None:
        assert event.at == spec.local(moment), f"asked at {spec.shown(event.at)}"
    if where is not None:
        public = event.payload["public"]
        assert public == (where == "publicly"), f"asked {'in public' if public else 'privately'}"


@then("the customer was not asked how it went")
def then_not_asked(spec: Spec) -> None:
    """No follow-up question was posted."""
    assert not _events(spec, "follow_up"), "the customer was asked"


@then(parsers.parse("the customer was reminded {count:d} time"))
@then(parsers.parse("the customer was reminded {count:d} times"))
def then_reminded(spec: Spec, count: int) -> None:
    """How many reminders the engine posted."""
    assert len(_events(spec, "reminder")) == count


@then(parsers.parse('the case closed because "{reason}"'))
def then_closed_because(spec: Spec, reason: str) -> None:
    """The case closed, and its closing event says why (no answer, skipped: reopened)."""
    spec.succeeded()
    closed = _events(spec, "close")
    assert closed, "the case did not close"
    note = closed[-1].note or ""
    assert reason in note, f"it closed with '{note}'"


@then("the lead is told")
def then_lead_told(spec: Spec) -> None:
    """The last answer asks the helpdesk to alert the lead."""
    answers = _events(spec, "answer")
    assert answers and "lead" in (answers[-1].payload or {}).get("notify", []), answers
