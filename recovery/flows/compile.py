"""Compile a validated flow once into a shared `transitions` Machine.

A `Flow` is the runtime face of one brand: its settings, one Machine shared by all its cases
(a case is a database row, never an in-memory machine), the timers armed per state and the
trigger that records each kind of fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from difflib import get_close_matches
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError
from transitions import EventData, Machine

from recovery.clock.calendar import ROUND_THE_CLOCK, Calendar
from recovery.errors import FlowError, InvalidInput, Problem
from recovery.flows.guards import GUARDS, CaseFacts, Guard
from recovery.flows.schema import BrandFile
from recovery.flows.templates import Rendered, Templates
from recovery.flows.versions import parts_of, text_of, version_of, without_parts
from recovery.formats import PERCENT, TEAM_LANGUAGE, amount, is_currency, locale_of
from recovery.signals import Audience


@dataclass(frozen=True)
class TriggerOption:
    """A trigger of the flow as seen from one case: may it fire now, and if not, why not; and,
    for one that goes through another call than `fire` (the remedy ledger, the finding, the
    follow-up the engine asks by itself), the engine's method to use (`via`)."""

    trigger: str
    allowed: bool
    reason: str = ""
    via: str | None = None


@dataclass(frozen=True)
class Flow:
    """A brand's compiled flow and settings. Built by `load_flows`; immutable and shared."""

    brand: str
    file: Path
    settings: BrandFile
    machine: Machine
    timers_in: dict[str, tuple[tuple[str, timedelta], ...]]
    recorder: dict[str, str]
    calendar: Calendar
    audience: Audience
    """Whom the brand answers: languages served and watched, its own numbers and domains."""
    folders: tuple[Path, ...]
    """The brand's folder, then those of the flows it extends (where templates are found)."""
    templates: Templates
    resolved: dict[str, Any]
    """The flow file as read, merged over the flow it extends."""
    version: str
    """The version the cases opened under this flow run under (`flows/versions.py`)."""
    version_text: str
    """That version's text, kept in the database beside the cases."""

    def at_version(self, version: str, text: str) -> Flow:
        """The brand's flow with the parts of an older `version` (its kept `text`) in place of
        its own (a part the version lacks is lacking, not taken from now): what a case opened
        under that version runs under until it is migrated."""
        if version_of(text) != version:
            raise FlowError([Problem(self.file, None, f"the text kept in the database for "
                                     f"version {version} of {self.brand}'s flow was changed "
                                     "since (it no longer matches its hash)",
                                     f"move its cases to the current version: recovery flow "
                                     f"migrate {self.brand}")])
        resolved = {**without_parts(self.resolved), **parts_of(text)}
        try:
            settings = BrandFile.model_validate(resolved)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise FlowError([Problem(self.file, None, f"version {version} of {self.brand}'s "
                                     f"flow, kept in the database, no longer reads beside the "
                                     f"brand's settings: {where}: {first['msg']}",
                                     f"move its cases to the current version: recovery flow "
                                     f"migrate {self.brand}")]) from None
        return compile_flow(self.brand, self.file, settings, self.folders, self.templates,
                            resolved, (version, text))

    @property
    def name(self) -> str:
        """The brand's display name."""
        return self.settings.name

    @property
    def locale(self) -> str:
        """The locale the brand's team reads numbers and money in: its first language, in the
        country of its holidays (`cs_CZ`)."""
        return locale_of(self.settings.languages[0], self.settings.holidays.country)

    def amount(self, value: Decimal, unit: str, kind: str | None = None,
               locale: str | None = None) -> str:
        """A remedy's amount as the brand words it for `locale`: money, a percentage, or its
        own words for the unit (`remedies: KIND: says:`). Without a locale it is for the team,
        who read English sentences: money in the brand's locale, a unit in English words."""
        declared = self.settings.remedies.get(kind or "")
        if locale is None:
            locale = self.locale if is_currency(unit) or unit == PERCENT else TEAM_LANGUAGE
        return amount(value, unit, locale, declared.says if declared else None)

    def answering(self, language: str | None) -> str:
        """The language a reply to a customer writing in `language` is written in: theirs
        where the brand serves it, else the brand's first."""
        served = self.settings.languages
        return language if language in served else served[0]

    @property
    def initial(self) -> str:
        """The state every new case starts in."""
        return self.settings.flow.initial

    def sources(self, trigger: str) -> list[str]:
        """The states `trigger` may fire from."""
        decl = self.settings.flow.triggers.get(trigger)
        return list(decl.sources) if decl else []

    def is_terminal(self, state: str) -> bool:
        """True when `state` ends a case."""
        return self.settings.flow.states[state].terminal

    def resolution_clock(self, state: str) -> str:
        """What the resolution clock does in `state`: running, paused or stopped."""
        decl = self.settings.flow.states[state]
        return "stopped" if decl.terminal else decl.resolution

    def render(self, name: str, channel: str, languages: list[str] | None = None,
               variant: str | None = None, **context: Any) -> Rendered:
        """Render one of the brand's templates in the first of `languages` (then the brand's)
        that has it, in the brand's voice, with its zone and name at hand."""
        settings = self.settings
        return self.templates.render(self.folders, settings.voice,
                                     [*(languages or ()), *settings.languages], name, channel,
                                     variant, brand=settings.name, zone=self.calendar.zone,
                                     country=settings.holidays.country,
                                     direct_line=settings.direct_line, **context)

    def serving(self, channel: str) -> Flow:
        """This flow, when the brand serves `channel`; refused, naming those it serves."""
        if channel not in self.settings.channels:
            served = ", ".join(self.settings.channels)
            raise InvalidInput(f"{self.brand} does not serve channel '{channel}'; it serves "
                               f"{served}")
        return self

    def clock_calendar(self, channel: str) -> Calendar:
        """The calendar a channel's SLA clocks count: business hours, or round the clock."""
        policy = self.settings.channels[channel]
        return self.calendar if policy.clock == "business" else ROUND_THE_CLOCK

    def options(self, facts: CaseFacts) -> list[TriggerOption]:
        """Every trigger of the flow, allowed or not from the case described by `facts`."""
        result = []
        for trigger, decl in self.settings.flow.triggers.items():
            if facts.state not in decl.sources:
                result.append(TriggerOption(trigger, False,
                                            f"only from {', '.join(decl.sources)}"))
                continue
            refusal = next((f"{name}: {reason}" for name in decl.guards
                            if (reason := GUARDS[name](facts)) is not None), "")
            result.append(TriggerOption(trigger, not refusal, refusal))
        return result


def compile_flow(brand: str, file: Path, settings: BrandFile, folders: tuple[Path, ...],
                 templates: Templates, resolved: dict[str, Any],
                 version: tuple[str, str] | None = None) -> Flow:
    """Build the shared Machine and the business calendar of a validated flow (`resolved`, as
    read); its `version` and text, unless given, are those of `resolved`."""
    decl = settings.flow
    machine = Machine(model=None, states=list(decl.states), initial=decl.initial,
                      auto_transitions=False, send_event=True, name=brand)
    for trigger, spec in decl.triggers.items():
        conditions = [_condition(name, GUARDS[name]) for name in spec.guards]
        machine.add_transition(trigger, list(spec.sources), spec.to, conditions=conditions)
    timers: dict[str, list[tuple[str, timedelta]]] = {}
    for timer in decl.timers.values():
        timers.setdefault(timer.state, []).append((timer.fire, timer.after))
    recorder = {str(spec.records): name for name, spec in decl.triggers.items() if spec.records}
    if version is None:
        text = text_of(resolved)
        version = (version_of(text), text)
    return Flow(brand, file, settings, machine,
                {state: tuple(items) for state, items in timers.items()}, recorder,
                settings.calendar(), settings.audience(), folders, templates, resolved,
                *version)


def _condition(name: str, guard: Guard) -> Any:
    def check(event: EventData) -> bool:
        facts = cast(CaseFacts, event.model)
        reason = guard(facts)
        if reason is None:
            return True
        facts.refusal = (name, reason)
        return False

    check.__name__ = name
    return check


def check_state(flows: Sequence[Flow], state: str, whose: str) -> None:
    """Refuse a state that none of `flows` has, naming theirs (and the one meant)."""
    states = list(dict.fromkeys(name for flow in flows for name in flow.settings.flow.states))
    if state not in states:
        close = get_close_matches(state, states, n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        raise InvalidInput(f"no state '{state}' in {whose} ({guess}states: {', '.join(states)})")
