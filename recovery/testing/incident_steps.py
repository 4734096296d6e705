"""Steps about incidents: a problem announced before customers find it, the complaints it
causes suggested and linked, each answered personally, and the incident resolved."""

from __future__ import annotations

from datetime import timedelta

from pytest_bdd import parsers, then, when

from recovery.testing.steps import Spec


def _incident(spec: Spec) -> int:
    found = spec.engine.incidents.listing(brand=spec.flow.brand, limit=1)
    assert found, "no incident was opened"
    return found[0].id


@when(parsers.parse('"{lead}" announces an incident "{title}" on {channel} about "{keyword}"'))
def when_announces(spec: Spec, lead: str, title: str, channel: str, keyword: str) -> None:
    """A lead opens an incident and posts its announcement from the `outage` template."""
    spec.attempt(spec.engine.incidents.open, spec.flow.brand, title=title, by=lead,
                 channels=[channel], keywords=[keyword], next_update=timedelta(hours=1))


@when(parsers.parse('"{agent}" links the case to the incident'))
def when_links(spec: Spec, agent: str) -> None:
    """Confirm the suggestion (or link the case by hand)."""
    spec.attempt(spec.engine.incidents.link, _incident(spec), [spec.case.id], by=agent)


@when(parsers.parse('"{lead}" resolves the incident, because "{cause}"'))
def when_resolves(spec: Spec, lead: str, cause: str) -> None:
    """Post the resolution and move the linked cases on."""
    spec.attempt(spec.engine.incidents.resolve, _incident(spec), root_cause=cause, by=lead)


@then(parsers.parse("the incident was announced on {channel} in {languages}"))
def then_announced(spec: Spec, channel: str, languages: str) -> None:
    """Its announcement went out on the channel, in each of these languages."""
    spec.succeeded()
    posts = spec.engine.incidents.posts(_incident(spec))
    found = {post.language for post in posts if post.kind == "announce"
             and post.channel == channel}
    wanted = {language.strip() for language in languages.replace(" and ", ",").split(",")}
    assert found == wanted, f"announced in {', '.join(sorted(found)) or 'nothing'}"


@then(parsers.re(r"the case is (?P<status>suggested) for the incident$"))
@then(parsers.re(r"the case is (?P<status>linked) to the incident$"))
def then_case_status(spec: Spec, status: str) -> None:
    """The case is suggested for the incident (waiting for a person), or linked to it."""
    spec.succeeded()
    found = [item.status for item in spec.engine.incidents.links(case_id=spec.case.id)]
    assert found == [status], f"the case is {found or 'not suggested or linked'}"


@then("the case is not suggested for any incident")
def then_case_not_suggested(spec: Spec) -> None:
    """Nothing ties the case to an incident."""
    assert spec.engine.incidents.links(case_id=spec.case.id) == []


@then(parsers.parse('the case\'s finding is "{finding}" with the root cause "{cause}"'))
def then_finding(spec: Spec, finding: str, cause: str) -> None:
    """What the case's investigation found, as the incident's resolution recorded it."""
    spec.succeeded()
    case = spec.case
    assert (case.finding, case.root_cause) == (finding, cause), (case.finding,
                                                                 case.root_cause)


@then(parsers.parse("the incident was announced before {count:d} of {total:d} complaints"))
def then_transparency(spec: Spec, count: int, total: int) -> None:
    """Of the complaints linked to it, this many came after its announcement."""
    report = spec.engine.report(brand=spec.flow.brand, since=spec.now - timedelta(days=7),
                                until=spec.now + timedelta(days=1))
    [found] = report[spec.flow.brand]["incidents"]
    assert (found["announced_before"], found["complaints"]) == (count, total), found
