"""recovery: a complaint recovery workflow engine for social customer care.

    from recovery import Engine
    engine = Engine("sqlite:///care.db", workflows="workflows")

The names below are imported on first use (PEP 562), so `import recovery.cli` or
`recovery --help` pays for no engine, database layer or language model it does not touch.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recovery.engine import Engine, Subscriber
    from recovery.errors import (
        ConcurrentUpdate,
        FlowError,
        GuardRefused,
        InvalidInput,
        KeyReused,
        NotFound,
        PolicyViolation,
        Problem,
        RecoveryError,
        StorageError,
        TriggerNotAllowed,
    )
    from recovery.flows import Flow, TriggerOption, load_flows, validate_flows
    from recovery.keeper import ClockStatus
    from recovery.store.audit import Audit
    from recovery.store.records import Case, Event, Notice, Remedy, Timer

_HOMES = {
    "recovery.engine": ("Engine", "Subscriber"),
    "recovery.errors": ("ConcurrentUpdate", "FlowError", "GuardRefused", "InvalidInput",
                        "KeyReused", "NotFound", "PolicyViolation", "Problem", "RecoveryError",
                        "StorageError", "TriggerNotAllowed"),
    "recovery.flows": ("Flow", "TriggerOption", "load_flows", "validate_flows"),
    "recovery.keeper": ("ClockStatus",),
    "recovery.store.records": ("Case", "Event", "Notice", "Remedy", "Timer"),
    "recovery.store.audit": ("Audit",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "Audit",
    "Case",
    "ClockStatus",
    "ConcurrentUpdate",
    "Engine",
    "Event",
    "Flow",
    "FlowError",
    "GuardRefused",
    "InvalidInput",
    "KeyReused",
    "NotFound",
    "Notice",
    "PolicyViolation",
    "Problem",
    "RecoveryError",
    "Remedy",
    "StorageError",
    "Subscriber",
    "Timer",
    "TriggerNotAllowed",
    "TriggerOption",
    "load_flows",
    "validate_flows",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its home module the first time it is asked for."""
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module 'recovery' has no attribute '{name}'")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
