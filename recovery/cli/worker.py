"""`recovery worker`: fire timers and deliver webhooks until stopped."""

from __future__ import annotations

import signal
import sys
from enum import StrEnum
from typing import Annotated

import typer

from recovery.cli.common import settings


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
                                                         "a JSON object.")] = LogFormat.text
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
    running = Worker(engine, interval, wake)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: running.stop())
    try:
        with alone(config.db):
            running.run(once=once)
    finally:
        if wake is not None:
            wake.close()
        engine.close()
