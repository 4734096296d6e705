"""Worker processes started apart and released together, so the clock measures their work and
not their start-up: each runs a script that prints `ready` once set up and waits for a line on
stdin before it starts (`delivery_speed.py`, `tick_workers.py`)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping


def released_together(script: str, args: list[str], workers: int,
                      env: Mapping[str, str] | None = None) -> float:
    """Seconds from releasing `workers` processes running `script` with `args` until all have
    finished (each must exit 0)."""
    running = [subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, env=env) for _ in range(workers)]
    for process in running:
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    began = time.perf_counter()
    for process in running:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        process.stdin.flush()
    for process in running:
        assert process.wait() == 0
    return time.perf_counter() - began
