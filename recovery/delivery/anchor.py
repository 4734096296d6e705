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

from recovery.delivery.signing import BadSecret, signature
from recovery.errors import InvalidInput, NotAnchored

SECRET = "RECOVERY_CHECKPOINT_SECRET"
"""The environment variable holding the checkpoint endpoint's secret(s), `whsec_…`."""
TIMEOUT = 10.0
"""Seconds to wait for the endpoint's answer."""


def post(document: dict[str, Any], url: str) -> None:
    """POST a checkpoint (`Checkpoint.as_dict()`) to `url`, signed with the secret(s) in
    `SECRET`; `NotAnchored` unless the endpoint answers 2xx."""
    import httpx  # here: only a process that posts pays for it

    secrets = os.environ.get(SECRET, "").strip()
    if not secrets:
        raise InvalidInput(f"set {SECRET} to the checkpoint endpoint's secret (`recovery "
                           "outbox secret` makes one)")
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(f"the checkpoint endpoint is a URL (https://…), not {url[:80]!r}")
    body = json.dumps(document, indent=1).encode() + b"\n"
    delivery_id, sent = f"checkpoint_{uuid4().hex}", int(time.time())
    try:
        signed = signature(secrets, delivery_id, sent, body)
    except BadSecret as exc:
        raise InvalidInput(f"{SECRET}: {exc}") from None
    headers = {"Content-Type": "application/json", "webhook-id": delivery_id,
               "webhook-timestamp": str(sent), "webhook-signature": signed}
    try:
        answer = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT,
                            follow_redirects=False)
    except httpx.HTTPError as exc:
        raise NotAnchored(f"posting the checkpoint to {url}: {type(exc).__name__}"
                          f"{': ' + str(exc).splitlines()[0] if str(exc) else ''}") from None
    if not 200 <= answer.status_code < 300:
        raise NotAnchored(f"posting the checkpoint to {url}: HTTP {answer.status_code} "
                          f"{answer.reason_phrase}".strip())
