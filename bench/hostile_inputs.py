"""Run the hostile-input corpus (`tests/hostile.py`) through the command line and say how it
ended: "N hostile inputs: N one-line errors, 0 tracebacks, 0 over 5 s".

    python bench/hostile_inputs.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from recovery.cli import app  # noqa: E402
from tests.hostile import SLOW, bad, run_all  # noqa: E402


def main() -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as scratch:
        base = ["--db", f"sqlite:///{Path(scratch) / 'h.db'}", "--workflows",
                str(ROOT / "workflows"), "--now", "2026-12-01T10:30Z", "--drill"]

        def invoke(*args: str) -> object:
            return runner.invoke(app, [*base, *args], prog_name="recovery")

        invoke("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
               "--text", "Cold soup")
        outcomes = run_all(invoke)
    refused = [o for o in outcomes if o.exit_code != 0 and not o.helped]
    one_line = [o for o in refused if o.error_lines == 1]
    print(f"{len(outcomes)} hostile inputs: {len(refused)} refused, {len(one_line)} with "
          f"one-line errors, {sum(o.traceback for o in outcomes)} tracebacks, "
          f"{sum(o.seconds > SLOW for o in outcomes)} over {SLOW:g} s "
          f"(slowest {max(o.seconds for o in outcomes):.2f} s); "
          f"{len(outcomes) - len(refused)} did their job (help, a lint report, a case opened)")
    for outcome in outcomes:
        if bad(outcome):
            print("  BAD", outcome.args[:6], outcome.exit_code, outcome.error)


if __name__ == "__main__":
    main()
