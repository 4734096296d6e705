"""What a brand's remedy catalogue says of one remedy: whether it is offered, who acts as
what (the brand's people, or the host's), and the unguessable code and expiry it gets when
issued."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from recovery import limits
from recovery.errors import InvalidInput, PolicyViolation
from recovery.flows import Flow
from recovery.flows.remedies import RemedyLimit

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits a customer cannot confuse (no O/0, I/1)."""
CODE_LENGTH = 10
"""About 50 bits: unguessable, still easy to read out on the phone."""
CODED = ("coupon", "voucher")
"""Kinds that always carry a code, declared or not."""


def code(pattern: str | None = None) -> str:
    """A fresh unguessable code (`secrets`), set into the brand's pattern (`RB-{code}`)."""
    drawn = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return (pattern or "{code}").replace("{code}", drawn)


def limit_of(flow: Flow, kind: str) -> RemedyLimit:
    """The brand's declaration of a kind of remedy; refused when it does not offer it."""
    limit = flow.settings.remedies.get(kind)
    if limit is None:
        offered = ", ".join(flow.settings.remedies) or "no remedies at all"
        raise PolicyViolation(f"{flow.brand} does not offer a {kind}; its flow allows {offered}")
    return limit


People = Mapping[str, str] | Callable[[str, str], str | None]
"""Who may act and as what, as a host knows its own users: names and their roles (`agent` or
`lead`) for every brand, or a callable taking (brand, name) and giving the role, None for
someone who may not act for that brand."""
ROLES = ("agent", "lead")


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


def issued(limit: RemedyLimit, kind: str, at: datetime) -> dict[str, Any]:
    """The code and expiry a remedy gets when it is issued."""
    coded = limit.code is not None or kind in CODED
    return {"code": code(limit.code) if coded else None,
            "expires_at": at + limit.valid if limit.valid is not None and coded else None}
