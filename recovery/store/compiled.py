"""A statement compiled once for a database, and the values of each call converted as the
columns' own types convert them: SQLAlchemy's per-execution machinery costs more than the SQL
itself on SQLite, so the hot path skips it and keeps only what the types do to the values (and
undoes it for what a raw cursor reads back: `read_json`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import JSON, DateTime, Insert, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

if TYPE_CHECKING:
    from recovery.store.writer import Writer

Processor = Callable[[Any], Any]


class Compiled:
    """One statement compiled for a dialect, with the bind processors of its parameters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect,
                 keys: Iterable[str] | None = None) -> None:
        if isinstance(statement, Insert) and not statement.returning_column_descriptions:
            statement = statement.inline()  # PostgreSQL would return the new id unasked
        compiled = cast(SQLCompiler, statement.compile(
            dialect=dialect, column_keys=list(keys) if keys is not None else None))
        self.sql = str(compiled)
        self.processors: dict[str, Processor] = {}
        for name, bind in compiled.binds.items():
            processor: Processor | None = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is None:
                continue
            kind = bind.type.impl if isinstance(bind.type, TypeDecorator) else bind.type
            if dialect.name == "sqlite" and isinstance(kind, DateTime):  # a `Moment` too
                processor = sqlite_time
            elif isinstance(bind.type, JSON):
                processor = _none_once(processor)
            self.processors[name] = processor
        self.fixed = {name: bind.value for name, bind in compiled.binds.items()
                      if not bind.required and bind.value is not None}
        """Values the statement carries itself (SQLite's `OFFSET 0` beside a bound limit)."""
        markers = compiled.positiontup  # the order of `?` markers; None when they are named
        self._order = None if markers is None else [
            (name, self.processors.get(name)) for name in markers]
        """Each `?` marker's name and converter, in order: one pass builds the row."""

    def params(self, values: dict[str, Any]) -> Any:
        """The values as the driver wants them: converted, and ordered if positional."""
        if self.fixed:
            values = {**self.fixed, **values}
        if self._order is not None:
            return [values[name] if convert is None else convert(values[name])
                    for name, convert in self._order]
        for name, processor in self.processors.items():
            if name in values:
                values[name] = processor(values[name])
        return values

    def rows(self, many: Iterable[dict[str, Any]]) -> list[Any]:
        """Each of `many` as `params` gives it, for one `executemany`."""
        return [self.params(values) for values in many]


def _none_once(processor: Processor) -> Processor:
    """A JSON column's converter that writes no value (most events' payload) as the type
    writes it, JSON `null`, encoded once rather than on every call."""
    none = processor(None)
    return lambda value: none if value is None else processor(value)


def sqlite_time(value: datetime | None) -> str | None:
    """A time as SQLAlchemy's SQLite dialect stores it (`2026-12-01 10:00:00.000000`, the wall
    time without its offset; the engine passes UTC), written by `isoformat` in C."""
    return None if value is None else value.isoformat(" ", "microseconds")[:26]  # no offset


def read_json(value: Any) -> Any:
    """A JSON column's value as the driver gives it back on a raw cursor, decoded: SQLite
    gives the text, PostgreSQL's driver the value."""
    return json.loads(value) if isinstance(value, str) else value


class TxPart:
    """What the parts of a transaction (`Tx`: its timers', clocks', remedies', redaction's and
    a case's whole reads and writes) use of it: the writer whose statements they run, one call
    or many, and reading a time back."""

    _w: Writer

    def _run(self, statement: Compiled, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _run_many(self, statement: Compiled, many: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def _time(self, value: Any) -> datetime | None:
        raise NotImplementedError
