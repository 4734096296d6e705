"""Steps about replies: what agents answer, what the linter flags or refuses, what was read of
the customer.

Finding codes are the linter's (`blame`, `personal-data`, `redirect-only`, `copy-paste`, …);
languages may be written as codes (`cs`) or English names (`Czech`).
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from pytest_bdd import given, parsers, then, when

from recovery.errors import ReplyRefused
from recovery.store.records import Event
from recovery.testing.steps import Spec

REPLY = r'"(?P<agent>[^"]+)" (?:replies|replied)(?P<private> privately)? "(?P<text>[^"]+)"'
FIRES = r'(?: and fires "(?P<trigger>[^"]+)")?$'


def _reply(spec: Spec, agent: str, trigger: str | None = None, **what: Any) -> None:
    spec.said = what.get("text")
    spec.attempt(spec.engine.reply, spec.case.id, by=agent, fire=trigger, **what)


def _last_reply(spec: Spec) -> Event:
    sent = [event for event in spec.engine.history(spec.case.id) if event.trigger == "reply"]
    assert sent, f"no reply was sent{f' (refused: {spec.error})' if spec.error else ''}"
    return sent[-1]


def _code(spec: Spec, language: str) -> str:
    """An ISO 639-1 code, from a code or from the English name of a language the brand reads."""
    if len(language) == 2:
        return language
    known = {(Locale(code).english_name or "").lower(): code
             for code in spec.flow.audience.candidates}
    assert language.lower() in known, f"{spec.flow.brand} does not read {language}"
    return known[language.lower()]


@given(parsers.re(REPLY + FIRES))
@when(parsers.re(REPLY + FIRES))
def when_replies(spec: Spec, agent: str, private: str | None, text: str,
                 trigger: str | None) -> None:
    """An agent answers the customer with their own words (public unless said otherwise)."""
    _reply(spec, agent, trigger, text=text, public=not private)


@when(parsers.re(r'"(?P<agent>[^"]+)" replies with the "(?P<template>[^"]+)" template' + FIRES))
def when_replies_with_template(spec: Spec, agent: str, template: str,
                               trigger: str | None) -> None:
    """An agent answers publicly from one of the brand's templates."""
    _reply(spec, agent, trigger, template=template)


@when(parsers.parse('"{agent}" sends it anyway, because "{reason}"'))
def when_overrides(spec: Spec, agent: str, reason: str) -> None:
    """The agent overrides the blocking findings of the last reply, giving the reason."""
    assert spec.said, "no reply was tried yet"
    spec.attempt(spec.engine.reply, spec.case.id, by=agent, text=spec.said, override=reason)


@then(parsers.parse('the reply is refused for "{code}"'))
def then_reply_refused(spec: Spec, code: str) -> None:
    """The last reply was refused, a blocking finding with that code among the reasons."""
    assert isinstance(spec.error, ReplyRefused), f"not refused by the linter: {spec.error}"
    assert any(f"blocking {code}:" in finding for finding in spec.error.findings), (
        spec.error.findings)


@then("no reply was recorded")
def then_no_reply(spec: Spec) -> None:
    """The case's history has no reply (after a refusal, nothing was half-written)."""
    triggers = [event.trigger for event in spec.engine.history(spec.case.id)]
    assert "reply" not in triggers, f"the history reads {', '.join(triggers)}"


@then(parsers.parse('the reply is flagged "{code}"'))
def then_reply_flagged(spec: Spec, code: str) -> None:
    """The last reply went out, and the linter flagged it with that code."""
    spec.succeeded()
    findings = (_last_reply(spec).payload or {}).get("findings", [])
    assert code in [finding["code"] for finding in findings], findings


@then(parsers.parse('the reply is not flagged "{code}"'))
def then_reply_not_flagged(spec: Spec, code: str) -> None:
    """The last reply went out without a finding with that code."""
    spec.succeeded()
    findings = (_last_reply(spec).payload or {}).get("findings", [])
    assert code not in [finding["code"] for finding in findings], findings


@then(parsers.parse('the reply was sent with the reason "{reason}"'))
def then_overridden(spec: Spec, reason: str) -> None:
    """The last reply went out on an override, its reason recorded."""
    spec.succeeded()
    assert (_last_reply(spec).payload or {}).get("override") == reason


@then(parsers.parse("the reply is in {language}, in the brand's voice"))
def then_reply_language(spec: Spec, language: str) -> None:
    """The last reply is in that language and came from a template of the brand's voice."""
    spec.succeeded()
    payload = _last_reply(spec).payload or {}
    assert payload.get("language") == _code(spec, language), payload
    voice = spec.flow.settings.voice
    assert f"/{voice}/" in f"/{payload.get('template')}", f"{payload.get('template')}"


@then(parsers.parse('the reply says "{text}"'))
def then_reply_says(spec: Spec, text: str) -> None:
    """The last reply's text contains these words."""
    said = (_last_reply(spec).payload or {}).get("text", "")
    assert text in said, f"the reply says: {said}"


@then(parsers.parse("the customer wrote in {language}"))
def then_customer_language(spec: Spec, language: str) -> None:
    """The complaint's language, as detected when the case opened."""
    assert spec.case.language == _code(spec, language), f"detected: {spec.case.language}"


@then(parsers.parse('the case is flagged "{flag}"'))
def then_case_flagged(spec: Spec, flag: str) -> None:
    """A flag raised when the complaint was read (personal_data, unserved_language)."""
    assert flag in (spec.case.flags or []), f"flags: {spec.case.flags}"


@then(parsers.parse('the customer is read as "{emotion}"'))
def then_emotion(spec: Spec, emotion: str) -> None:
    """The emotion read from the complaint: angry, curious or neutral."""
    assert spec.case.emotion == emotion, f"read as {spec.case.emotion}"
