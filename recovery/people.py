"""Who acts as what for a brand: its people's roles (`agent`, `lead`), as the brand's flow file
names them or as the host knows its own users. A lead approves remedies over the agent's limit
and redacts histories."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from recovery import limits
from recovery.errors import InvalidInput
from recovery.flows import Flow
from recovery.store.audit import ANYONE

People = Mapping[str, str] | Callable[[str, str], str | None]
"""Who may act and as what, as a host knows its own users: names and their roles (`agent` or
`lead`) for every brand, or a callable taking (brand, name) and giving the role, None for
someone who may not act for that brand."""
ROLES = ("agent", "lead")
LEAD = "lead"
"""The role that approves remedies over the agent's limit and redacts histories."""


class Roles:
    """Who acts as what for each brand: the host's people where the engine was given them,
    else the brand's `people:`; where neither names anyone, anyone acts, as an agent."""

    def __init__(self, people: People | None = None) -> None:
        if people is not None and not (isinstance(people, Mapping) or callable(people)):
            raise InvalidInput("people= is a mapping of names to roles, or a callable taking "
                               f"(brand, name) and giving the role; not {type(people).__name__}")
        self._people = people

    def named(self, flow: Flow) -> bool:
        """True when someone says who may act for the brand (so it has leads)."""
        return self._people is not None or bool(flow.settings.people)

    def authority(self, flow: Flow, by: str) -> str | None:
        """What lets `by` take a lead's decision for the brand (redact its histories, move its
        cases to another version of its flow), recorded with it: `lead`, or `anyone` where
        nobody is named (neither the brand nor the host names its people); None when `by` may
        not."""
        if not self.named(flow):
            return ANYONE
        try:
            return LEAD if self.of(flow, by) == LEAD else None
        except InvalidInput:
            return None

    def of(self, flow: Flow, by: str) -> str:
        """`agent` or `lead`; refused for someone who may not act for the brand."""
        given: People = self._people if self._people is not None else flow.settings.people
        if not given:
            return "agent"
        role = given.get(by) if isinstance(given, Mapping) else given(flow.brand, by)
        if role is None:
            named = (f" ({', '.join(sorted(given))})" if isinstance(given, Mapping)
                     and len(given) <= 20 else "")
            raise InvalidInput(f"'{by}' is not one of {flow.brand}'s people{named}; say who "
                               "acts (by=)")
        if role not in ROLES:
            raise InvalidInput(f"the people given say '{by}' is {limits.shown(role)}; a role "
                               f"is {' or '.join(ROLES)}")
        return role
