"""What a brand's remedy catalogue says of one remedy: whether it is offered, and the
unguessable code and expiry it gets when issued."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from recovery.errors import PolicyViolation
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


def issued(limit: RemedyLimit, kind: str, at: datetime) -> dict[str, Any]:
    """The code and expiry a remedy gets when it is issued."""
    coded = limit.code is not None or kind in CODED
    return {"code": code(limit.code) if coded else None,
            "expires_at": at + limit.valid if limit.valid is not None and coded else None}
