"""recovery: a complaint recovery workflow engine for social customer care.

    from recovery import Engine
    engine = Engine("sqlite:///care.db", workflows="workflows")
"""

from recovery.engine import Engine, Subscriber
from recovery.errors import (
    ConcurrentUpdate,
    FlowError,
    GuardRefused,
    InvalidInput,
    NotFound,
    PolicyViolation,
    Problem,
    RecoveryError,
    StorageError,
    TriggerNotAllowed,
)
from recovery.flows import Flow, TriggerOption, load_flows, validate_flows
from recovery.keeper import ClockStatus
from recovery.store.records import Case, Event, Notice, Timer

__all__ = [
    "Case",
    "ClockStatus",
    "ConcurrentUpdate",
    "Engine",
    "Event",
    "Flow",
    "FlowError",
    "GuardRefused",
    "InvalidInput",
    "NotFound",
    "Notice",
    "PolicyViolation",
    "Problem",
    "RecoveryError",
    "StorageError",
    "Subscriber",
    "Timer",
    "TriggerNotAllowed",
    "TriggerOption",
    "load_flows",
    "validate_flows",
]
