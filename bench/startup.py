"""How fast the command line starts, against the smallest typer app with two commands.

Times (best of N runs, wall clock) `recovery --help`, `flow list`, `case show`, `case list` and
`case open` in a scratch folder holding the demo's database, and the `--help` of a two-command
typer app in the same run; prints each as a ratio of that baseline (aims: `--help` within 1.5x,
`case show` within 3x), and the floor any command that reads the database stands on: importing
SQLAlchemy and SQLModel alone. Then, in this process, what reading the first complaint costs (lingua
loads the models of the brand's candidate languages, and only those) against reading the next.

    python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = """import typer
app = typer.Typer()
@app.command()
def a(): pass
@app.command()
def b(): pass
app()
"""
COMMANDS = {
    "--help": ["--help"],
    "flow list": ["flow", "list"],
    "case show 1": ["case", "show", "1"],
    "case list": ["case", "list"],
    "case open": ["case", "open", "bistro", "--channel", "facebook", "--author", "@bench",
                  "--text", "Studená polévka už potřetí, to snad není možné"],
}


def best(command: list[str], runs: int, cwd: Path) -> float:
    """The fastest of `runs` runs of `command`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - start)
    return min(times)


def first_reading() -> tuple[float, float, int]:
    """Seconds to read bistro's first complaint, then one once every model is loaded, and how
    many candidate languages the brand has (lingua loads a language's models when first asked)."""
    from recovery.flows import load_flows
    from recovery.signals import read

    audience = load_flows(ROOT / "workflows")["bistro"].audience
    start = time.perf_counter()
    read("Studená polévka už potřetí!", audience)
    first = time.perf_counter() - start
    read("Zimna zupa po raz trzeci, serio?", audience)
    start = time.perf_counter()
    read("The soup was cold again, seriously?", audience)
    return first, time.perf_counter() - start, len(audience.candidates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    recovery = shutil.which("recovery") or sys.exit("install the project first (pip install -e .)")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "mini.py").write_text(MINI)
        os.environ["RECOVERY_WORKFLOWS"] = str(ROOT / "workflows")
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a user's machine: bytecode is
        # cached after the first run (else every start compiles the project from source)
        subprocess.run([recovery, "demo"], cwd=work, capture_output=True, check=True)
        baseline = best([sys.executable, str(work / "mini.py"), "--help"], args.runs, work)
        print(f"baseline: a two-command typer app's --help  {baseline:.3f} s  1.0x")
        floor = best([sys.executable, "-c", "import sqlalchemy, sqlmodel"], args.runs, work)
        print(f"floor: importing sqlalchemy and sqlmodel     {floor:.3f} s  "
              f"{floor / baseline:.1f}x")
        for name, argv in COMMANDS.items():
            took = best([recovery, *argv], args.runs, work)
            print(f"recovery {name:<14}{took:>22.3f} s  {took / baseline:.1f}x")
    first, then, count = first_reading()
    print(f"reading bistro's first complaint ({count} candidate languages): {first:.2f} s, "
          f"once loaded: {then * 1000:.1f} ms ({first / then:.0f}x)")


if __name__ == "__main__":
    main()
