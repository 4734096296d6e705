"""Hide a post under the brand's house rules (abuse, spam, other people's personal data), never
a complaint: the post, the rule and who hid it are recorded as a `hide` event on the case whose
thread it is in. The engine hides nothing by itself and deletes nothing.

A room of the engine, like `redaction.py`: one transaction per post. Refused with one line: a
rule the brand does not declare, the complaint's own post, and any post of the complaining
customer (everything a customer posts in public stays public; answer it).
"""

from __future__ import annotations

from datetime import datetime

from recovery import limits
from recovery.errors import InvalidInput, PolicyViolation
from recovery.flows.moderation import HIDE
from recovery.room import ReadFacts, record
from recovery.store.records import Case, Event
from recovery.store.writer import Writer

NEVER = ("never hide or delete a complaint (the never-delete rule): everything a customer "
         "posts in public stays public; answer it")


class Moderator:
    """Hides posts in the threads of one engine's cases."""

    def __init__(self, writer: Writer, facts: ReadFacts) -> None:
        self._writer = writer
        self._facts = facts

    def hide(self, case: Case, post: str, rule: str, by: str, author: str | None,
             text: str | None, at: datetime) -> Event:
        """Record that `post` (by `author`, saying `text`) in the case's thread is hidden
        under `rule`; returns the `hide` event."""
        post = limits.text(post, "the post", limits.NAME).strip()
        rule = limits.text(rule, "the rule", limits.NAME)
        author = (limits.optional(author, "the post's author", limits.NAME) or "").strip()
        text = limits.optional(text, "the post's text", limits.COMPLAINT)
        if not post:
            raise InvalidInput("name the post to hide (post=, its id on the platform)")
        if post == case.external_id or author.casefold() == case.author.casefold():
            raise PolicyViolation(f"case {case.id}: {NEVER}")
        with self._writer.transaction(case.id) as tx:
            flow, facts, version = self._facts(tx, case.id, at)
            rules = flow.settings.moderation.hides
            if rule not in rules:
                raise InvalidInput(
                    f"{flow.brand} hides nothing under '{rule[:40]}'; its house rules: "
                    f"{', '.join(rules)}" if rules else f"{flow.brand} declares no house rules "
                    "to hide a post under: add moderation: hides: to its flow.yaml")
            payload = {"post": post, "rule": rule, "covers": rules[rule],
                       **({"author": author} if author else {}),
                       **({"text": text} if text else {})}
            event = record(tx, case.id, version, facts.state, at, by, HIDE, payload)
        return event
