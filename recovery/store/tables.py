"""The tables: cases (a projection), events (append-only, the truth), timers, SLA clocks, the
brand-wide notices (daily hello and goodbye), the replies sent (for the copy-paste check), the
remedy ledger (remedies, and their append-only entries), the outbox of webhook deliveries, and
the versions of the brands' flows the cases run under. Each is named with the engine's own
prefix (`recovery_cases`, and so their indexes and triggers), so a host that shares the
database keeps its own names.

`cases.version` counts the case's events; every change updates it with a check on the old
value (optimistic concurrency), and `events` is unique on (case_id, seq), so no event is ever
lost or written twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from recovery.store.moment import Moment, moment

BREACHED = "breached_at IS NOT NULL AND stopped_at IS NULL"
"""A clock that breached and still runs: the case needs someone."""
BREACH_DUE = ("clock IS NOT NULL AND \"trigger\" = 'breach' AND fired_at IS NULL "
              "AND cancelled_at IS NULL")
"""A running clock's breach still to come."""
DUE = "due_at IS NOT NULL"
"""A case with a clock counting: on the board's most-urgent-first indexes."""
FAILED = "attempts > 0 AND COALESCE(fired_at, cancelled_at) IS NULL"
"""A timer whose firing failed, to be tried again (`recovery timers --failed`): written so
that it does not imply the pending timers' index condition, which would make that index (every
pending timer) usable for it too, and SQLite without statistics may pick it."""


class CaseRow(SQLModel, table=True):
    """One complaint and where its recovery stands."""

    __tablename__ = "recovery_cases"
    __table_args__ = (
        UniqueConstraint("brand", "external_id", name="uq_cases_brand_external_id"),
        # the board, newest first: each filter leads its own index, the id follows
        Index("ix_recovery_cases_brand_state", "brand", "state", "id"),
        Index("ix_recovery_cases_brand", "brand", "id"),
        Index("ix_recovery_cases_brand_priority", "brand", "priority", "id"),
        Index("ix_recovery_cases_state", "state", "id"),
        Index("ix_recovery_cases_channel", "channel", "id"),
        Index("ix_recovery_cases_priority", "priority", "id"),
        # most urgent first: a priority level's cases with a clock counting, due first
        *(Index(f"ix_recovery_cases_{lead}due", *columns, "priority", "due_at", "id",
                sqlite_where=text(DUE), postgresql_where=text(DUE))
          for lead, columns in (("", ()), ("brand_", ("brand",)), ("state_", ("state",)),
                                ("channel_", ("channel",)))),
    )

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    author: str = Field(max_length=200)
    text: str
    external_id: str | None = Field(default=None, max_length=200)
    state: str = Field(max_length=64)
    version: int = 1
    priority: str = Field(default="normal", max_length=16,
                          sa_column_kwargs={"server_default": "normal"})
    opened_at: datetime = moment()
    updated_at: datetime = moment()
    acknowledged_at: datetime | None = moment(nullable=True)
    finding: str | None = Field(default=None, max_length=16)
    root_cause: str | None = None
    explanation: str | None = Field(default=None, description="the finding as the customer is "
                                    "told it, in their language (the root cause stays "
                                    "internal)")
    remedy_kind: str | None = Field(default=None, max_length=32)
    remedy_value: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    remedy_unit: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=200,
                             description="the customer's name, when known")
    language: str | None = Field(default=None, max_length=8,
                                 description="the complaint's language, when detected")
    register_: str | None = Field(default=None, sa_column=Column("register", String(16)),
                                  description="the complaint's register (SQLModel owns the name)")
    emotion: str | None = Field(default=None, max_length=16)
    flags: list[str] | None = Field(default=None, sa_column=Column(JSON),
                                    description="unserved_language, personal_data")
    reach: dict[str, int] | None = Field(default=None, sa_column=Column(JSON),
                                         description="followers, likes, shares, replies: the "
                                         "latest counts given (flows/priority.py)")
    due_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True),
                                    description="the earliest breach of the case's clocks "
                                    "still counting: one recorded and not stopped since, or a "
                                    "running clock's to come; NULL when none counts (kept in "
                                    "step by the transactions that move the clocks, "
                                    "store/clock_sql.py)")
    flow_version: str | None = Field(default=None, max_length=16,
                                     description="the version of its brand's flow the case "
                                     "runs under (flow_versions); NULL for a case opened "
                                     "before versions, which runs under the flow as it is")


class EventRow(SQLModel, table=True):
    """One thing that happened to a case. Rows are only ever inserted."""

    __tablename__ = "recovery_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
                      Index("ix_recovery_events_feed", text("(COALESCE(tx, 0))"), "id")
                      .ddl_if(dialect="postgresql"))  # the feed's order (feed.py)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="recovery_cases.id")
    seq: int
    at: datetime = moment()
    by: str = Field(max_length=200)
    trigger: str = Field(max_length=64)
    source: str | None = Field(default=None, max_length=64)
    dest: str = Field(max_length=64)
    note: str | None = None
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    content_hash: str | None = Field(default=None, max_length=64,
                                     description="SHA-256 of what the event said, kept when a "
                                     "redaction blanks it (else recomputed, chain.py)")
    chain_hash: str | None = Field(default=None, max_length=64,
                                   description="SHA-256 over the previous event's chain hash "
                                   "and this one's content hash")
    redacted_at: datetime | None = moment(nullable=True)
    tx: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True),
                           description="PostgreSQL: the writing transaction's id, so the feed "
                           "gives events in commit order (feed.py); SQLite commits in id order")


class TimerRow(SQLModel, table=True):
    """A trigger due to fire on a case at a time, unless the case moves on first."""

    __tablename__ = "recovery_timers"
    __table_args__ = (
        Index("ix_recovery_timers_pending", "due_at",
              sqlite_where=text("fired_at IS NULL AND cancelled_at IS NULL"),
              postgresql_where=text("fired_at IS NULL AND cancelled_at IS NULL")),
        Index("ix_recovery_timers_failed", "due_at", "id", sqlite_where=text(FAILED),
              postgresql_where=text(FAILED)),  # what failed to fire (queries.pending_timers)
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="recovery_cases.id", index=True)
    trigger: str = Field(max_length=64)
    state: str = Field(max_length=64)
    clock: str | None = Field(default=None, max_length=32,
                              description="the SLA clock whose warning or breach this is, "
                              "or `follow_up` for a step of the follow-up (ask, remind, close)")
    due_at: datetime = moment()
    fired_at: datetime | None = moment(nullable=True)
    cancelled_at: datetime | None = moment(nullable=True)
    outcome: str | None = None
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"},
                          description="how many times firing it failed")
    last_error: str | None = None
    retry_at: datetime | None = moment(nullable=True)


class ClockRow(SQLModel, table=True):
    """One SLA clock of a case: its target and what it has counted so far."""

    __tablename__ = "recovery_clocks"
    case_id: int = Field(sa_column=Column(ForeignKey("recovery_cases.id"), primary_key=True))
    name: str = Field(primary_key=True, max_length=32)
    business: bool
    target_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    warn_at: float
    started_at: datetime = moment()
    consumed_us: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    running_since: datetime | None = moment(nullable=True)
    stopped_at: datetime | None = moment(nullable=True)
    warned_at: datetime | None = moment(nullable=True)
    breached_at: datetime | None = moment(nullable=True)


class NoticeRow(SQLModel, table=True):
    """A brand-wide post the engine produced: the daily hello at opening, goodbye at closing."""

    __tablename__ = "recovery_notices"
    __table_args__ = (UniqueConstraint("brand", "channel", "kind", "due_at",
                                       name="uq_notices_once"),)

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    due_at: datetime = moment()
    posted_at: datetime = moment()
    language: str = Field(max_length=8)
    text: str


class ReplyRow(SQLModel, table=True):
    """A reply sent to a customer, kept in the shape the copy-paste check compares."""

    __tablename__ = "recovery_replies"
    __table_args__ = (Index("ix_recovery_replies_brand_at", "brand", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="recovery_cases.id", index=True)
    brand: str = Field(max_length=64)
    customer: str = Field(max_length=200)
    at: datetime = moment()
    public: bool
    skeleton: str


class RemedyRow(SQLModel, table=True):
    """A remedy offered on a case and where it stands (the projection of its ledger entries)."""

    __tablename__ = "recovery_remedies"
    __table_args__ = (
        UniqueConstraint("brand", "key", name="uq_remedies_brand_key"),
        UniqueConstraint("code", name="uq_remedies_code"),
        Index("ix_recovery_remedies_brand_customer", "brand", "customer"),
        Index("ix_recovery_remedies_brand_status", "brand", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="recovery_cases.id", index=True)
    brand: str = Field(max_length=64)
    customer: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    value: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    unit: str = Field(max_length=32)
    status: str = Field(max_length=24)
    code: str | None = Field(default=None, max_length=64)
    order_ref: str | None = Field(default=None, max_length=100)
    goodwill: str | None = None
    key: str = Field(max_length=200)
    asked_by: str = Field(max_length=64)
    asked_at: datetime = moment()
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = moment(nullable=True)
    reason: str | None = None
    expires_at: datetime | None = moment(nullable=True)
    version: int = 1


class RemedyEntryRow(SQLModel, table=True):
    """One entry of the remedy ledger: asked, issued, approved, declined, redeemed, voided.
    Append-only, like the events."""

    __tablename__ = "recovery_remedy_entries"
    __table_args__ = (UniqueConstraint("remedy_id", "seq", name="uq_remedy_entries_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    remedy_id: int = Field(foreign_key="recovery_remedies.id", index=True)
    seq: int
    kind: str = Field(max_length=16)
    by: str = Field(max_length=64)
    at: datetime = moment()
    note: str | None = None


class OutboxRow(SQLModel, table=True):
    """One event to deliver to one of its brand's webhook endpoints, written in the same
    transaction as the event; `status` is pending, delivered or dead."""

    __tablename__ = "recovery_outbox"
    __table_args__ = (
        UniqueConstraint("delivery_id", name="uq_outbox_delivery"),
        Index("ix_recovery_outbox_due", "next_at", "id",
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
        Index("ix_recovery_outbox_order", "case_id", "endpoint", "id",
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
        Index("ix_recovery_outbox_dead", "id", sqlite_where=text("status = 'dead'"),
              postgresql_where=text("status = 'dead'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="recovery_cases.id")
    seq: int = Field(description="the event's number in its case's history")
    brand: str = Field(max_length=64)
    endpoint: str = Field(max_length=2000, description="the webhook's address")
    delivery_id: str = Field(max_length=32, description="the same on every try")
    created_at: datetime = moment()
    next_at: datetime = moment()  # when to try next, on the engine's clock
    attempts: int = 0
    status: str = Field(default="pending", max_length=16)
    last_error: str | None = None
    delivered_at: datetime | None = moment(nullable=True)


class IncidentRow(SQLModel, table=True):
    """A problem that touches many customers (an outage, a delay): announced before they find
    it, updated, resolved. Never deleted."""

    __tablename__ = "recovery_incidents"

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=64, index=True)
    title: str = Field(max_length=200)
    status: str = Field(default="open", max_length=16, description="open, resolved")
    channels: list[str] = Field(sa_column=Column(JSON, nullable=False),
                                description="where its posts go")
    keywords: list[str] | None = Field(default=None, sa_column=Column(JSON),
                                       description="what a complaint about it says")
    opened_at: datetime = moment()
    opened_by: str = Field(max_length=200)
    resolved_at: datetime | None = moment(nullable=True)
    root_cause: str | None = None
    says: dict[str, dict[str, str]] | None = Field(
        default=None, sa_column=Column(JSON), description="its public wording in each served "
        "language: the problem, what works again, its cause as told (the title and the root "
        "cause stay internal)")
    posts: int = Field(default=0, description="how many times it has posted (its version)")
    next_update: datetime | None = moment(nullable=True)


class IncidentPostRow(SQLModel, table=True):
    """What an incident posted: its announcement, an update, its resolution; one row per
    channel and language. Only ever inserted."""

    __tablename__ = "recovery_incident_posts"
    __table_args__ = (UniqueConstraint("incident_id", "seq", "channel", "language",
                                       name="uq_incident_posts_once"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="recovery_incidents.id", index=True)
    seq: int = Field(description="the post's number in the incident's history")
    kind: str = Field(max_length=16, description="announce, update, resolve")
    at: datetime = moment()
    by: str = Field(max_length=200)
    channel: str = Field(max_length=32)
    language: str = Field(max_length=8)
    text: str
    template: str | None = Field(default=None, max_length=200)
    findings: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    override: str | None = None


class IncidentCaseRow(SQLModel, table=True):
    """A case suggested for an incident (it came on its channels during it and says its
    keywords), or linked to it by a person."""

    __tablename__ = "recovery_incident_cases"

    incident_id: int = Field(foreign_key="recovery_incidents.id", primary_key=True)
    case_id: int = Field(foreign_key="recovery_cases.id", primary_key=True, index=True)
    status: str = Field(max_length=16, description="suggested, linked")
    suggested_at: datetime | None = moment(nullable=True)
    linked_at: datetime | None = moment(nullable=True)
    linked_by: str | None = Field(default=None, max_length=200)


class FlowVersionRow(SQLModel, table=True):
    """One version of a brand's flow: the text of the parts that govern a case, kept so that
    a case opened under it keeps running under it after the flow file changes."""

    __tablename__ = "recovery_flow_versions"

    brand: str = Field(max_length=64, primary_key=True)
    version: str = Field(max_length=16, primary_key=True, description="the text's hash")
    text: str = Field(description="the version's parts of the resolved flow, as YAML")
    recorded_at: datetime = moment()


cases = CaseRow.__table__  # type: ignore[attr-defined]
events = EventRow.__table__  # type: ignore[attr-defined]
timers = TimerRow.__table__  # type: ignore[attr-defined]
clocks = ClockRow.__table__  # type: ignore[attr-defined]
notices = NoticeRow.__table__  # type: ignore[attr-defined]
replies = ReplyRow.__table__  # type: ignore[attr-defined]
remedies = RemedyRow.__table__  # type: ignore[attr-defined]
remedy_entries = RemedyEntryRow.__table__  # type: ignore[attr-defined]
outbox = OutboxRow.__table__  # type: ignore[attr-defined]
incidents = IncidentRow.__table__  # type: ignore[attr-defined]
incident_posts = IncidentPostRow.__table__  # type: ignore[attr-defined]
incident_cases = IncidentCaseRow.__table__  # type: ignore[attr-defined]
flow_versions = FlowVersionRow.__table__  # type: ignore[attr-defined]
