"""Worker and courier processes started in milliseconds, to be killed -9 at random moments.

A process that has imported the engine once forks each of them (as a pre-fork server does),
so a test that starts and kills forty of them spends its time on what they do, not on forty
interpreters importing SQLAlchemy. Each child is a real process of its own, with its own
database connections, killed with SIGKILL wherever it is; what it says goes to a file of its
own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from tests.conftest import until

FORKER = r"""
import json, os, signal, sys
import httpx  # what the children use, imported once before they are forked
import recovery.cli.worker, recovery.worker
from recovery import Engine
from recovery.cli import main
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the system reaps the children
for line in sys.stdin:
    kind, args, log = json.loads(line)
    pid = os.fork()
    if pid == 0:
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.stdin.close()
        try:
            if kind == "courier":
                engine = Engine(args[0], workflows=args[1])
                engine.flow("bistro"), engine.outbox.stats()
                print("ready", flush=True)
                engine.outbox.deliver()
            else:
                sys.argv = ["recovery", *args]
                main()
        except SystemExit as done:
            os._exit(done.code if isinstance(done.code, int) else 1)
        finally:
            sys.stdout.flush(), sys.stderr.flush()
        os._exit(0)
    print(pid, flush=True)
"""


class Child:
    """A forked worker or courier: its pid and the file it writes to."""

    def __init__(self, pid: int, log: Path) -> None:
        self.pid = pid
        self.log = log

    def first_line(self) -> str:
        """Wait for the first line the child writes."""
        def said() -> str:
            text = self.log.read_text() if self.log.exists() else ""
            return text.split("\n", 1)[0] if "\n" in text else ""

        return str(until(said, f"child {self.pid} to say something"))

    def kill(self) -> None:
        """SIGKILL, wherever it is, and wait until it is gone."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        until(lambda: not _alive(self.pid), f"child {self.pid} to go")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Forks:
    """The forking process, for one test (`with Forks(env, folder) as forks:`)."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self._env = env
        self._folder = folder
        self._children: list[Child] = []
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Forks:
        self._process = subprocess.Popen([sys.executable, "-c", FORKER], env=self._env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self._process is not None and self._process.stdin is not None
        for child in self._children:  # a test that failed half-way leaves none running
            child.kill()
        self._process.stdin.close()
        self._process.wait(timeout=60)

    def start(self, kind: str, *args: str) -> Child:
        """Fork a `worker` (the `recovery` command line with `args`) or a `courier` (an
        engine on `args` = (database, workflows) that delivers the outbox once)."""
        assert self._process is not None and self._process.stdin is not None
        assert self._process.stdout is not None
        log = self._folder / f"child-{len(self._children) + 1}.log"
        self._process.stdin.write(json.dumps([kind, list(args), str(log)]) + "\n")
        self._process.stdin.flush()
        self._children.append(Child(int(self._process.stdout.readline()), log))
        return self._children[-1]
