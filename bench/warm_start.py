"""The first complaint a process reads, cold and warmed, against `Engine()` itself in the same
run: each in a fresh process over a fresh SQLite file and the sample brands, it builds the
engine (and warms it, `Engine.warm`), opens one complaint in each brand's language, then a
hundred more; it prints how long building, warming and the first open took, the first open
against the median of the next hundred, and the resident memory at the end.

Aims (issue 26): warmed, the first open within 3x the median of the next hundred; warming and
the first hundred opens within 2 s; a warmed engine serving the sample brands at most 250 MB. Once
with the teams in (10:00 UTC) and once after hours (23:00 UTC), when each open answers by
itself with an after-hours notice the linter checks.

    python bench/warm_start.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, statistics, sys, time
from datetime import UTC, datetime
began = time.perf_counter()
from recovery import Engine
now = datetime(2026, 12, 2, int(sys.argv[4]), tzinfo=UTC)
engine = Engine(sys.argv[1], workflows=sys.argv[2], clock=lambda: now)
built = time.perf_counter() - began
began = time.perf_counter()
if sys.argv[3] == "warm":
    engine.warm()
warmed = time.perf_counter() - began
texts = {"bistro": "Studená polévka a nikdo se neozval, volejte +420 777 123 456",
         "eshop": "Paket kasni već tjedan dana, nitko se ne javlja",
         "bikeshare": "Rower się zepsuł w połowie drogi i rozdarłem spodnie"}
took = []
began_opens = time.perf_counter()
for n in range(101):
    brand = list(texts)[n % 3]
    start = time.perf_counter()
    engine.open_case(brand, channel="twitter", author=f"@c{n}", text=texts[brand] + f" ({n})")
    took.append(time.perf_counter() - start)
opens = time.perf_counter() - began_opens
rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024
print(json.dumps({"built": built, "warmed": warmed, "first": took[0],
                  "median": statistics.median(took[1:]), "opens": opens, "rss": rss}))
"""


def run(mode: str, workflows: Path, hour: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run([sys.executable, "-c", CHILD, f"sqlite:///{scratch}/care.db",
                              str(workflows), mode, str(hour)], capture_output=True, text=True,
                             check=True)
    found: dict[str, float] = json.loads(out.stdout)
    return found


def main() -> None:
    workflows = Path(__file__).resolve().parent.parent / "workflows"
    for hour, when in ((10, "in hours"), (23, "after hours: each open lints its notice")):
        print(when)
        for mode in ("cold", "warm"):
            got = run(mode, workflows, hour)
            print(f"  {mode:>5}: Engine() {got['built']:.2f} s · warm() {got['warmed']:.2f} s · "
                  f"first open {got['first'] * 1000:.1f} ms = "
                  f"{got['first'] / got['median']:.1f}x the median of the next hundred "
                  f"({got['median'] * 1000:.1f} ms) · warming and 101 opens "
                  f"{got['warmed'] + got['opens']:.2f} s · {got['rss']:.0f} MB resident")


if __name__ == "__main__":
    main()
