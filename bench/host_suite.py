"""What `recovery`'s pytest plugin costs a host's own test run: a host suite of plain tests run
with the plugin as installed (entry point `pytest11`) against the same run with `-p no:recovery`,
alternated in the same session; the median wall time and peak memory of each, and the ratios
(aim: within 1.1x).

    python bench/host_suite.py [--tests 50] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import resource, sys
import pytest
code = pytest.main(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
sys.exit(code)
"""


def run(folder: Path, extra: list[str]) -> tuple[float, int]:
    """One run of the host suite: seconds and peak MB."""
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, "-q", "-p", "no:cacheprovider",
                           *extra], cwd=folder, capture_output=True, text=True, check=True)
    return time.perf_counter() - began, int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "test_host.py").write_text("".join(
            f"def test_{n}():\n    assert sum(range({n})) == {n * (n - 1) // 2}\n\n"
            for n in range(args.tests)))
        times: dict[str, list[float]] = {"with": [], "without": []}
        peaks: dict[str, list[int]] = {"with": [], "without": []}
        for _ in range(args.runs):
            for name, extra in (("with", []), ("without", ["-p", "no:recovery"])):
                took, peak = run(folder, extra)
                times[name].append(took)
                peaks[name].append(peak)
    base, base_mb = statistics.median(times["without"]), statistics.median(peaks["without"])
    plugged, plugged_mb = statistics.median(times["with"]), statistics.median(peaks["with"])
    print(f"a host suite of {args.tests} tests, medians of {args.runs} runs, alternated")
    print(f"  -p no:recovery (baseline)        {base:6.3f} s  1.00   {base_mb} MB")
    print(f"  recovery's plugin as installed   {plugged:6.3f} s  {plugged / base:.2f}   "
          f"{plugged_mb} MB  {plugged_mb / base_mb:.2f}")


if __name__ == "__main__":
    main()
