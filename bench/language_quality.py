"""How well the language of a text is told, over the project's labelled replies (every one
written in a known language; `tests/data/replies_eval.yaml` and the held-out set), each read as
a brand that serves its language (and English) would read it, among the sample brands' ten
candidate languages: right, unsure (no language named) and wrong; with the memory and time the
models take to load. Before: lingua's high-accuracy models alone (the engine until issue 26);
now: what `recovery.signals.language` does (trigram models, the alphabet rule, a firmer bar for
an unserved language).

    python bench/language_quality.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder  # noqa: E402

from recovery.signals.language import detect, preload  # noqa: E402
from tests.quality import EVAL, HELD_OUT, items  # noqa: E402

CANDIDATES = ("cs", "en", "sk", "pl", "hr", "sl", "el", "de", "hu", "uk")
SERVED = {"cs": ("cs", "en"), "hr": ("hr", "en"), "pl": ("pl", "en"), "en": ("cs", "en"),
          "el": ("cs", "en")}
"""The brand each labelled language's replies are read for: its own, or bistro's."""


def resident() -> int:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024


def main() -> None:
    labelled = [*items(EVAL), *items(HELD_OUT)]
    began, before_mb = time.perf_counter(), resident()  # first: lingua shares loaded models
    preload(CANDIDATES)
    now_load, now_mb = time.perf_counter() - began, resident() - before_mb
    began, before_mb = time.perf_counter(), resident()
    high = LanguageDetectorBuilder.from_languages(*[
        Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in CANDIDATES
    ]).with_preloaded_language_models().build()
    high_load, high_mb = time.perf_counter() - began, resident() - before_mb
    then, now = Counter[str](), Counter[str]()
    for item in labelled:
        values = high.compute_language_confidence_values(item.text)
        named = (values[0].language.iso_code_639_1.name.lower()
                 if values and values[0].value >= 0.5 else None)
        then[_verdict(named, item.language)] += 1
        found = detect(item.text, CANDIDATES, SERVED[item.language]).language
        now[_verdict(found, item.language)] += 1
    print(f"{len(labelled)} labelled replies (en, cs, pl, hr, el), ten candidate languages")
    for name, counted, load, megabytes in (("before: high-accuracy models", then, high_load,
                                            high_mb),
                                           ("now: recovery's detection", now, now_load, now_mb)):
        print(f"  {name:<30} right {counted['right']:>3} · unsure {counted['unsure']} · "
              f"wrong {counted['wrong']} · models {megabytes} MB, loaded in {load:.2f} s")


def _verdict(found: str | None, language: str) -> str:
    return "right" if found == language else "unsure" if found is None else "wrong"


if __name__ == "__main__":
    main()
