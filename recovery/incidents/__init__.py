"""Incidents: a problem that touches many customers (an outage, a delay), announced before they
find it, updated, and resolved, in posts in every served language (the brand's templates in its
voice, or the team's text given per language; linted like any reply; `posts.py`). Its title
and root cause are the team's words and stay internal. Complaints are linked to it: suggested
when one arrives on its channels during it and says its keywords, confirmed by a person. Each
linked case still gets its own replies; resolving the incident records each one's finding
(founded, with the incident's root cause and its cause as told in the case's language) so its
own resolution reply and follow-up can go as usual. Nothing is deleted.

A room of the engine (`engine.incidents`), like the webhook outbox: its own facade of a few
commands, each one transaction. Posts reach the subscribers as `Notice`s (`incident_announce`,
`incident_update`, `incident_resolve`); linking a case is an `incident` event on the case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from recovery import limits
from recovery.errors import (
    ConcurrentUpdate,
    InvalidInput,
    NotFound,
    PolicyViolation,
    RecoveryError,
)
from recovery.flows import Flow
from recovery.flows.validate import INCIDENT as LINK
from recovery.incidents.posts import Wording, context, texts, wording
from recovery.policy import Recorder
from recovery.replies import Linted, Subject
from recovery.room import Apply, ReadFacts, record
from recovery.signals.text import fold
from recovery.store import incident_sql as sql
from recovery.store.compiled import read_json
from recovery.store.queries import get_case
from recovery.store.records import Event, Incident, IncidentLink, IncidentPost, Notice
from recovery.store.writer import Tx, Writer

KEYWORDS = 20
"""The most keywords an incident declares."""
MOVED = "finding recorded: founded"
"""What became of a linked case its incident's resolution moved on."""

Check = Callable[[Flow, str, Subject, datetime], Linted]
When = Callable[[datetime | None], datetime]


@dataclass(frozen=True)
class Resolution:
    """An incident resolved, and what became of each linked case: `MOVED`, or why not
    (`already founded`, left in a state, the refusal)."""

    incident: Incident
    cases: dict[int, str]


class Incidents:
    """The incidents of one engine: open, update, resolve, move, link; list and read."""

    def __init__(self, flow: Callable[[str], Flow], writer: Writer,
                 connection: Callable[[], AbstractContextManager[Connection]], check: Check,
                 apply: Apply, facts: ReadFacts, when: When) -> None:
        self._flow = flow
        self._writer = writer
        self._connection = connection
        self._check = check
        self._apply = apply
        self._facts = facts
        self._when = when

    # -- commands ----------------------------------------------------------------------------

    def open(self, brand: str, *, title: str, by: str, says: Wording | str | None = None,
             channels: Iterable[str] | None = None, keywords: Iterable[str] = (),
             template: str = "outage", text: Wording | str | None = None,
             next_update: timedelta | None = None, override: str | None = None,
             at: datetime | None = None) -> Incident:
        """Open an incident and post its announcement to `channels` (the brand's, by default)
        in each served language: from `template`, or `text` as given per language. `title`
        is the team's; `says` the problem as each served language puts it in public (without
        it, the templates speak of "a problem"). Blocking findings refuse it unless `override`
        says why."""
        flow, when = self._flow(brand), self._when(at)
        problem = wording(flow, says, "the problem as the public reads it", "says",
                          limits.NAME)
        limits.person(by)
        title = limits.text(title, "the title", limits.NAME).strip()
        if not title:
            raise InvalidInput("give the incident a title: what happened, in a few words")
        chosen = list(dict.fromkeys(channels or flow.settings.channels))
        for channel in chosen:
            flow.serving(channel)
        listed = list(keywords)
        if len(listed) > KEYWORDS:
            raise InvalidInput(f"at most {KEYWORDS} keywords")
        words = [word for word in (fold(limits.text(item, "a keyword", 100)).strip()
                                   for item in listed) if word]
        given = wording(flow, text, "the announcement", "text", limits.REPLY)
        said = {"problem": problem} if problem else None
        with self._writer.transaction() as tx:
            incident_id = int(tx.run(sql.INSERT, {
                "brand": brand, "title": title, "status": "open", "channels": chosen,
                "keywords": words or None, "opened_at": when, "opened_by": by,
                "resolved_at": None, "root_cause": None, "posts": 0, "says": said,
                "next_update": None}).fetchone()[0])
            incident = Incident(incident_id, brand, title, "open", chosen, words, when, by,
                                None, None, 0, says=said)
            self._post(tx, flow, incident, "announce", by, template, given, next_update,
                       override, when)
        return self.get(incident_id)

    def update(self, incident_id: int, *, by: str, text: Wording | str | None = None,
               template: str | None = None, next_update: timedelta | None = None,
               override: str | None = None, at: datetime | None = None) -> list[IncidentPost]:
        """Post a status update in each served language: `text` given per language, or a
        template."""
        limits.person(by)
        if (template is None) == (text is None):
            raise InvalidInput("give the update's text or its template (one of them)")
        incident = self._open(incident_id)
        flow, when = self._flow(incident.brand), self._when(at)
        given = wording(flow, text, "the update", "text", limits.REPLY)
        with self._writer.transaction() as tx:
            return self._post(tx, flow, incident, "update", by, template, given, next_update,
                              override, when)

    def resolve(self, incident_id: int, *, root_cause: str, by: str,
                fixed: Wording | str | None = None, explained: Wording | str | None = None,
                template: str = "outage_resolved", text: Wording | str | None = None,
                move_cases: bool = True, override: str | None = None,
                at: datetime | None = None) -> Resolution:
        """Post the resolution in each served language and close the incident. `root_cause`
        is the team's (each linked case's finding keeps it); `fixed` says what works again and
        `explained` the cause as the public is told it, each per served language (without
        them, the templates say the problem is fixed). With `move_cases`, each linked case's
        finding is recorded as founded, its explanation the cause as told in its language
        (each case then gets its own resolution reply, and its follow-up, as usual)."""
        limits.person(by)
        cause = limits.text(root_cause, "the root cause", limits.NOTE).strip()
        if not cause:
            raise InvalidInput("say what caused it (root_cause=): each linked case keeps it")
        incident = self._open(incident_id)
        flow, when = self._flow(incident.brand), self._when(at)
        said = dict(incident.says or {})
        for name, given, what in (("fixed", fixed, "what works again"),
                                  ("explained", explained, "the cause as the public is told")):
            found = wording(flow, given, what, name)
            if found:
                said[name] = found
        resolved = replace(incident, root_cause=cause, says=said or None)
        given = wording(flow, text, "the resolution", "text", limits.REPLY)
        with self._writer.transaction() as tx:
            self._post(tx, flow, resolved, "resolve", by, template, given, None, override,
                       when, cause)
        return self.move(incident_id, by=by, at=at) if move_cases else Resolution(
            self.get(incident_id), {})

    def move(self, incident_id: int, *, by: str, at: datetime | None = None) -> Resolution:
        """Move the resolved incident's linked cases on: each not yet founded gets the finding
        founded with the incident's root cause (again after a crash, or once a case left
        behind has had its own acknowledgement)."""
        limits.person(by)
        incident = self.get(incident_id)
        if incident.status != "resolved" or incident.root_cause is None:
            raise PolicyViolation(f"incident {incident_id} is still open; resolve it with its "
                                  "root cause first")
        when = self._when(at)
        told = (incident.says or {}).get("explained", {})
        return Resolution(incident, {
            link.case_id: self._found(link.case_id, incident.root_cause, told, by, when)
            for link in self.links(incident_id) if link.status == "linked"})

    def link(self, incident_id: int, case_ids: Iterable[int], *, by: str,
             at: datetime | None = None) -> list[Event]:
        """Link cases to the incident (confirming a suggestion, or by hand): an `incident` event
        on each case; a case already linked is left as it is."""
        limits.person(by)
        incident = self.get(incident_id)
        when = self._when(at)
        chosen = [limits.ident(case_id, "case") for case_id in dict.fromkeys(case_ids)]
        with self._connection() as conn:  # every case checked before any is linked
            for case_id in chosen:
                case = get_case(conn, case_id)
                if case is None:
                    raise NotFound(f"no case {case_id}")
                if case.brand != incident.brand:
                    raise InvalidInput(f"case {case_id} is {case.brand}'s; incident "
                                       f"{incident_id} is {incident.brand}'s")
        events: list[Event] = []
        for case_id in chosen:
            with self._writer.transaction(case_id) as tx:
                _flow, facts, version = self._facts(tx, case_id, when)
                found = tx.run(sql.LINKED, {"of": incident_id, "case": case_id}).fetchone()
                if found is not None and found[0] == "linked":
                    continue
                values = {"of": incident_id, "case": case_id, "at": when, "by": by}
                if found is None:
                    tx.run(sql.LINK, {"incident_id": incident_id, "case_id": case_id,
                                      "suggested_at": None, "linked_at": when, "linked_by": by})
                else:
                    tx.run(sql.CONFIRM, values)
                event = record(tx, case_id, version, facts.state, when, by, LINK,
                               {"incident": incident_id, "title": incident.title,
                                "suggested": found is not None})
            events.append(event)
        return events

    def suggest(self, tx: Tx, case_id: int, brand: str, channel: str, text: str,
                at: datetime) -> list[int]:
        """In the transaction that opens a case: suggest it for each open incident of the
        brand on its channel whose keywords the complaint says; returns the incidents' ids."""
        rows = tx.run(sql.OPEN_ON, {"brand": brand, "at": at}).fetchall()
        if not rows:
            return []
        folded = fold(text)
        matching = [incident_id for incident_id, channels, keywords in rows
                    if channel in read_json(channels)
                    and any(word in folded for word in read_json(keywords) or [])]
        for incident_id in matching:
            tx.run(sql.SUGGEST, {"incident_id": incident_id, "case_id": case_id,
                                 "suggested_at": at, "linked_at": None, "linked_by": None})
        return matching

    # -- queries -------------------------------------------------------------------------------

    def get(self, incident_id: int) -> Incident:
        """The incident with that id."""
        with self._connection() as conn:
            found = sql.get(conn, limits.ident(incident_id, "incident"))
        if found is None:
            raise NotFound(f"no incident {incident_id}")
        return found

    def listing(self, *, brand: str | None = None, status: str | None = None,
                limit: int = 100) -> list[Incident]:
        """Incidents, newest first; by brand, and `open` or `resolved`."""
        if status not in (None, "open", "resolved"):
            raise InvalidInput(f"no incident status '{str(status)[:20]}'; open or resolved")
        if brand is not None:
            self._flow(brand)
        with self._connection() as conn:
            return sql.listing(conn, brand, status, limits.rows(limit))

    def posts(self, incident_id: int) -> list[IncidentPost]:
        """What the incident posted, in order."""
        self.get(incident_id)
        with self._connection() as conn:
            return sql.posts(conn, incident_id)

    def links(self, incident_id: int | None = None, *,
              case_id: int | None = None) -> list[IncidentLink]:
        """The cases suggested for or linked to an incident; or a case's incidents."""
        incident_id = None if incident_id is None else limits.ident(incident_id, "incident")
        case_id = None if case_id is None else limits.ident(case_id, "case")
        with self._connection() as conn:
            return sql.links(conn, incident_id=incident_id, case_id=case_id)

    def context_for(self, case_id: int, language: str) -> dict[str, Any] | None:
        """What a reply template in `language` may say of the incident the case is linked to
        (the latest)."""
        linked = [link for link in self.links(case_id=case_id) if link.status == "linked"]
        if not linked:
            return None
        incident = self.get(linked[-1].incident_id)
        return context(incident, incident.next_update, language)

    # -- inside --------------------------------------------------------------------------------

    def _open(self, incident_id: int) -> Incident:
        incident = self.get(incident_id)
        if incident.status != "open":
            raise PolicyViolation(f"incident {incident_id} is resolved; open a new one for a "
                                  "new problem")
        return incident

    def _post(self, tx: Tx, flow: Flow, incident: Incident, kind: str, by: str,
              template: str | None, given: Mapping[str, str] | None,
              next_update: timedelta | None, override: str | None, at: datetime,
              cause: str | None = None) -> list[IncidentPost]:
        """Write and lint the incident's post on each of its channels; record them."""
        override = limits.optional(override, "the override", limits.NOTE)
        if next_update is not None and not isinstance(next_update, timedelta):
            raise InvalidInput("next_update must be a duration (timedelta)")
        upcoming = at + limits.span(next_update, "next_update") if next_update else None
        posted: list[IncidentPost] = []
        blocking: list[str] = []
        for channel in incident.channels:
            for language, body, source in texts(flow, channel, template, given, incident,
                                                upcoming):
                linted = self._check(flow, body, Subject(channel, True, "", (), language), at)
                blocking += [f"{channel} ({language}): {finding.message}"
                             for finding in linted.blocking]
                posted.append(IncidentPost(incident.id, incident.posts + 1, kind, at, by,
                                           channel, language, body, source,
                                           linted.as_payload() or None, override))
        if blocking and not override:
            raise PolicyViolation(f"incident {incident.id}: post refused: "
                                  f"{'; '.join(blocking)}; reword it, or override with a "
                                  "reason to post it anyway")
        bound = {"incident_id": incident.id, "old_posts": incident.posts,
                 "new_posts": incident.posts + 1}
        moved = tx.run(sql.RESOLVE, {**bound, "at": at, "cause": cause, "says": incident.says}
                       ) if kind == "resolve" else tx.run(sql.ADVANCE, {**bound, "next": upcoming})
        if moved.rowcount != 1:
            raise ConcurrentUpdate(incident.id, "incident")
        for post in posted:
            tx.run(sql.POST, asdict(post))
            tx.tell(Notice(incident.brand, post.channel, f"incident_{post.kind}", post.at,
                           post.at, post.language, post.text))
        return posted

    def _found(self, case_id: int, cause: str, told: Mapping[str, str], by: str,
               at: datetime) -> str:
        """Record a linked case's finding as founded with the incident's root cause (and its
        cause as told in the case's language, its explanation); where the flow does not allow
        it from the case's state, first take the one step there that records nothing
        (investigate). A case not yet acknowledged is left for its own public reply."""
        with self._connection() as conn:
            case = get_case(conn, case_id)
        explanation = (told.get(self._flow(case.brand).answering(case.language))
                       if case is not None else None)
        try:
            with self._writer.transaction(case_id) as tx:
                flow, facts, _version = self._facts(tx, case_id, at)
                if facts.finding == "founded":
                    return "already founded"
                triggers = flow.settings.flow.triggers
                wanted = triggers[flow.recorder["finding"]].sources
                if facts.state not in wanted:
                    step = next((option.trigger for option in flow.options(facts)
                                 if option.allowed and triggers[option.trigger].to in wanted
                                 and triggers[option.trigger].records is None), None)
                    if step is None:
                        return (f"left in '{facts.state}': no one step records its finding "
                                "from there (acknowledge it with its own reply first)")
                    self._apply(tx, case_id, step, by, None, None, at)
                told = {"explanation": explanation} if explanation else {}
                self._apply(tx, case_id, Recorder("finding"), by, None,
                            {"finding": "founded", "root_cause": cause, **told}, at)
        except RecoveryError as exc:
            return f"not moved: {exc}"
        return MOVED
