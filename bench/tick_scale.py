"""`tick` at scale: firing about 100,000 due SLA breaches among 1,000,000 cases on SQLite,
through the library and through the command line, against bare `sqlite3` replaying the very
statements the library ran, bound as it binds them, with the same transactions (`tracing.py`),
in the same run. Each runs on
its own copy of the database.

    python bench/tick_scale.py [--cases 1000000] [--db FILE]

The database is `board_scale.py`'s (reused with `--db`); the tick happens when about a ninth of
the cases have their first response's breach come due (the first ninth of them: breaches come
due in the order cases came in).
"""

from __future__ import annotations

import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import tracing
from board_scale import T0, WORKFLOWS, database, options

from recovery import Engine

CHILD = """
import resource, sys, time
from datetime import datetime
from recovery import Engine
engine = Engine(sys.argv[1], workflows=sys.argv[2])
began = time.perf_counter()
fired = engine.tick(datetime.fromisoformat(sys.argv[3]))
print(len(fired), time.perf_counter() - began,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def library(path: Path, at: datetime) -> tuple[int, list[tuple[str, Any]]]:
    """Timers fired by a traced tick, and the statements it ran (with their parameters)."""
    log: list[tuple[str, Any]] = []
    engine = Engine(tracing.traced(path, log), workflows=WORKFLOWS)
    log.clear()
    fired = engine.tick(at)
    engine.close()
    return len(fired), log


def in_process(path: Path, at: datetime) -> tuple[int, float, int]:
    """The same tick in a fresh process, untraced: timers fired, seconds, peak MB."""
    out = subprocess.run([sys.executable, "-c", CHILD, f"sqlite:///{path}", str(WORKFLOWS),
                          at.isoformat()], capture_output=True, text=True, check=True).stdout
    fired, took, peak = out.split()
    return int(fired), float(took), int(peak)


def command_line(path: Path, at: datetime) -> tuple[float, int]:
    """`recovery tick` in its own process: seconds (whole command) and peak MB."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from recovery.cli import main; main()", "--db",
                    f"sqlite:///{path}", "--workflows", str(WORKFLOWS), "--now", at.isoformat(),
                    "--drill", "tick"], capture_output=True, check=True)
    took = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return took, peak


def _cases(path: Path) -> int:
    conn = sqlite3.connect(path)
    count = int(conn.execute("SELECT count(*) FROM recovery_cases").fetchone()[0])
    conn.close()
    return count


def main() -> None:
    args = options(__doc__)
    with tempfile.TemporaryDirectory() as scratch:
        source = database(args, scratch)
        copies = {name: Path(scratch) / f"{name}.db" for name in ("a", "b", "c", "d")}
        for copy in copies.values():
            shutil.copy(source, copy)
        count = _cases(source)
        at = T0 + timedelta(hours=2, seconds=count // 9)  # a tenth of the cases breach
        fired, statements = library(copies["a"], at)
        bare = tracing.replay(copies["b"], statements)
        fired_again, lib, lib_peak = in_process(copies["c"], at)
        cli, cli_peak = command_line(copies["d"], at)
    assert fired == fired_again, (fired, fired_again)
    writes = sum(1 for sql, _ in statements if sql.split(None, 1)[0].upper() in
                 ("INSERT", "UPDATE", "DELETE"))
    print(f"tick firing {fired:,} due timers among {count:,} cases; {len(statements):,} statements "
          f"({writes:,} writes)")
    print(f"  bare sqlite3 replaying the statements, bound (baseline) {bare:6.1f} s  1.00")
    print(f"  Engine.tick                                        {lib:6.1f} s  {lib / bare:.2f}"
          f"  peak {lib_peak} MB")
    print(f"  recovery tick (the whole command)                  {cli:6.1f} s  {cli / bare:.2f}"
          f"  peak {cli_peak} MB  ({cli / lib:.2f} of the library)")


if __name__ == "__main__":
    main()
