"""The shape of a brand's flow file, checked field by field with pydantic.

A file declares the brand (time zone, languages, voice, hours, holidays, channels with their SLA
targets, remedy limits) and, under `flow:`, its states, triggers and timers. Graph-level checks
(unknown or unreachable states, dead ends, …) live in `validate.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phonenumbers import SUPPORTED_REGIONS
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from recovery.clock.calendar import Calendar, DaysOff
from recovery.flows.base import STRICT, Duration, Names, Within
from recovery.flows.durations import checked
from recovery.flows.follow_up import FollowUp
from recovery.flows.moderation import Moderation
from recovery.flows.priority import Raised, Rule, Targets
from recovery.flows.remedies import Goodwill, RemedyLimit
from recovery.flows.webhooks import Webhooks
from recovery.signals import Audience, Owned
from recovery.signals.language import known
from recovery.signals.personal import e164, linear

CHANNELS = frozenset({
    "twitter", "facebook", "instagram", "linkedin", "pinterest", "snapchat", "tiktok",
    "whatsapp", "viber", "skype", "messenger", "reviews", "email", "phone", "chat",
})
"""Channels a brand can declare."""

LENGTH_LIMITS = {"twitter": 280, "tiktok": 150, "pinterest": 500, "linkedin": 1250,
                 "instagram": 2200}
"""The most characters a reply may have on channels with a hard limit (a brand may lower it)."""

WATCHED = ("en", "cs", "sk", "pl", "hr", "sl", "el", "de", "hu", "uk")
"""Languages detected by default besides those a brand serves, so an unserved one is noticed."""

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_INTERVAL = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_DAYSPEC = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?$")


class Strict(BaseModel):
    """Base of every section: unknown keys are errors (they are usually typos)."""

    model_config = STRICT


class ChannelPolicy(Strict):
    """SLA targets of one channel."""

    first_response: Targets = Field(description="how soon a first public answer is due")
    resolution: Targets = Field(description="how soon the case is due resolved")
    clock: Literal["business", "calendar"] = Field(
        "business", description="business: targets count the team's hours; calendar: round "
        "the clock")
    warn_at: float = Field(0.8, gt=0, lt=1, description="share of the target that warns")
    after_hours_notice: bool = Field(True, description="answer a complaint that arrives while "
                                     "the team is away with a notice saying when it is back")
    greetings: bool = Field(False, description="post a daily hello at opening and goodbye at "
                            "closing (instant channels)")
    max_length: int | None = Field(None, gt=0, description="the most characters a reply may "
                                   "have (default: the platform's limit, 280 on twitter)")

    @model_validator(mode="before")
    @classmethod
    def _clock_words(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            clock = value.get("clock", "business")
            for name in ("first_response", "resolution"):
                checked(value.get(name), clock, f"the {name.replace('_', ' ')} target", "hours")
        return value


class Escalation(Strict):
    """What happens when a clock warns or breaches: raise the priority, tell people."""

    priority: Literal["high", "urgent"] | None = Field(None, description="the priority the "
                                                       "case rises to")
    notify: Names = Field([], description="roles the helpdesk alerts (lead, manager)")


class Copies(Strict):
    """When a reply counts as a copy of one sent to another customer."""

    window: Duration = Field(default=timedelta(days=7), description="how far back replies are "
                             "compared")
    similarity: float = Field(default=90, ge=50, le=100, description="percent alike, names and "
                              "numbers aside")


Concept = Literal["negation", "we", "fault", "third", "cause", "problem", "repair", "promise",
                  "stock", "specific", "contact", "channel", "pointer", "private"]
"""The concepts the reply linter reads sentences by (`recovery/replies/concepts.py`)."""


class ReplyRules(Strict):
    """What the reply linter and the reading of complaints need to know of the brand."""

    regions: list[str] = Field(default=[], description="countries whose local phone numbers "
                               "customers write (default: the holidays country)")
    watch: list[str] = Field(default=list(WATCHED), description="languages detected besides "
                             "those served, so a complaint in one of them is flagged as unserved")
    order_number: str | None = Field(default=None, description="a regular expression matching the "
                                     "brand's order numbers, e.g. BR-\\d{6}")
    contacts: list[str] = Field(default=[], description="the brand's own hotlines (with their "
                                "country code) and e-mail addresses: not personal data, but "
                                "still a redirect")
    copies: Copies = Copies()
    phrases: dict[str, dict[Literal["blame", "hollow", "redirect", "courtesy"], list[str]]] = Field(
        default={}, description="more phrases the linter flags, per language and kind")
    concepts: dict[str, dict[Concept, list[str]]] = Field(
        default={}, description="more words for the linter's concepts, per language: e.g. "
        "cs: {third: [rohlík*]} names the brand's own courier")
    words: list[str] = Field(default=[], description="the brand's own words the spell checker "
                             "accepts")

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        for code in value:
            if code not in SUPPORTED_REGIONS:
                raise ValueError(f"'{code}' is not a phone region (an ISO 3166 code: CZ, PL)")
        return value

    @field_validator("contacts")
    @classmethod
    def _contacts(cls, value: list[str]) -> list[str]:
        for item in value:
            if "@" not in item and e164(item, ()) is None:
                raise ValueError(f"'{item}' is neither an e-mail address nor a phone number "
                                 "with its country code (+420 800 100 200)")
        return value

    @field_validator("watch")
    @classmethod
    def _watch(cls, value: list[str]) -> list[str]:
        for code in value:
            if not known(code):
                raise ValueError(f"'{code}' is not a language the detector knows (ISO 639-1)")
        return value

    @field_validator("order_number")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            linear(value)
        return value


class Holidays(Strict):
    """Days the care team is off: a country's public holidays and/or explicit dates."""

    country: str | None = Field(default=None,
                                description="whose public holidays (ISO 3166: CZ, PL)")
    subdivision: str | None = Field(default=None, description="a region with holidays of its own "
                                    "(country: DE, subdivision: BY)")
    dates: list[date] = Field(default=[], description="more days off (YYYY-MM-DD)")

    @model_validator(mode="after")
    def _known_region(self) -> Holidays:
        if self.country is None:
            if self.subdivision is not None:
                raise ValueError("a subdivision needs its country (country: DE, subdivision: BY)")
            return self
        import holidays  # imported here: 40 ms that only a brand with a country needs
        from holidays.registry import COUNTRIES  # codes without loading each country (50 ms)

        if self.country not in {entry[1] for entry in COUNTRIES.values()}:
            raise ValueError(f"'{self.country}' is not a country the holidays package knows "
                             "(use an ISO 3166 code such as CZ, PL, HR, GR)")
        if self.subdivision is not None:
            known = holidays.list_supported_countries()[self.country]
            if self.subdivision not in known:
                raise ValueError(f"'{self.subdivision}' is not a subdivision of {self.country} "
                                 f"(known: {', '.join(known) or 'none'})")
        return self


class StateDecl(Strict):
    """One state of the flow."""

    description: str = Field("", description="what the state means, for people")
    terminal: bool = Field(False, description="the case is done here (resolved, closed)")
    resolution: Literal["running", "paused", "stopped"] = Field(
        "running", description="the resolution clock in this state: paused while waiting on "
        "the customer, stopped once resolved (terminal states always stop it)")
    private: bool = Field(False, description="the conversation is private here (direct "
                          "messages, phone): the follow-up goes by private message")


class TriggerDecl(Strict):
    """One trigger: the states it fires from, where it leads, its guards and what it records."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    sources: Names = Field(alias="from", min_length=1,
                           description="the state or states it fires from")
    to: str | None = Field(None, description="destination; omitted means the case stays put")
    guards: Names = Field([], description="named rules that must hold: acknowledged_publicly, "
                          "has_finding, has_remedy, warrants_remedy")
    records: Literal["acknowledgement", "finding", "remedy"] | None = Field(
        None, description="what firing it records on the case")
    description: str = Field("", description="what the trigger means, for people")


class TimerDecl(Strict):
    """A timer armed when a case enters `state`; after `after` it fires `fire`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    state: str = Field(alias="in", description="the state that arms it")
    after: Within = Field(description="how long after entering the state it fires")
    fire: str = Field(description="the trigger it fires")

    @field_validator("after")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("a timer must wait a positive time, e.g. 3d")
        return value


class FlowDecl(Strict):
    """The state machine of a brand."""

    initial: str = Field(description="the state a new case starts in")
    states: dict[str, StateDecl] = Field(description="every state a case may be in")
    triggers: dict[str, TriggerDecl] = Field(description="what moves a case, by name")
    timers: dict[str, TimerDecl] = Field({}, description="triggers fired by time, by name")


class BrandFile(Strict):
    """A whole flow file after merging it over the flow it extends."""

    name: str = Field(min_length=1, description="the brand's name as customers know it")
    extends: str | None = Field(None, description="the flow this one builds on (a folder "
                                "name): mappings merge key by key, other values replace, "
                                "null removes a key")
    abstract: bool = Field(False, description="a base for other flows, not a brand")
    timezone: str = Field(description="the care team's IANA time zone")
    languages: list[str] = Field(min_length=1, description="the languages the brand "
                                 "answers in (ISO 639-1), the first its default")
    voice: Literal["formal", "casual"] = Field(description="how its replies address people")
    direct_line: str | None = Field(None, description="the phone number replies may give "
                                    "customers")
    hours: dict[str, list[str]] = Field(description="the care team's week: days or day "
                                        "ranges to opening intervals (replaces the base's "
                                        "week as a whole)")
    holidays: Holidays = Holidays()
    channels: dict[str, ChannelPolicy] = Field(min_length=1, description="the channels "
                                               "served, each with its SLA targets")
    remedies: dict[Annotated[str, Field(max_length=32)], RemedyLimit] = Field(
        {}, description="the remedy kinds offered, by name")
    people: dict[str, Literal["agent", "lead"]] = Field(
        default={}, description="who acts, and as what; without it anyone may act and no remedy "
        "waits for approval")
    goodwill: Goodwill = Goodwill()
    follow_up: FollowUp | None = None
    moderation: Moderation = Moderation()
    priority: dict[Raised, Rule] = Field(default={}, description="when a case is high or "
                                         "urgent: its reach and mood (flows/priority.py)")
    escalations: dict[Literal["first_response", "resolution"],
                      dict[Literal["warning", "breach"], Escalation]] = Field(
        {}, description="what a clock's warning or breach does")
    replies: ReplyRules = ReplyRules()
    webhooks: Webhooks = Field(default=[], description="endpoints that receive the "
                                    "brand's events, signed (docs/how-to/webhooks.md)")
    flow: FlowDecl = Field(description="the state machine: states, triggers, timers")

    def audience(self) -> Audience:
        """Whom the brand answers: the languages it serves and watches, what it owns."""
        rules = self.replies
        regions = tuple(rules.regions or ([self.holidays.country] if self.holidays.country
                                          and self.holidays.country in SUPPORTED_REGIONS
                                          else []))
        phones = {e164(item, regions) for item in rules.contacts if "@" not in item}
        if self.direct_line:
            phones.add(e164(self.direct_line, regions))
        domains = {item.rpartition("@")[2].lower() for item in rules.contacts if "@" in item}
        pattern = linear(rules.order_number) if rules.order_number else None
        return Audience(tuple(self.languages), tuple(rules.watch),
                        Owned(regions, frozenset(phone for phone in phones if phone),
                              frozenset(domains), pattern))

    def length_limit(self, channel: str) -> int | None:
        """The most characters a reply may have on `channel`, if there is a limit."""
        return self.channels[channel].max_length or LENGTH_LIMITS.get(channel)

    def escalation(self, clock: str, point: str) -> Escalation | None:
        """What the brand does when `clock` reaches `point` (warning, breach), if anything."""
        declared = cast(dict[str, dict[str, Escalation]], self.escalations)  # keys are checked
        return declared.get(clock, {}).get(point)

    def calendar(self) -> Calendar:
        """The care team's business calendar: its week, zone and days off."""
        week: dict[int, list[tuple[int, int]]] = {}
        for spec, intervals in self.hours.items():
            for day in _days(spec):
                week.setdefault(DAYS.index(day), []).extend(
                    (_minutes(item[:5]), _minutes(item[6:])) for item in intervals)
        days_off = DaysOff(self.holidays.country, self.holidays.subdivision,
                           frozenset(self.holidays.dates))
        return Calendar(self.timezone, week, days_off)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone (e.g. Europe/Prague)") from None
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2}", code):
                raise ValueError(f"'{code}' is not a two-letter ISO 639-1 code (en, cs, pl, …)")
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not any(value.values()):
            raise ValueError("the team needs some opening hours, e.g. mon-fri: [08:00-20:00]; "
                             "round the clock is mon-sun: [00:00-24:00]")
        covered: dict[str, list[tuple[str, str]]] = {}
        for spec, intervals in value.items():
            if not _DAYSPEC.match(spec):
                raise ValueError(f"'{spec}' is not a day or day range (mon, sat, mon-fri)")
            for interval in intervals:
                match = _INTERVAL.match(interval)
                if not match or interval[:5] >= interval[6:]:
                    raise ValueError(f"'{interval}' is not an opening interval like 08:00-20:00")
                for day in _days(spec):
                    for start, end in covered.get(day, []):
                        if interval[:5] < end and start < interval[6:]:
                            raise ValueError(f"{day}: {interval} overlaps {start}-{end}")
                    covered.setdefault(day, []).append((interval[:5], interval[6:]))
        return value

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: dict[str, ChannelPolicy]) -> dict[str, ChannelPolicy]:
        for channel in value:
            if channel not in CHANNELS:
                known = ", ".join(sorted(CHANNELS))
                raise ValueError(f"unknown channel '{channel}'; known: {known}")
        return value


def _minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def _days(spec: str) -> list[str]:
    first, _, last = spec.partition("-")
    start = DAYS.index(first)
    end = DAYS.index(last) if last else start
    if end < start:
        raise ValueError(f"'{spec}' runs backwards; write the earlier day first (mon-fri)")
    return list(DAYS[start : end + 1])
