"""`recovery worker`: fire timers and deliver webhooks until stopped."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recovery.cli.common import fail, settings
from recovery.errors import InvalidInput

if TYPE_CHECKING:
    from recovery.engine import Engine


class LogFormat(StrEnum):
    """How the worker writes its log lines."""

    text = "text"
    json = "json"


def worker(ctx: typer.Context,
           once: Annotated[bool, typer.Option("--once", help="One round, then exit (for cron).")]
           = False,
           interval: Annotated[float, typer.Option(help="Seconds to wait after a round with "
                                                   "nothing to do.", min=0.05, max=3600)] = 5.0,
           log_format: Annotated[LogFormat, typer.Option(help="One line per action: text, or "
                                                         "a JSON object.")] = LogFormat.text,
           checkpoint: Annotated[Path | None, typer.Option(
               help="Write a signed checkpoint of every case's chain head to this file (key "
                    "from RECOVERY_AUDIT_KEY), after the first round and every --checkpoint-every.",
               dir_okay=False)] = None,
           checkpoint_every: Annotated[str, typer.Option(
               help="How often to checkpoint (30m, 1h, 1d).")] = "1h",
           checkpoint_post: Annotated[str | None, typer.Option(
               help="Also POST each checkpoint to this endpoint of its own, signed as a "
                    "webhook with RECOVERY_CHECKPOINT_SECRET.")] = None
           ) -> None:
    """Run until stopped: fire the timers that come due (what `tick` does) and deliver the
    webhook outbox, one log line per action on stderr. SIGTERM or Ctrl-C finishes what is in
    flight and exits 0. On SQLite one worker runs at a time; on PostgreSQL several share the
    work, and a new webhook delivery wakes them before the interval is up."""
    from recovery.worker import Worker, alone, listener, logging_to

    config = settings(ctx)
    engine = config.engine()
    logging_to(sys.stderr, log_format is LogFormat.json)
    if not once:
        engine.warm()  # its first timers read and check as fast as the rest
    wake = listener(config.db)
    running = Worker(engine, interval, wake,
                     *_anchoring(engine, checkpoint, checkpoint_every, checkpoint_post))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: running.stop())
    try:
        with alone(config.db):
            running.run(once=once)
    finally:
        if wake is not None:
            wake.close()
        engine.close()


def _anchoring(engine: Engine, path: Path | None, every: str, url: str | None = None
               ) -> tuple[Callable[[], str] | None, float]:
    """What writes the worker's checkpoints (and posts them to `url`), and how often
    (seconds)."""
    import json
    import os

    from recovery.clock import parse_duration
    from recovery.delivery.anchor import post, ready

    if path is None:
        if url is not None:
            fail(InvalidInput("--checkpoint-post: give --checkpoint FILE too (the file is "
                              "written first, then posted)"))
        return None, 0.0
    if url is not None:
        ready(url)  # a missing secret or a bad URL is said now, not at the first checkpoint
    key = os.environ.get("RECOVERY_AUDIT_KEY", "").strip()
    if not key:
        fail(InvalidInput("--checkpoint: set RECOVERY_AUDIT_KEY (`recovery audit keygen` "
                          "makes a pair)"))
    try:
        seconds = parse_duration(every).total_seconds()
    except ValueError as exc:
        fail(InvalidInput(f"--checkpoint-every: {exc}"))
    from recovery.checkpoint import signing_key

    signing_key(key)  # a bad key is said now, not at the first checkpoint

    def write() -> str:
        signed = engine.checkpoint(key)
        written = path.with_name(path.name + ".part")  # whole, or not at all
        written.write_text(json.dumps(signed.as_dict(), indent=1) + "\n", encoding="utf-8")
        os.replace(written, path)
        if url is not None:  # kept in the file whatever the endpoint says
            post(signed.as_dict(), url)
            return f"{path}, posted to {url}"
        return str(path)

    return write, seconds
