"""Steps about house rules: what may be hidden from a complaint's thread, and what never is."""

from __future__ import annotations

from pytest_bdd import parsers, when

from recovery.testing.steps import Spec


@when(parsers.parse('"{agent}" hides the post "{post}" under "{rule}"'))
def when_hides_post(spec: Spec, agent: str, post: str, rule: str) -> None:
    """Hide another person's post in the case's thread under a house rule."""
    spec.attempt(spec.engine.moderate, spec.case.id, post=post, rule=rule, by=agent,
                 author="@someone_else")


@when(parsers.parse('"{agent}" tries to hide the complaint under "{rule}"'))
def when_hides_complaint(spec: Spec, agent: str, rule: str) -> None:
    """Try to hide the complaint itself (the customer's own post)."""
    case = spec.case
    spec.attempt(spec.engine.moderate, case.id, post=case.external_id or f"post-{case.id}",
                 rule=rule, by=agent, author=case.author)
