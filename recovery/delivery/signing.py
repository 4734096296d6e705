"""How a delivery is signed, and how a receiver checks it: the Standard Webhooks scheme
(https://www.standardwebhooks.com), which receivers' libraries (`standardwebhooks`, `svix`)
verify as they are.

Each delivery carries `webhook-id` (the delivery id, the same on every try), `webhook-timestamp`
(Unix seconds when it was posted) and `webhook-signature`: `v1,<base64>` of the HMAC-SHA256 of
`id.timestamp.body`, keyed with the endpoint's secret, once per secret while one is rotated
(space-separated). A secret is written `whsec_<base64>`; the environment variable a webhook
names may hold several, separated by spaces, the new one first. A receiver recomputes a
signature with its secret, compares in constant time, refuses a timestamp more than
`TOLERANCE` seconds from its own clock (a replay), and drops a `webhook-id` it has handled.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

TOLERANCE = 300
"""Seconds a receiver accepts between the timestamp and its own clock."""
USER_AGENT = "recovery-webhooks/2"
"""Who a signed post says sent it."""
PREFIX = "whsec_"
"""How a Standard Webhooks secret is written: the prefix, then the key in base64."""


class BadSecret(ValueError):
    """A secret that is not `whsec_` and base64."""


def keys(secrets: str) -> list[bytes]:
    """The keys of the secrets in an environment variable's value (space-separated, each
    `whsec_<base64>`, the prefix optional as the receivers' libraries take it)."""
    found = []
    for secret in secrets.split():
        written = secret.removeprefix(PREFIX)
        try:
            key = base64.b64decode(written + "=" * (-len(written) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise BadSecret("a webhook secret is whsec_ and base64 (generate one with "
                            "`recovery outbox secret`)") from None
        if len(key) < 16:
            raise BadSecret("a webhook secret holds 16 bytes at least (generate one with "
                            "`recovery outbox secret`)")
        found.append(key)
    return found


def signature(secrets: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: a `v1,<base64>` signature per secret, space-separated."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    return " ".join("v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
                    .decode() for key in keys(secrets))


def headers(secrets: str, delivery_id: str, body: bytes, sent: int) -> dict[str, str]:
    """The headers of a post of `body` signed as a Standard Webhook sent at `sent` (Unix
    seconds), with its content type and sender; `BadSecret` for a malformed secret."""
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            "webhook-id": delivery_id,
            "webhook-timestamp": str(sent),
            "webhook-signature": signature(secrets, delivery_id, sent, body)}


def verify(secrets: str, delivery_id: str, timestamp: str, signed: str, body: bytes,
           now: float, tolerance: int = TOLERANCE) -> bool:
    """Whether a delivery is genuine and fresh (what a receiver without a Standard Webhooks
    library does): one of its signatures matches one of `secrets`, and its timestamp is within
    `tolerance` seconds of `now`."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    given = signed.split()
    return any(hmac.compare_digest(mine, theirs)
               for mine in signature(secrets, delivery_id, int(timestamp), body).split()
               for theirs in given)


def new_secret() -> str:
    """A fresh secret, written as receivers expect it."""
    import secrets

    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()
