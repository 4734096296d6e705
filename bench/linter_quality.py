"""How well the reply linter reads what practitioners write: precision and recall per kind
(blame, hollow, redirect-only) and language, over the labelled replies in
tests/data/replies_eval.yaml, and the good replies it flags by mistake (aim: none). Also how
fast it lints them, against folding the same replies in the same run.

    python bench/linter_quality.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recovery.signals.text import fold
from tests.quality import CODES, EVAL, HELD_OUT, LANGUAGES, evaluate, flagged, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list what was missed")
    args = parser.parse_args()
    for title, source in (("the evaluation set (the rules were tuned on it)", EVAL),
                          ("held out (never tuned against)", HELD_OUT)):
        scores = evaluate(source)
        print(f"{title}\n{'language':<9}" + "".join(f"{kind + ' P/R':>18}" for kind in CODES)
              + f"{'good flagged':>14}")
        for language in LANGUAGES:
            cells = "".join(f"{scores[language, kind].precision:>11.2f} / "
                            f"{scores[language, kind].recall:.2f}" for kind in CODES)
            good = scores[language, "good"]
            flagged_good = len(good.false_alarms)
            print(f"{language:<9}{cells}{flagged_good:>8} of {good.hits + flagged_good}")
        if args.misses:
            for (language, kind), score in sorted(scores.items()):
                for text in score.misses:
                    print(f"missed {language} {kind}: {text}")
                for text in score.false_alarms:
                    print(f"false alarm {language} {kind}: {text}")
    labelled = items()
    for item in labelled[:5]:
        flagged(item)  # load the language models and dictionaries first
    start = time.perf_counter()
    for item in labelled:
        flagged(item)
    linting = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(100):
        for item in labelled:
            fold(item.text)
    folding = (time.perf_counter() - start) / 100
    print(f"linted {len(labelled)} replies: {len(labelled) / linting:,.0f}/s "
          f"({folding / linting:.4f} of folding them, {len(labelled) / folding:,.0f}/s)")


if __name__ == "__main__":
    main()
