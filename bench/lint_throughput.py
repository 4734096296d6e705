"""Replies linted per second against a history of 100,000 sent replies.

Each reply is checked by every rule: blame, hollow and redirect phrases in five languages,
personal data, length, language detection, copy-paste against the brand's last 100,000 replies
(`rapidfuzz`), and, where a hunspell dictionary is installed, spelling. The baseline, measured in
the same run on the same texts, is folding the reply (case-folding and stripping accents), the
least any phrase check must do; machines are shared and noisy, so compare the ratios.

The copy check is also measured alone: scoring every skeleton (the scan, as the baseline for
it), with the index ruling out first what cannot reach the similarity (the run checks that every
verdict is the same), and over a history rendered from 40 templates (openings and bodies; only
names and numbers differ), which scores 40 distinct skeletons instead of 100,000.
It also measures `Engine.lint`, which first brings the copy index up to date from the database
(100,000 rows read once, then only what other workers sent since), also with its clock moving a
minute a check, so that replies leave the window as they would in a day's work.

    python bench/lint_throughput.py [--history 100000] [--count 300]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert

from recovery import Engine
from recovery.replies import CopyIndex, Speller, Subject, lint, skeleton
from recovery.replies.compose import rules_for
from recovery.signals.text import fold
from recovery.store.tables import replies

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
OPENINGS = ["Hi {n},", "Ahoj {n},", "{n},", "Dear {n},", "Dobrý den, {n},"]
BODIES = [
    "sorry about the cold soup at table {k}, the kitchen now checks every bowl at the pass",
    "moc nás mrzí čekání {k} minut, dnes jsme přidali kuchaře na večerní směnu",
    "your order {k} left our store late; we refunded the delivery fee to your card",
    "the bike {k} had a loose saddle, our mechanic fixed it this morning",
    "we are sorry for the noise near table {k}, the music is now softer after nine",
    "omlouváme se za účet {k}, rozdíl vám vracíme na kartu ještě dnes",
    "the waiter should have brought tap water at once; we spoke with the team today",
    "your parcel {k} is with the courier and will reach you tomorrow before noon",
]
EXTRA = ["today", "again", "also", "really", "dnes", "opravdu", "také", "znovu", "please", "now",
         "soon", "kindly", "truly", "hned", "rádi", "promptly", "fully", "prosím", "ještě",
         "určitě"]
NAMES = ["Jana", "Petr", "Eva", "Tomáš", "Marta", "Karel", "Zuzana", "Ola", "Piotr", "Ivana"]


def sentence(rng: random.Random) -> tuple[str, str]:
    """A plausible reply and its customer's name."""
    name = rng.choice(NAMES)
    words = rng.choice(BODIES).format(k=rng.randint(1, 999)).split()
    middle = words[2:6]  # (shuffling the slice itself shuffled a copy: 40 distinct replies)
    rng.shuffle(middle)
    words[2:6] = middle
    for _ in range(3):  # and a few words of their own: nearly every reply differs
        words.insert(rng.randint(0, len(words)), rng.choice(EXTRA))
    return f"{rng.choice(OPENINGS).format(n=name)} {' '.join(words)}.", name


def rate(work: Callable[[str], object], texts: list[str]) -> float:
    """Calls per second of `work` over `texts` (best of three)."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        for text in texts:
            work(text)
        best = min(best, time.perf_counter() - began)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        clock = {"now": NOW}
        engine = Engine(url, workflows=WORKFLOWS, clock=lambda: clock["now"])
        flow = engine.flow("bistro")
        rules = rules_for(flow)
        copies = CopyIndex()
        scanned = CopyIndex(scan_below=args.history + 1)  # every skeleton scored, as before
        case_ids = [engine.open_case("bistro", channel="facebook", author=f"@c{i}",
                                     text="Studená polévka", at=NOW - timedelta(days=1)).id
                    for i in range(100)]
        rows = []
        for index in range(args.history):
            text, name = sentence(rng)
            at = NOW - timedelta(minutes=rng.randint(1, 6 * 24 * 60))
            shape = skeleton(text, (name,))
            copies.add(case_ids[index % 100], f"@{name}{index}", at, shape)
            scanned.add(case_ids[index % 100], f"@{name}{index}", at, shape)
            rows.append({"case_id": case_ids[index % 100], "brand": "bistro",
                         "customer": f"@{name}{index}", "at": at, "public": True,
                         "skeleton": shape})
        bulk = create_engine(url)  # the history, inserted in one statement
        with bulk.begin() as conn:
            conn.execute(insert(replies), rows)
        bulk.dispose()
        texts = [sentence(rng)[0] for _ in range(args.count)]
        templated = CopyIndex()  # replies rendered from templates: only names, numbers differ
        for index in range(args.history):
            name = rng.choice(NAMES)
            text = (f"{rng.choice(OPENINGS).format(n=name)} "
                    f"{rng.choice(BODIES).format(k=rng.randint(1, 999))}.")
            templated.add(index, f"@{name}{index}", NOW - timedelta(minutes=index % 9000),
                          skeleton(text, (name,)))
        subject = Subject("facebook", True, "@new", ("Jana",), "cs")
        speller = Speller()

        baseline = rate(fold, texts)
        since = NOW - timedelta(days=7)
        verdicts = [(copies.near(skeleton(t), "@new", since, 90),
                     scanned.near(skeleton(t), "@new", since, 90)) for t in texts]
        assert all(ours == scan for ours, scan in verdicts)  # the same verdicts as the scan
        figures = {
            "copy check alone, scoring every skeleton (100k)": rate(
                lambda t: scanned.near(skeleton(t), "@new", since, 90), texts),
            "copy check alone (100k skeletons; shared characters rule most out)": rate(
                lambda t: copies.near(skeleton(t), "@new", since, 90), texts),
            "copy check alone, the history rendered from 40 templates": rate(
                lambda t: templated.near(skeleton(t), "@new", NOW - timedelta(days=7), 90),
                texts),
            "lint, every rule but spelling and the copy check": rate(
                lambda t: lint(t, subject, rules, NOW, None, None), texts),
            "lint, every rule but spelling": rate(
                lambda t: lint(t, subject, rules, NOW, copies, None), texts),
        }
        if speller.dictionary("cs") is not None:
            figures["lint, every rule with hunspell"] = rate(
                lambda t: lint(t, subject, rules, NOW, copies, speller), texts)
        engine.lint("bistro", "facebook", texts[0])  # reads the 100k rows once
        figures["Engine.lint (index kept up to date from the DB)"] = rate(
            lambda t: engine.lint("bistro", "facebook", t, language="cs"), texts)
        clock["now"] = NOW + timedelta(days=1)  # the oldest replies reach the window's edge

        def ageing(text: str) -> object:
            clock["now"] += timedelta(minutes=1)  # a minute between checks: replies age out
            return engine.lint("bistro", "facebook", text, language="cs")

        figures["Engine.lint, a minute between checks (replies leave the window)"] = rate(
            ageing, texts)
        engine.close()
    copied = sum(ours is not None for ours, _ in verdicts)
    print(f"history: {args.history:,} sent replies; {args.count} replies linted per figure; "
          f"{copied} of them copies, every verdict the same as scoring every skeleton")
    print(f"baseline (fold one reply): {baseline:,.0f}/s")
    for name, value in figures.items():
        print(f"{name}: {value:,.0f}/s = {value / baseline:.4f} of baseline")


if __name__ == "__main__":
    main()
