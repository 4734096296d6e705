"""Incidents: a problem that touches many customers, announced, updated and resolved in
posts; the cases suggested for it or linked to it. Incidents and their posts are never
deleted, and a post is never changed.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from recovery.store.migrations.names import named as n

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

REFUSAL = "incidents are never deleted and their posts never change: post an update instead"


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        n("incidents"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("brand", AutoString(length=64), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=True),
        _when("opened_at"),
        sa.Column("opened_by", AutoString(length=200), nullable=False),
        _when("resolved_at", nullable=True),
        sa.Column("root_cause", AutoString, nullable=True),
        sa.Column("posts", sa.Integer, nullable=False),
        _when("next_update", nullable=True),
    )
    op.create_index(n("ix_incidents_brand"), n("incidents"), ["brand"])
    op.create_table(
        n("incident_posts"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey(f"{n('incidents')}.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", AutoString(length=16), nullable=False),
        _when("at"),
        sa.Column("by", AutoString(length=200), nullable=False),
        sa.Column("channel", AutoString(length=32), nullable=False),
        sa.Column("language", AutoString(length=8), nullable=False),
        sa.Column("text", AutoString, nullable=False),
        sa.Column("template", AutoString(length=200), nullable=True),
        sa.Column("findings", sa.JSON, nullable=True),
        sa.Column("override", AutoString, nullable=True),
        sa.UniqueConstraint("incident_id", "seq", "channel", "language",
                            name="uq_incident_posts_once"),
    )
    op.create_index(n("ix_incident_posts_incident_id"), n("incident_posts"), ["incident_id"])
    op.create_table(
        n("incident_cases"),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey(f"{n('incidents')}.id"),
                  primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(f"{n('cases')}.id"), primary_key=True),
        sa.Column("status", AutoString(length=16), nullable=False),
        _when("suggested_at", nullable=True),
        _when("linked_at", nullable=True),
        sa.Column("linked_by", AutoString(length=200), nullable=True),
    )
    op.create_index(n("ix_incident_cases_case_id"), n("incident_cases"), ["case_id"])
    guarded = ((n("incidents"), "DELETE"), (n("incident_posts"), "UPDATE"),
               (n("incident_posts"), "DELETE"), (n("incident_cases"), "DELETE"))
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION recovery_incidents_kept() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
        for table, change in guarded:
            op.execute(f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION recovery_incidents_kept()")
    else:
        for table, change in guarded:
            op.execute(f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade() -> None:
    for table in (n("incident_cases"), n("incident_posts"), n("incidents")):
        op.drop_table(table)  # their triggers go with them
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION recovery_incidents_kept()")
