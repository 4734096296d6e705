"""The errors `recovery` raises: one base class, a few precise subclasses.

    RecoveryError                  any error of this library; the CLI prints it as one line
    ├── FlowError                  a brand's flow file is bad (carries every Problem, file:line)
    ├── NotFound                   no such case or brand
    ├── InvalidInput               an argument is malformed or missing (empty text, unknown channel)
    │   ├── OutOfOrder             an event dated before the case's last one
    │   └── KeyReused              an external id or remedy key already names something else
    ├── TriggerNotAllowed          the trigger cannot fire from the case's state (says which can)
    │   └── UnknownTrigger         the brand's flow has no such trigger (says which it has)
    ├── GuardRefused               a guard of the flow refused the trigger (says why)
    ├── PolicyViolation            the brand's policy forbids it (e.g. a remedy over its limit)
    ├── ConcurrentUpdate           the case changed under us; nothing was written
    └── StorageError               the database could not be reached or used

Errors raised by the libraries we build on (transitions, SQLAlchemy, pydantic, PyYAML) are
wrapped into these at the boundary, so a caller catches `RecoveryError` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from difflib import get_close_matches
from pathlib import Path
from zoneinfo import ZoneInfo


class RecoveryError(Exception):
    """Base class of every error raised by `recovery`."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a flow file: where it is, what is wrong, how to fix it."""

    file: Path
    line: int | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message}" + (f" ({self.hint})" if self.hint else "")


class FlowError(RecoveryError):
    """One or more flow files are invalid; `problems` lists all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid flow"
        more = f" (and {len(problems) - 1} more problem(s): validate_flows() lists them)"
        super().__init__(first + (more if len(problems) > 1 else ""))


class NotFound(RecoveryError):
    """No case, brand or other object with that name or id exists."""


class InvalidInput(RecoveryError):
    """An argument is malformed or missing; the message says how to fix it."""


class OutOfOrder(InvalidInput):
    """An event dated before the case's last event: history is never out of order."""

    def __init__(self, case_id: int, at: datetime, last: datetime, zone: str = "UTC") -> None:
        self.case_id, self.at, self.last = case_id, at, last
        local = ZoneInfo(zone)
        super().__init__(f"case {case_id}: its last event was at "
                         f"{last.astimezone(local).isoformat(sep=' ', timespec='seconds')}; "
                         "nothing can be recorded at "
                         f"{at.astimezone(local).isoformat(sep=' ', timespec='seconds')}, before "
                         "it (give a later time, or none for now)")


class KeyReused(InvalidInput):
    """An idempotency key (a case's external id, a remedy's key) was used before for something
    else; nothing was written. `existing` is the id of what it names (a case, a remedy)."""

    def __init__(self, message: str, key: str, existing: int) -> None:
        self.key, self.existing = key, existing
        super().__init__(message)


class TriggerNotAllowed(RecoveryError):
    """The trigger cannot fire from the case's current state."""

    def __init__(self, case_id: int, state: str, trigger: str, allowed: list[str]) -> None:
        self.case_id, self.state, self.trigger, self.allowed = case_id, state, trigger, allowed
        can = ", ".join(allowed) if allowed else "none: the case is closed"
        super().__init__(
            f"case {case_id}: '{trigger}' is not allowed from state '{state}' (allowed: {can})"
        )


class UnknownTrigger(TriggerNotAllowed):
    """The brand's flow has no trigger of that name (a typo, or a flow that dropped it)."""

    def __init__(self, case_id: int, state: str, trigger: str, allowed: list[str],
                 brand: str, known: list[str]) -> None:
        super().__init__(case_id, state, trigger, allowed)
        close = get_close_matches(trigger, known, n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        self.args = (f"case {case_id}: no trigger '{trigger}' in {brand}'s flow ({guess}"
                     f"allowed now: {', '.join(allowed) or 'none'})",)


class GuardRefused(RecoveryError):
    """A guard declared on the trigger refused it; `reason` says why."""

    def __init__(self, case_id: int, trigger: str, guard: str, reason: str) -> None:
        self.case_id, self.trigger, self.guard, self.reason = case_id, trigger, guard, reason
        super().__init__(f"case {case_id}: '{trigger}' refused by guard '{guard}': {reason}")


class PolicyViolation(RecoveryError):
    """The brand's declared policy forbids the action (e.g. a remedy over its limit)."""


class ReplyRefused(PolicyViolation):
    """The linter found something that blocks the reply; an override with a reason sends it."""

    def __init__(self, case_id: int, findings: list[str]) -> None:
        self.case_id = case_id
        self.findings = findings
        super().__init__(f"case {case_id}: reply refused: {'; '.join(findings)}; reword it, or "
                         "override with a reason to send it anyway")


class ConcurrentUpdate(RecoveryError):
    """Someone else changed the case first; nothing was written. Reload and try again."""

    def __init__(self, case_id: int, what: str = "case") -> None:
        self.case_id = case_id
        super().__init__(
            f"{what} {case_id} was changed by someone else meanwhile; nothing was written "
            f"(show the {what} again and retry)"
        )


class StorageError(RecoveryError):
    """The database could not be reached, created or written."""


class NotAnchored(RecoveryError):
    """A checkpoint's own endpoint did not take it: no answer, or not a 2xx
    (`delivery/anchor.py`)."""
