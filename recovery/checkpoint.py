"""A history anchored outside the database: checkpoints of every case's chain head, signed with a
key the database never holds.

`write` reads each case's version and the chain hash of its last event, and signs the list
with an Ed25519 private key (`cryptography`); the operator keeps the file where the database's
writers cannot reach it (another machine, object storage with retention, a webhook of its own).
`check` then holds the database to the checkpoint, given only the public key: every case it
names must still be there, at that version or later, its event at that version still hashing
to the head signed. A truncated history (last event deleted, version lowered), an edited event
with the chain recomputed after it, a deleted-and-renumbered history, or a redaction forged over
an earlier event all change a head or lose an event, and are named, one line a case.

What it cannot catch: changes to events written after the last checkpoint, and anything done
by someone who holds the private key.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, select, tuple_

from recovery.errors import InvalidInput
from recovery.store.audit import Break
from recovery.store.tables import cases, events

FORMAT = "recovery-checkpoint/1"
"""What a checkpoint file says it is."""
CHUNK = 500
"""(case, version) pairs looked up per statement."""


@dataclass(frozen=True)
class Checkpoint:
    """Every case's version and chain head at `at`, and the signature over them."""

    at: datetime
    heads: dict[int, tuple[int, str]]
    signature: str

    def as_dict(self) -> dict[str, Any]:
        """The file's content."""
        return {"format": FORMAT, "at": self.at.isoformat(),
                "cases": {str(case): {"version": version, "head": head}
                          for case, (version, head) in sorted(self.heads.items())},
                "signature": self.signature}


def new_key() -> tuple[str, str]:
    """A fresh key pair: (private, public), each base64 of its 32 raw bytes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    return _raw(private), _raw(private.public_key())


def heads(conn: Connection) -> dict[int, tuple[int, str]]:
    """Each case's version and the chain hash of its event at that version."""
    query = (select(cases.c.id, cases.c.version, events.c.chain_hash)
             .join(events, and_(events.c.case_id == cases.c.id,
                                events.c.seq == cases.c.version))
             .order_by(cases.c.id))
    return {int(row.id): (int(row.version), str(row.chain_hash)) for row in conn.execute(query)}


def write(conn: Connection, private_key: str, at: datetime) -> Checkpoint:
    """Sign every case's head now."""
    found = heads(conn)
    key = signing_key(private_key)
    return Checkpoint(at, found, base64.b64encode(key.sign(_signed(at, found))).decode())


def read(path: Path, public_key: str) -> Checkpoint:
    """A checkpoint file, its signature checked with `public_key`."""
    from cryptography.exceptions import InvalidSignature

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError
        at = datetime.fromisoformat(document["at"])
        found = {int(case): (int(item["version"]), str(item["head"]))
                 for case, item in document["cases"].items()}
        signature = base64.b64decode(document["signature"], validate=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput(f"{path} is not a checkpoint `recovery audit checkpoint` "
                           "wrote") from None
    try:
        _public(public_key).verify(signature, _signed(at, found))
    except InvalidSignature:
        raise InvalidInput(f"{path} is not signed by the key given: it was changed, or "
                           "another key signed it") from None
    return Checkpoint(at, found, document["signature"])


def check(conn: Connection, checkpoint: Checkpoint, brand: str | None = None,
          case_id: int | None = None) -> list[Break]:
    """Each case (of `brand`, or `case_id`) whose history no longer holds the head the
    checkpoint signed. A case gone from the database is named where no brand is chosen."""
    now = heads(conn)
    signed = checkpoint.heads
    if case_id is not None:
        signed = {case: head for case, head in signed.items() if case == case_id}
    if brand is not None:
        ours = set(conn.execute(select(cases.c.id).where(cases.c.brand == brand)).scalars())
        signed = {case: head for case, head in signed.items() if case in ours}
    wanted = sorted((case, version) for case, (version, _head) in signed.items())
    chains: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = conn.execute(select(events.c.case_id, events.c.chain_hash).where(
            tuple_(events.c.case_id, events.c.seq).in_(wanted[start:start + CHUNK])))
        chains.update((int(row.case_id), str(row.chain_hash)) for row in rows)
    broken = []
    stamp = checkpoint.at.isoformat(timespec="seconds")
    for case, (version, head) in sorted(signed.items()):
        if case not in now:
            broken.append(Break(case, None, f"the case is gone; the checkpoint of {stamp} "
                                            f"has it at version {version}"))
        elif now[case][0] < version:
            broken.append(Break(case, now[case][0] + 1, (
                f"the case is at version {now[case][0]}, but the checkpoint of {stamp} has "
                f"it at {version}: its history was cut")))
        elif chains.get(case) != head:
            broken.append(Break(case, version, (
                f"event #{version} does not hash to the head the checkpoint of {stamp} "
                "signed: the history up to it was changed")))
    return broken


def _signed(at: datetime, found: dict[int, tuple[int, str]]) -> bytes:
    """The bytes a checkpoint signs: its time and every head, in one canonical form."""
    return json.dumps({"format": FORMAT, "at": at.isoformat(),
                       "cases": [[case, version, head]
                                 for case, (version, head) in sorted(found.items())]},
                      separators=(",", ":")).encode()


def _raw(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    if hasattr(key, "private_bytes"):
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    else:
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def signing_key(written: str) -> Any:
    """The Ed25519 private key written in base64; one line when it is not one."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(written.strip(),
                                                                     validate=True))
    except ValueError:
        raise InvalidInput("the checkpoint key is not an Ed25519 private key in base64 "
                           "(`recovery audit keygen` makes a pair)") from None


def _public(written: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(written.strip(),
                                                                   validate=True))
    except ValueError:
        raise InvalidInput("the public key is not an Ed25519 public key in base64 "
                           "(`recovery audit keygen` makes a pair)") from None
