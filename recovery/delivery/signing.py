"""How a delivery is signed, and how a receiver checks it.

The signature is an HMAC-SHA256, keyed with the endpoint's secret, over the timestamp header,
a dot and the exact body bytes: `X-Recovery-Signature: sha256=<hex>`. A receiver recomputes it,
compares in constant time, refuses a timestamp too far from its own clock (a replay), and
drops a `X-Recovery-Delivery` id it has already handled (a retry it already took).
"""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE = 300
"""Seconds a receiver accepts between the timestamp and its own clock."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Recovery-Signature` value for a body sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, body: bytes, timestamp: str, signature: str, now: float,
           tolerance: int = TOLERANCE) -> bool:
    """Whether a delivery is genuine and fresh: the signature matches and the timestamp is
    within `tolerance` seconds of `now`."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
