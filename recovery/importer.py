"""Bringing cases over from another helpdesk: one JSON object a line, each a complaint with the
events it went through there, replayed through the brand's flow at their own times.

Idempotent by external id, as `open_case` is: a line whose case is already here is counted and
left alone. A bad line (not JSON, a missing field, a trigger the flow does not allow then, an
external id that is another complaint's) is reported with its number and the rest go in. Cases
are written a few hundred to a transaction; when one of them fails, that batch is written again
case by case, so only the bad one stays out. Imported events go in no webhook outbox and reach
no subscriber: they happened elsewhere, and the feed (`events`) has them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from recovery import limits
from recovery.errors import InvalidInput, KeyReused, RecoveryError
from recovery.flows import Flow
from recovery.intake import Intake, Opening, same_complaint
from recovery.room import Apply
from recovery.signals import Audience, Detected, languages
from recovery.store.records import Record
from recovery.store.writer import Tx, Writer

BATCH = 500
"""Cases written per transaction."""
Lines = Iterable[bytes | str | Mapping[str, Any]] | str | bytes | Mapping[str, Any]
"""What an import reads: lines of JSON (text or bytes) or their objects already parsed, a whole
text of lines, or one object."""
LONGEST_LINE = 1_000_000
"""Bytes a line may have: a complaint and its history, with room to spare."""
_CASE = re.compile(r"^case \d+: ")


class Earlier(BaseModel):
    """An event the case went through in the other helpdesk: a trigger of the brand's flow."""

    model_config = ConfigDict(extra="forbid")
    trigger: str = Field(min_length=1, max_length=64)
    at: datetime
    by: str = Field(min_length=1, max_length=200)
    note: str | None = None
    payload: dict[str, Any] | None = Field(None, description="a finding's finding, "
                                           "root_cause and explanation")


class Line(BaseModel):
    """One case to bring over."""

    model_config = ConfigDict(extra="forbid")
    external_id: str = Field(min_length=1, max_length=200)
    brand: str = Field(min_length=1, max_length=64)
    channel: str = Field(min_length=1, max_length=32)
    opened_at: datetime
    author: str
    text: str
    name: str | None = None
    language: str | None = Field(None, pattern="^[a-z]{2}$", description="ISO 639-1, when "
                                 "the other helpdesk knows it; else it is detected")
    by: str | None = None
    events: list[Earlier] = Field(default=[], max_length=1000)


@dataclass(frozen=True)
class Imported(Record):
    """What an import did: cases brought over, cases already here, and each bad line's number
    with what is wrong."""

    imported: int = 0
    existing: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Case:
    line: int
    opening: Opening
    events: list[Earlier]
    unseen: bool
    """No case had its external id when the batch was read, nor has an earlier line of it."""


class Importer:
    """Brings cases over into one engine."""

    def __init__(self, writer: Writer, intake: Intake, apply: Apply,
                 flow: Callable[[str, str], Flow]) -> None:
        self._writer = writer
        self._intake = intake
        self._apply = apply
        self._flow = flow

    def run(self, lines: Lines, progress: Callable[[int], None] | None = None) -> Imported:
        """Import every line; `progress(n)` is told how many lines were read, batch by batch."""
        counts = {"imported": 0, "existing": 0}
        bad: list[tuple[int, str]] = []
        batch: list[tuple[int, Line]] = []
        number = 0
        for number, raw in enumerate(_lines(lines), 1):
            try:
                line = _parse(raw)
            except ValueError as exc:
                bad.append((number, _one_line(exc)))
                continue
            if line is not None:
                batch.append((number, line))
            if len(batch) >= BATCH:
                self._write(self._prepare(batch, counts, bad), counts, bad)
                batch = []
                if progress is not None:
                    progress(number)
        self._write(self._prepare(batch, counts, bad), counts, bad)
        if progress is not None:
            progress(number)
        return Imported(counts["imported"], counts["existing"], sorted(bad))

    def _prepare(self, batch: list[tuple[int, Line]], counts: dict[str, int],
                 bad: list[tuple[int, str]]) -> list[_Case]:
        """The batch's new cases checked and read; those already here only counted (before
        their text is read, so importing a file again is quick)."""
        fresh: list[tuple[int, Line]] = []
        with self._writer.transaction(deliver=False) as tx:
            for number, line in batch:
                known = tx.find_external(line.brand, line.external_id)
                if known is None:
                    fresh.append((number, line))
                    continue
                try:
                    same_complaint(known, line.channel, line.author, line.text,
                                   line.external_id)
                except KeyReused as exc:
                    bad.append((number, _one_line(exc)))
                    continue
                counts["existing"] += 1
        seen: set[tuple[str, str]] = set()  # a second line of one case looks up the first
        cases = []
        for (number, line), language in zip(fresh, self._languages(fresh), strict=True):
            try:
                flow = self._flow(line.brand, line.channel)
                opening = self._intake.prepare(
                    flow, line.channel, line.author, line.text, limits.instant(line.opened_at),
                    line.external_id, line.by, line.name, notices=False, language=language)
                for earlier in line.events:
                    limits.person(earlier.by)
                    limits.instant(earlier.at)
            except RecoveryError as exc:
                bad.append((number, _one_line(exc)))
                continue
            key = (line.brand, line.external_id)
            cases.append(_Case(number, opening, line.events, unseen=key not in seen))
            seen.add(key)
        return cases

    def _languages(self, fresh: list[tuple[int, Line]]) -> list[str | Detected | None]:
        """Each line's language: as given, else detected together with the other lines read
        among the same languages, on every core at once."""
        found: list[str | Detected | None] = [line.language for _, line in fresh]
        groups: dict[tuple[str, ...], tuple[Audience, list[int]]] = {}
        for index, (_, line) in enumerate(fresh):
            if line.language is None:
                try:
                    audience = self._flow(line.brand, line.channel).audience
                except RecoveryError:
                    continue  # reported as the line is read
                groups.setdefault(audience.candidates, (audience, []))[1].append(index)
        for audience, indexes in groups.values():
            texts = [fresh[index][1].text.strip() for index in indexes]
            for index, detected in zip(indexes, languages(texts, audience), strict=True):
                found[index] = detected
        return found

    def _write(self, batch: list[_Case], counts: dict[str, int],
               bad: list[tuple[int, str]]) -> None:
        """Write a batch in one transaction; if any case fails, each on its own."""
        try:
            with self._writer.transaction(deliver=False) as tx:
                outcomes = [self._one(tx, case, case.unseen) for case in batch]
        except RecoveryError:
            outcomes = []
            for case in batch:
                try:
                    with self._writer.transaction(deliver=False) as tx:
                        outcomes.append(self._one(tx, case, False))
                except RecoveryError as exc:
                    bad.append((case.line, _one_line(exc)))
        for outcome in outcomes:
            counts[outcome] += 1

    def _one(self, tx: Tx, case: _Case, unseen: bool) -> str:
        case_id, posted = self._intake.write(tx, case.opening, unseen)
        if not posted:
            return "existing"  # twice in the file
        for index, earlier in enumerate(case.events):
            try:
                self._apply(tx, case_id, earlier.trigger, earlier.by, earlier.note,
                            earlier.payload, limits.instant(earlier.at))
            except RecoveryError as exc:  # the case is not written, so its id means nothing
                raise InvalidInput(f"events.{index} ({earlier.trigger}): "
                                   f"{_CASE.sub('', _one_line(exc))}") from exc
        return "imported"


def _lines(lines: Lines) -> Iterator[object]:
    """The lines: a whole text is split into its lines, and one mapping is one line."""
    if isinstance(lines, str | bytes):
        return iter(lines.splitlines())
    if isinstance(lines, Mapping):
        return iter([lines])
    try:
        return iter(lines)
    except TypeError:
        raise InvalidInput("import takes lines (JSON text or bytes, or mappings), or a whole "
                           f"text, not {type(lines).__name__}") from None


def _parse(raw: object) -> Line | None:
    """A line checked field by field; None for a blank one."""
    if isinstance(raw, Mapping):
        document: object = dict(raw)
    elif isinstance(raw, str | bytes):
        if len(raw) > LONGEST_LINE:
            raise ValueError(f"the line is longer than {LONGEST_LINE:,} bytes")
        text = raw.decode() if isinstance(raw, bytes) else raw  # UnicodeDecodeError: ValueError
        if not text.strip():
            return None
        document = json.loads(text)  # JSONDecodeError: ValueError
    else:
        raise ValueError(f"a line is JSON text, bytes or a mapping, not {type(raw).__name__}")
    if not isinstance(document, dict):
        raise ValueError("a line is one JSON object: {\"external_id\": …, \"brand\": …}")
    return Line.model_validate(document)  # ValidationError: ValueError


def _one_line(exc: Exception) -> str:
    """What is wrong with a line, in one line."""
    if isinstance(exc, ValidationError):  # every problem, fields with the same one together
        problems: dict[str, list[str]] = {}
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            problems.setdefault(str(error["msg"]), []).append(where)
        return "; ".join(f"{_some(wheres)}: {msg}" if any(wheres) else msg
                         for msg, wheres in problems.items())
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg} at column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 at byte {exc.start}"
    return str(exc).splitlines()[0]


def _some(names: list[str], shown: int = 5) -> str:
    """The first few `names`, and how many more there are."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
