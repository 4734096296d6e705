"""A case read whole inside a transaction (its row and its history: what the follow-up's step
reads), and the versions of the brands' flows the cases run under (kept once, read back).
Compiled once per database beside the writer's others and run inside its transactions (mixins
of `Writer` and `Tx`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import ClauseElement

from recovery.store.compiled import Compiled, TxPart
from recovery.store.records import CASE_TIMES, Case, Event
from recovery.store.tables import cases, events, flow_versions

FLOW_TEXT = select(flow_versions.c.text).where(flow_versions.c.brand == bindparam("brand"),
                                               flow_versions.c.version == bindparam("version"))
"""The kept text of a version of a brand's flow."""


class CaseStatements:
    """What `Writer` compiles for reading a case whole and keeping flow versions."""

    _dialect: Dialect

    def _compile(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> Compiled:
        raise NotImplementedError

    def _case_statements(self) -> None:
        compile_, dialect = self._compile, self._dialect
        self.case_row = compile_(select(cases).where(cases.c.id == bindparam("case_id")))
        self.case_reads: list[tuple[str, Callable[[Any], Any] | None]] = [
            (column.key, None if dialect.name == "postgresql" else
             column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in cases.columns]
        """Each column of a case row, by its field's name, and how its value is read back
        (psycopg hands over Python's own values: decimals, parsed JSON, aware times)."""
        self.history = compile_(
            select(events.c.seq, events.c.at, events.c.by, events.c.trigger, events.c.source,
                   events.c.dest, events.c.note, events.c.payload)
            .where(events.c.case_id == bindparam("case_id")).order_by(events.c.seq))
        kept = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        self.keep_flow = compile_(kept(flow_versions).on_conflict_do_nothing(),
                                  ("brand", "version", "text", "recorded_at"))
        self.flow_text = compile_(FLOW_TEXT)


class CaseTx(TxPart):
    """A case's whole reads, and the flow versions' writes and reads, inside a `Tx`."""

    _kept_flows: set[tuple[str, str]]

    def case(self, case_id: int) -> Case | None:
        """The case row as this transaction sees it, if there is one."""
        row = self._run(self._w.case_row, {"case_id": case_id}).fetchone()
        if row is None:
            return None
        values = {name: value if read is None or value is None else read(value)
                  for (name, read), value in zip(self._w.case_reads, row, strict=True)}
        for name in CASE_TIMES:
            values[name] = self._time(values[name])
        return Case(**values)

    def history(self, case_id: int) -> list[Event]:
        """Every event of the case, in order, as this transaction sees them."""
        read_json = self._w.read_json
        found = []
        for seq, at, by, trigger, source, dest, note, payload in self._run(
                self._w.history, {"case_id": case_id}).fetchall():
            if read_json is not None and payload is not None:
                payload = read_json(payload)
            when = self._time(at)
            assert when is not None  # NOT NULL
            found.append(Event(case_id, seq, when, by, trigger, source, dest, note, payload))
        return found

    def keep_flow(self, brand: str, version: str, text: str, at: datetime) -> None:
        """Keep the text of a version of a brand's flow, unless this transaction or a committed
        one of the writer's kept it already: one INSERT for the first case opened under it."""
        if (brand, version) in self._kept_flows or (brand, version) in self._w.kept_flows:
            return
        self._run(self._w.keep_flow, {"brand": brand, "version": version, "text": text,
                                      "recorded_at": at})
        self._kept_flows.add((brand, version))

    def flow_text(self, brand: str, version: str) -> str | None:
        """The kept text of a version of a brand's flow, if kept."""
        row = self._run(self._w.flow_text, {"brand": brand, "version": version}).fetchone()
        return None if row is None else str(row[0])
