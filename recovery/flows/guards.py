"""The guards a flow can name: domain rules checked before a trigger may fire.

A guard reads the facts of a case and returns None when the trigger may fire, or the reason it
may not. Flows refer to guards by name; an unknown name is a load-time error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class CaseFacts:
    """What guards may read about a case: its state and what has been recorded on it.

    The engine builds one per firing; `transitions` sets `state` on it, and a refusing guard
    leaves its name and reason in `refusal`.
    """

    state: str
    acknowledged_at: datetime | None = None
    finding: str | None = None
    remedy_kind: str | None = None
    goodwill: bool = False
    """The remedy being offered goes beyond duty (a reason was given)."""
    priority: str = "normal"
    refusal: tuple[str, str] | None = None


Guard = Callable[[CaseFacts], str | None]


def acknowledged_publicly(case: CaseFacts) -> str | None:
    """A complaint is acknowledged in public before the talk moves private or to the phone."""
    return None if case.acknowledged_at else "the complaint has not been acknowledged publicly yet"


def has_finding(case: CaseFacts) -> str | None:
    """A case is not resolved before the investigation records a finding."""
    return None if case.finding else "no finding is recorded yet (founded, partly or unfounded)"


def has_remedy(case: CaseFacts) -> str | None:
    """A remedy has been offered (for flows that insist on one before resolving)."""
    return None if case.remedy_kind else "no remedy has been offered yet"


def warrants_remedy(case: CaseFacts) -> str | None:
    """A remedy is offered for a founded or partly founded complaint, or beyond duty (goodwill,
    with a reason) on any investigated one."""
    if case.finding in ("founded", "partly"):
        return None
    if case.finding is None:
        return "no finding is recorded yet: investigate before offering a remedy"
    if case.goodwill:
        return None
    return (f"the finding is '{case.finding}': a remedy needs a founded or partly founded one, "
            "or goodwill with a reason")


GUARDS: dict[str, Guard] = {
    guard.__name__: guard
    for guard in (acknowledged_publicly, has_finding, has_remedy, warrants_remedy)
}
"""Every guard a flow file may name."""
