"""Plain, immutable snapshots handed to callers: a case, an event, a timer that fired."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


class Record:
    """Mixin: `as_dict()` gives JSON-ready data (ISO times, decimals as strings)."""

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        return {key: _plain(value) for key, value in asdict(self).items()}  # type: ignore[call-overload]


CASE_TIMES = ("opened_at", "updated_at", "acknowledged_at", "due_at")
"""A case's fields that hold a moment."""


@dataclass(frozen=True)
class Case(Record):
    """One complaint and where its recovery stands (a projection of its events)."""

    id: int
    brand: str
    channel: str
    author: str
    text: str
    state: str
    version: int
    opened_at: datetime
    updated_at: datetime
    external_id: str | None = None
    priority: str = "normal"
    acknowledged_at: datetime | None = None
    finding: str | None = None
    root_cause: str | None = None
    """What the business should improve: the team's words, kept internal."""
    explanation: str | None = None
    """The finding as the customer is told it, in their language."""
    remedy_kind: str | None = None
    remedy_value: Decimal | None = None
    remedy_unit: str | None = None
    name: str | None = None
    language: str | None = None
    register: str | None = None
    emotion: str | None = None
    flags: list[str] | None = None
    reach: dict[str, int] | None = None
    """The author's audience and the post's engagement, as last given (followers, likes, …)."""
    due_at: datetime | None = None
    """When the case needs someone by: the earliest breach of its SLA clocks still counting
    (one recorded, or one to come); None when no clock counts (resolved, or waiting on the
    customer with no breach)."""
    flow_version: str | None = None
    """The version of its brand's flow the case runs under (None: opened before versions; it
    runs under the flow as it is)."""


@dataclass(frozen=True)
class Event(Record):
    """One thing that happened to a case: who fired what, when, from which state to which."""

    case_id: int
    seq: int
    at: datetime
    by: str
    trigger: str
    source: str | None
    dest: str
    note: str | None = None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class Entry(Record):
    """An event as the feed gives it: its id (pass it as the next `after`), the case's brand,
    and the event."""

    id: int
    brand: str
    event: Event


@dataclass(frozen=True)
class Delivery(Record):
    """An event on its way to one webhook endpoint: `pending` (tried at `next_at`),
    `delivered`, or `dead` after its last attempt failed (`recovery outbox retry`)."""

    id: int
    delivery_id: str
    """The same on every try, so a receiver drops a repeat."""
    brand: str
    endpoint: str
    case_id: int
    seq: int
    trigger: str
    status: str
    attempts: int
    created_at: datetime
    next_at: datetime
    last_error: str | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Timer(Record):
    """A trigger due on a case, the warning or breach of one of its SLA clocks (`clock`), or
    a step of its follow-up (`clock` is `follow_up`: ask, remind, close); `outcome` says what
    happened when it fired (`fired`, `refused: …`, `skipped: …`, `postponed: …`)."""

    id: int
    case_id: int
    trigger: str
    state: str
    due_at: datetime
    fired_at: datetime | None = None
    cancelled_at: datetime | None = None
    outcome: str | None = None
    clock: str | None = None
    attempts: int = 0
    """How many times firing it failed; it is tried again at `retry_at`."""
    last_error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Notice(Record):
    """A brand-wide post the engine produced for a channel: the daily `hello` or `goodbye`."""

    brand: str
    channel: str
    kind: str
    due_at: datetime
    posted_at: datetime
    language: str
    text: str


REMEDY_STATUSES = ("pending_approval", "issued", "declined", "redeemed", "void")
"""Where a remedy can stand."""


@dataclass(frozen=True)
class Remedy(Record):
    """A remedy offered on a case: a coupon, discount, refund, voucher or gift, and where it
    stands: `issued`, `pending_approval` (over the agent's limit, waiting for a lead),
    `declined`, `redeemed` or `void`."""

    id: int
    case_id: int
    brand: str
    customer: str
    kind: str
    value: Decimal
    unit: str
    status: str
    key: str
    asked_by: str
    asked_at: datetime
    code: str | None = None
    order: str | None = None
    goodwill: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    expires_at: datetime | None = None

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any],
                     time: Callable[[Any], datetime | None]) -> Remedy:
        """A remedy from the columns of its row; `time` reads a stored time as aware UTC."""
        data = {key: value for key, value in columns.items() if key != "version"}
        data["order"] = data.pop("order_ref")
        data["value"] = Decimal(str(data["value"])).quantize(Decimal("0.01"))  # REAL on SQLite
        for name in ("asked_at", "decided_at", "expires_at"):
            data[name] = time(data[name])
        return cls(**data)

    @property
    def approved_by(self) -> str | None:
        """The lead who approved it, when it waited for one."""
        return self.decided_by if self.status != "declined" else None

    def as_dict(self) -> dict[str, Any]:
        """The remedy as JSON-ready data, with who approved it."""
        return {**super().as_dict(), "approved_by": self.approved_by}


@dataclass(frozen=True)
class Incident(Record):
    """A problem that touches many customers: announced, updated, resolved; never deleted."""

    id: int
    brand: str
    title: str
    status: str
    channels: list[str]
    keywords: list[str]
    opened_at: datetime
    opened_by: str
    resolved_at: datetime | None
    root_cause: str | None
    posts: int
    """How many times it has posted (announcement, updates, resolution)."""
    next_update: datetime | None = None
    """When its last post said the next update comes."""
    says: dict[str, dict[str, str]] | None = None
    """Its public wording in each served language: `problem`, `fixed` (what works again),
    `explained` (its cause as told); the title and the root cause are the team's words."""


@dataclass(frozen=True)
class IncidentPost(Record):
    """One text an incident posted to one channel in one language."""

    incident_id: int
    seq: int
    kind: str
    at: datetime
    by: str
    channel: str
    language: str
    text: str
    template: str | None = None
    findings: list[dict[str, Any]] | None = None
    override: str | None = None


@dataclass(frozen=True)
class IncidentLink(Record):
    """A case suggested for an incident, or linked to it by a person."""

    incident_id: int
    case_id: int
    status: str
    suggested_at: datetime | None
    linked_at: datetime | None
    linked_by: str | None
    title: str = ""
    """The incident's title."""
