"""Each case's events chained by hash, so a history that was changed behind the engine's back
shows it (`recovery audit verify`).

An event's content hash covers everything it says (case, number, time, who, trigger, states,
note, payload) written canonically; its chain hash covers the previous event's chain hash and
its own content hash. Redacting an event's text keeps both: the chain is over content hashes,
so it still verifies, and the redaction is itself an event further down the chain.

This is a contract with every database already written: change it and old chains break.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from recovery.clock import as_utc

GENESIS = "0" * 64
"""What the first event of a case chains from."""


def content_hash(case_id: int, seq: int, at: datetime, by: str, trigger: str,
                 source: str | None, dest: str, note: str | None,
                 payload: dict[str, Any] | None) -> str:
    """The SHA-256 of an event's content, written canonically: each field length-prefixed
    (`-` for none), the time in UTC, the payload as JSON with sorted keys."""
    written = None if payload is None else json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    fields = (str(case_id), str(seq), as_utc(at).isoformat(), by, trigger, source, dest, note,
              written)
    canonical = "".join("-" if field is None else f"{len(field)}:{field}" for field in fields)
    return hashlib.sha256(canonical.encode()).hexdigest()


def link(previous: str, content: str) -> str:
    """The chain hash of an event: over the previous event's chain hash and its content."""
    return hashlib.sha256(f"{previous}:{content}".encode()).hexdigest()
