"""A checkpoint posted to an endpoint of its own, so that it lives where the database's writers
cannot reach (`recovery audit checkpoint --post URL`, `recovery worker --checkpoint-post URL`).

The body is the checkpoint file's JSON; the request is signed as every webhook is (Standard
Webhooks: `webhook-id` a fresh id, `webhook-timestamp`, `webhook-signature` with each secret in
`SECRET`), so the receiver checks it with its Standard Webhooks library before it keeps it. A
2xx answer means kept; anything else is `NotAnchored`, and the caller keeps its file.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any
from uuid import uuid4

from recovery.delivery.signing import BadSecret, headers, keys
from recovery.errors import InvalidInput, NotAnchored

SECRET = "RECOVERY_CHECKPOINT_SECRET"
"""The environment variable holding the checkpoint endpoint's secret(s), `whsec_…`."""
TIMEOUT = 10.0
"""Seconds to wait for the endpoint's answer."""


def ready(url: str) -> str:
    """The secret(s) to sign with for `url`, once both are usable; `InvalidInput` saying what
    to set otherwise (checked before a checkpoint is made, and again as it is posted)."""
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(f"the checkpoint endpoint is a URL (https://…), not {url[:80]!r}")
    secrets = os.environ.get(SECRET, "").strip()
    if not secrets:
        raise InvalidInput(f"set {SECRET} to the checkpoint endpoint's secret (`recovery "
                           "outbox secret` makes one)")
    try:
        keys(secrets)
    except BadSecret as exc:
        raise InvalidInput(f"{SECRET}: {exc}") from None
    return secrets


def post(document: dict[str, Any], url: str) -> None:
    """POST a checkpoint (`Checkpoint.as_dict()`) to `url`, signed with the secret(s) in
    `SECRET`; `NotAnchored` unless the endpoint answers 2xx."""
    import httpx  # here: only a process that posts pays for it

    body = json.dumps(document, indent=1).encode() + b"\n"
    signed = headers(ready(url), f"checkpoint_{uuid4().hex}", body, int(time.time()))
    try:
        answer = httpx.post(url, content=body, headers=signed, timeout=TIMEOUT,
                            follow_redirects=False)
    except httpx.HTTPError as exc:
        raise NotAnchored(f"posting the checkpoint to {url}: {type(exc).__name__}"
                          f"{': ' + str(exc).splitlines()[0] if str(exc) else ''}") from None
    if not 200 <= answer.status_code < 300:
        raise NotAnchored(f"posting the checkpoint to {url}: HTTP {answer.status_code} "
                          f"{answer.reason_phrase}".strip())
