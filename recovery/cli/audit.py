"""`recovery audit …`: check that every case's history is whole and unchanged, against its own
chain and against checkpoints signed outside the database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from recovery import limits
from recovery.cli.common import BrandFilter, Group, Json, fail, settings
from recovery.cli.layout import emit_json, say
from recovery.errors import InvalidInput

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Check that the history proves itself: every case's hash chain.")

BROKEN = 1
"""The exit code when some history does not verify."""
PRIVATE = "RECOVERY_AUDIT_KEY"
"""The environment variable holding the checkpoint signing key (Ed25519, base64)."""
PUBLIC = "RECOVERY_AUDIT_PUBLIC_KEY"
"""The environment variable holding the key that checks a checkpoint."""


@app.command()
def verify(ctx: typer.Context, brand: BrandFilter = None,
           case: Annotated[int | None, typer.Option("--case", help="Only this case.", min=1,
                                                       max=limits.MAX_ID)]
           = None,
           checkpoint: Annotated[Path | None, typer.Option(
               help="A checkpoint file (`recovery audit checkpoint`): every case must still "
                    "hold the head it signed. Its public key comes from "
                    f"{PUBLIC} or --public-key.", dir_okay=False)] = None,
           public_key: Annotated[Path | None, typer.Option(
               help="A file holding the checkpoint's public key.", dir_okay=False)] = None,
           json: Json = False) -> None:
    """Check each case's events: numbered without gaps, each matching its hash, each hash
    following from the one before, each blanked one redacted once by someone who may; with
    --checkpoint, each case still at the head signed then. Exit 0 when all verify; 1 with
    each broken case and its first bad event."""
    from recovery import checkpoint as checkpoints

    signed = None
    if checkpoint is not None:
        signed = checkpoints.read(checkpoint, _key(public_key, PUBLIC, "--public-key"))
    audit = settings(ctx).engine().audit(brand=brand, case_id=case, checkpoint=signed)
    if json:
        emit_json({**audit.as_dict(), "ok": audit.ok})
    else:
        for found in audit.broken:
            say(f"case {found.case_id}: {found.problem}", style="red")
        verdict = "verified" if audit.ok else f"checked, {len(audit.broken)} broken"
        say(f"{audit.cases} case(s), {audit.events} event(s) {verdict}")
    if not audit.ok:
        raise typer.Exit(BROKEN)


@app.command()
def checkpoint(ctx: typer.Context,
               out: Annotated[Path, typer.Option(help="Where to write the checkpoint (keep it "
                                                      "where the database's writers cannot "
                                                      "reach).", dir_okay=False)],
               key: Annotated[Path | None, typer.Option(
                   help=f"A file holding the signing key (else {PRIVATE}).",
                   dir_okay=False)] = None,
               post: Annotated[str | None, typer.Option(
                   help="Also POST it to this endpoint of its own, signed as a webhook with "
                        "RECOVERY_CHECKPOINT_SECRET.")] = None) -> None:
    """Sign every case's chain head now with a key the database never holds, and write the
    checkpoint (and post it): `audit verify --checkpoint` then finds any later change to what
    it covers."""
    import json

    if post is not None:
        from recovery.delivery.anchor import ready

        ready(post)  # said before anything is signed or written
    signed = settings(ctx).engine().checkpoint(_key(key, PRIVATE, "--key"))
    try:
        out.write_text(json.dumps(signed.as_dict(), indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(InvalidInput(f"--out: cannot write {out}: {exc.strerror}"))
    say(f"checkpoint of {len(signed.heads):,} case(s) at {signed.at.isoformat()} written to "
        f"{out}")
    if post is not None:
        from recovery.delivery.anchor import post as post_checkpoint

        post_checkpoint(signed.as_dict(), post)
        say(f"posted to {post}")


@app.command()
def keygen() -> None:
    """Print a new Ed25519 key pair for checkpoints: the private key for whoever writes them
    (the worker), the public key for whoever verifies."""
    from recovery.checkpoint import new_key

    private, public = new_key()
    say(f"{PRIVATE}={private}")
    say(f"{PUBLIC}={public}")


def _key(path: Path | None, variable: str, option: str) -> str:
    """A key from its file, else from its environment variable; one line when neither."""
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            fail(InvalidInput(f"{option}: cannot read {path}: {exc.strerror}"))
    found = os.environ.get(variable, "").strip()
    if not found:
        fail(InvalidInput(f"no key: set {variable} or give {option} FILE "
                          "(`recovery audit keygen` makes a pair)"))
    return found
