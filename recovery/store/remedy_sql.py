"""The remedy ledger's statements: compiled once per database beside the writer's others, run
inside its transactions (mixins of `Writer` and `Tx`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, literal_column, or_, select, update
from sqlalchemy.sql.expression import ClauseElement

from recovery.store.compiled import Compiled, TxPart
from recovery.store.records import Remedy
from recovery.store.tables import remedies, remedy_entries

REMEDY_COLUMNS = ("id", "case_id", "brand", "customer", "kind", "value", "unit", "status", "key",
                  "asked_by", "asked_at", "code", "order_ref", "goodwill", "decided_by",
                  "decided_at", "reason", "expires_at", "version")
ENTRY_COLUMNS = ("remedy_id", "seq", "kind", "by", "at", "note")
COUNTED = ("issued", "pending_approval", "redeemed")
"""The remedies that count against a limit: not the declined or voided ones."""


class RemedyStatements:
    """What `Writer` compiles for the ledger."""

    def _compile(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> Compiled:
        raise NotImplementedError

    def _remedy_statements(self) -> None:
        compile_ = self._compile
        self.insert_remedy = compile_(insert(remedies).returning(remedies.c.id),
                                      REMEDY_COLUMNS[1:])
        self.remedy = compile_(select(*(remedies.c[name] for name in REMEDY_COLUMNS))
                               .where(remedies.c.id == bindparam("remedy_id")))
        self.remedy_by_key = compile_(select(remedies.c.id).where(
            remedies.c.brand == bindparam("brand"), remedies.c.key == bindparam("key")))
        self.decide = compile_(
            update(remedies)
            .where(remedies.c.id == bindparam("remedy_id"),
                   remedies.c.version == bindparam("old_version"))
            .values(status=bindparam("new_status"), decided_by=bindparam("new_decided_by"),
                    decided_at=bindparam("new_decided_at"), reason=bindparam("new_reason"),
                    code=bindparam("new_code"), expires_at=bindparam("new_expires_at"),
                    version=bindparam("new_version")))
        self.append_entry = compile_(insert(remedy_entries), ENTRY_COLUMNS)
        counted = or_(*(remedies.c.status == literal_column(f"'{status}'")
                        for status in COUNTED))  # our own constants, inlined
        self.count_given = compile_(select(func.count()).select_from(remedies).where(
            remedies.c.brand == bindparam("brand"), remedies.c.customer == bindparam("customer"),
            remedies.c.kind == bindparam("kind"), remedies.c.asked_at >= bindparam("since"),
            counted))
        self.count_goodwill = compile_(select(func.count()).select_from(remedies).where(
            remedies.c.brand == bindparam("brand"), remedies.c.goodwill.is_not(None),
            remedies.c.asked_at >= bindparam("since"), counted))
        self.count_case_goodwill = compile_(select(func.count()).select_from(remedies).where(
            remedies.c.case_id == bindparam("case_id"), remedies.c.goodwill.is_not(None),
            counted))


class RemedyTx(TxPart):
    """The ledger's reads and writes inside a `Tx`."""

    def insert_remedy(self, values: dict[str, Any]) -> int:
        """Insert a remedy (its key is unique per brand: a second one is `ConcurrentUpdate`)."""
        return int(self._run(self._w.insert_remedy, dict(values)).fetchone()[0])

    def remedy(self, remedy_id: int) -> tuple[Remedy, int] | None:
        """The remedy with that id and its version; None if there is none."""
        row = self._run(self._w.remedy, {"remedy_id": remedy_id}).fetchone()
        if row is None:
            return None
        columns = dict(zip(REMEDY_COLUMNS, row, strict=True))
        return Remedy.from_columns(columns, self._time), int(columns["version"])

    def remedy_by_key(self, brand: str, key: str) -> int | None:
        """The id of the brand's remedy offered under that idempotency key, if any."""
        row = self._run(self._w.remedy_by_key, {"brand": brand, "key": key}).fetchone()
        return None if row is None else int(row[0])

    def decide(self, remedy_id: int, old_version: int, changes: dict[str, Any]) -> bool:
        """Record a decision on a remedy unless someone decided first (its version moved)."""
        values = {"remedy_id": remedy_id, "old_version": old_version,
                  "new_version": old_version + 1}
        values.update({f"new_{name}": value for name, value in changes.items()})
        return bool(self._run(self._w.decide, values).rowcount == 1)

    def append_entry(self, remedy_id: int, seq: int, kind: str, by: str, at: datetime,
                     note: str | None = None) -> None:
        """Append an entry to a remedy's ledger; (remedy, seq) refuses a duplicate."""
        self._run(self._w.append_entry, {"remedy_id": remedy_id, "seq": seq, "kind": kind,
                                         "by": by, "at": at, "note": note})

    def count_given(self, brand: str, customer: str, kind: str, since: datetime) -> int:
        """How many remedies of `kind` the customer got from the brand since `since`."""
        return int(self._run(self._w.count_given, {"brand": brand, "customer": customer,
                                                    "kind": kind, "since": since}).fetchone()[0])

    def count_goodwill(self, brand: str, since: datetime, case_id: int | None = None) -> int:
        """How many goodwill remedies the brand gave since `since`, or on one case."""
        if case_id is not None:
            row = self._run(self._w.count_case_goodwill, {"case_id": case_id}).fetchone()
        else:
            row = self._run(self._w.count_goodwill, {"brand": brand, "since": since}).fetchone()
        return int(row[0])
