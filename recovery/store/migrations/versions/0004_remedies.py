"""Remedies: a ledger of what was offered, approved, declined and issued, once per key.

Revision ID: 0004
Revises: 0003
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from recovery.store.migrations.names import named as n

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REFUSAL = "the remedy ledger is append-only: add an entry instead of changing one"


def _when(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        n("remedies"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(f"{n('cases')}.id"), nullable=False),
        sa.Column("brand", AutoString(length=64), nullable=False),
        sa.Column("customer", AutoString(length=200), nullable=False),
        sa.Column("kind", AutoString(length=32), nullable=False),
        sa.Column("value", sa.Numeric(12, 2), nullable=False),
        sa.Column("unit", AutoString(length=32), nullable=False),
        sa.Column("status", AutoString(length=24), nullable=False),
        sa.Column("code", AutoString(length=64), nullable=True),
        sa.Column("order_ref", AutoString(length=100), nullable=True),
        sa.Column("goodwill", AutoString, nullable=True),
        sa.Column("key", AutoString(length=200), nullable=False),
        sa.Column("asked_by", AutoString(length=64), nullable=False),
        _when("asked_at"),
        sa.Column("decided_by", AutoString(length=64), nullable=True),
        _when("decided_at", nullable=True),
        sa.Column("reason", AutoString, nullable=True),
        _when("expires_at", nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("brand", "key", name="uq_remedies_brand_key"),
        sa.UniqueConstraint("code", name="uq_remedies_code"),
    )
    op.create_index(n("ix_remedies_case_id"), n("remedies"), ["case_id"])
    op.create_index(n("ix_remedies_brand_customer"), n("remedies"), ["brand", "customer"])
    op.create_index(n("ix_remedies_brand_status"), n("remedies"), ["brand", "status"])
    op.create_table(
        n("remedy_entries"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("remedy_id", sa.Integer, sa.ForeignKey(f"{n('remedies')}.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", AutoString(length=16), nullable=False),
        sa.Column("by", AutoString(length=64), nullable=False),
        _when("at"),
        sa.Column("note", AutoString, nullable=True),
        sa.UniqueConstraint("remedy_id", "seq", name="uq_remedy_entries_seq"),
    )
    op.create_index(n("ix_remedy_entries_remedy_id"), n("remedy_entries"), ["remedy_id"])
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION recovery_ledger_append_only() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
        op.execute(f"CREATE TRIGGER {n('remedy_entries_append_only')} BEFORE UPDATE OR DELETE "
                   f"ON {n('remedy_entries')} FOR EACH ROW EXECUTE FUNCTION "
                   "recovery_ledger_append_only()")
    else:
        for change in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {n('remedy_entries_no_' + change.lower())} BEFORE "
                       f"{change} ON {n('remedy_entries')} "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {n('remedy_entries_append_only')} ON {n('remedy_entries')}")
        op.execute("DROP FUNCTION recovery_ledger_append_only()")
    op.drop_table(n("remedy_entries"))
    op.drop_table(n("remedies"))
