"""From a case to a reply: the brand's linting rules, the subject and the template context.

Templates get the case (and what it is about, `case.about`), the customer (handle, name if
known, language and tone; a handle or name holding control characters is left out), the agent,
the finding and its explanation to the customer (the root cause stays internal), the remedy,
and (from the flow) the brand's name, zone and direct line. Money and dates are formatted in
the template's language by the template filters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from recovery.controls import publishable
from recovery.errors import PolicyViolation
from recovery.flows import Flow
from recovery.flows.templates import Absent, Rendered
from recovery.replies.address import address
from recovery.replies.concepts import lexicon
from recovery.replies.copies import CopyIndex
from recovery.replies.lint import Linted, Rules, Subject, lint
from recovery.replies.phrasebook import phrasebook
from recovery.replies.spelling import shared
from recovery.signals.about import about
from recovery.signals.personal import e164
from recovery.store import queries
from recovery.store.records import Case, Remedy

FORGET_IN = 8
"""Replies past the window are forgotten in steps of an eighth of it: forgetting rebuilds the
index (every reply it keeps), and a check only compares replies within its own window anyway."""


@dataclass(frozen=True)
class Draft:
    """A reply written and linted, not yet sent."""

    case_id: int
    version: int
    brand: str
    channel: str
    customer: str
    text: str
    public: bool
    language: str | None
    template: str | None
    linted: Linted
    by: str
    at: datetime
    flow_version: str | None = None
    """The version of its brand's flow the case runs under."""

    def payload(self, override: str | None) -> dict[str, Any]:
        """The reply event's payload: what to post, where, and what the linter said."""
        return {"text": self.text, "public": self.public, "channel": self.channel,
                "language": self.language, "template": self.template,
                "findings": self.linted.as_payload(), "redirect_only": self.linted.redirect_only,
                "override": override or None}

    def check_resolving(self, flow: Flow, fire: str | None) -> None:
        """Refuse to let a reply that only redirects resolve the case with `fire`."""
        decl = flow.settings.flow.triggers.get(fire) if fire else None
        if (decl is not None and decl.to and self.linted.redirect_only
                and flow.resolution_clock(decl.to) == "stopped"):
            raise PolicyViolation(f"case {self.case_id}: a reply that only redirects does not "
                                  f"resolve a case ('{fire}'); say how it was put right")


class Checker:
    """Lints replies for every brand of an engine: each brand's rules built once, the recent
    replies of every worker (read from the store as they come), one shared spell checker."""

    def __init__(self, flows: dict[str, Flow],
                 connection: Callable[[], AbstractContextManager[Connection]]) -> None:
        self._connection = connection
        self._window = max((flow.settings.replies.copies.window for flow in flows.values()),
                           default=timedelta(0))
        self._rules: dict[str, Rules] = {}
        self._copies: dict[str, CopyIndex] = {}
        self._seen = 0
        self._lock = threading.Lock()
        self.speller = shared()

    def check(self, flow: Flow, text: str, subject: Subject, at: datetime) -> Linted:
        """Lint `text` for `subject` on the brand of `flow` at `at`."""
        rules = self._rules.get(flow.brand)
        if rules is None:
            rules = self._rules[flow.brand] = rules_for(flow)
        return lint(text, subject, rules, at, self._recent(flow.brand, at), self.speller)

    def _recent(self, brand: str, now: datetime) -> CopyIndex:
        """The brand's recent replies, brought up to date with what every worker sent."""
        since = now - self._window
        with self._lock:
            with self._connection() as conn:
                fresh = queries.sent_replies(conn, self._seen, since)
            for reply_id, of_brand, case_id, customer, sent_at, shape in fresh:
                self._copies.setdefault(of_brand, CopyIndex()).add(case_id, customer, sent_at,
                                                                   shape)
                self._seen = max(self._seen, reply_id)
            index = self._copies.setdefault(brand, CopyIndex())
            index.forget_before(since - self._window / FORGET_IN)
            return index


def write(flow: Flow, case: Case, by: str, template: str,
          issued: Remedy | None = None, extra: Mapping[str, Any] | None = None) -> Rendered:
    """Render `template` for a case: in the customer's language (else the brand's), the
    brand's voice, the variant for the customer's mood first."""
    declared = flow.settings.remedies.get(case.remedy_kind or "")
    context = template_context(case, by, declared.says if declared else None, issued)
    return flow.render(template, case.channel, [case.language] if case.language else None,
                       variant_of(case), **{**context, **(extra or {})})


def rules_for(flow: Flow) -> Rules:
    """The linting rules a brand's flow file declares."""
    settings = flow.settings
    declared = settings.replies
    regions = flow.audience.owned.regions
    direct = e164(settings.direct_line, regions) if settings.direct_line else None
    return Rules(phrasebook(declared.phrases), flow.audience,
                 {channel: settings.length_limit(channel) for channel in settings.channels},
                 direct, declared.copies.window, declared.copies.similarity,
                 frozenset({*declared.words, *settings.name.split()}),
                 tuple(filter(None, (settings.direct_line, *declared.contacts))),
                 lexicon(declared.concepts))


def subject_of(case: Case, public: bool) -> Subject:
    """Who a reply on `case` goes to, and where."""
    return Subject(case.channel, public, case.author, (case.name,) if case.name else (),
                   case.language)


def template_context(case: Case, by: str, says: Mapping[str, Any] | None = None,
                     issued: Remedy | None = None) -> dict[str, Any]:
    """What a reply template may use besides the brand's name, zone and direct line. `says`
    is how the brand words the case's remedy per language (its `remedies: KIND: says:`);
    `issued` the remedy issued last on the case (its code and expiry). A remedy or incident
    the case has not got is `Absent`: false in an `if`, and used anyway, it says what to do."""
    name = case.name or ""
    called = address(name, case.language)
    remedy: dict[str, Any] | Absent = Absent(
        f"case {case.id} has no remedy agreed; offer one first (offer_remedy()) or use "
        "another template")
    if case.remedy_kind is not None:
        remedy = {"kind": case.remedy_kind, "value": case.remedy_value, "unit": case.remedy_unit,
                  "says": dict(says or {}), "code": issued.code if issued else None,
                  "expires_at": issued.expires_at if issued else None}
    return {
        "case": {"id": case.id, "channel": case.channel, "state": case.state,
                 "opened_at": case.opened_at, "text": case.text,
                 "about": about(case.text, case.language)},
        "customer": {"handle": publishable(case.author), "name": publishable(name),
                     "first_name": publishable(called.first_name),
                     "vocative": publishable(called.vocative), "gender": called.gender,
                     "language": case.language, "register": case.register,
                     "emotion": case.emotion},
        "agent": by,
        "finding": case.finding,
        "explanation": case.explanation,
        "root_cause": Absent("the root cause is the team's words and stays internal; say what "
                             "the customer is told in their language with the finding's "
                             "explanation= and use {{ explanation }}"),
        "remedy": remedy,
        "incident": Absent(f"case {case.id} is linked to no incident; link it first "
                           "(incidents.link()) or use another template"),
    }


def variant_of(case: Case) -> str | None:
    """The template variant the customer's mood asks for (`angry`, `curious`), if any."""
    return case.emotion if case.emotion and case.emotion != "neutral" else None
