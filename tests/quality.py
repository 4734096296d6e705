"""Scoring the reply linter against the labelled replies in `data/replies_eval.yaml`.

Shared by tests/test_linter_quality.py (which holds the linter to its aims) and
bench/linter_quality.py (which prints the figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import yaml

from recovery.replies import Rules, Subject, lint, phrasebook
from recovery.signals import Audience, Owned

EVAL = Path(__file__).resolve().parent / "data" / "replies_eval.yaml"
HELD_OUT = EVAL.with_name("replies_held_out.yaml")
"""Replies written after the rules were tuned, never tuned against: the honest figure."""
LANGUAGES = ("en", "cs", "pl", "hr", "el")
CODES = {"blame": "blame", "hollow": "hollow", "redirect": "redirect-only"}
"""Each bad kind of reply, and the linter's code for it."""
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    """One labelled reply."""

    language: str
    kind: str
    text: str


def items(source: Path = EVAL) -> list[Item]:
    """Every labelled reply of `source`, language by language."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return [Item(language, kind, text) for language, kinds in data.items()
            for kind, texts in kinds.items() for text in texts]


@cache
def rules(language: str) -> Rules:
    """Rules of a brand that serves `language` (and watches the others), no limits."""
    audience = Audience((language,), tuple(code for code in LANGUAGES if code != language),
                        Owned(regions=("CZ", "PL", "HR", "GR", "GB")))
    return Rules(phrasebook(), audience, {})


def flagged(item: Item) -> set[str]:
    """The kinds the linter finds in a reply."""
    linted = lint(item.text, Subject("facebook", True, "@customer", (), item.language),
                  rules(item.language), AT)
    codes = {finding.code for finding in linted.findings}
    return {kind for kind, code in CODES.items() if code in codes}


@dataclass
class Score:
    """How one kind fared in one language."""

    hits: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """The share of replies of this kind that the linter caught."""
        total = self.hits + len(self.misses)
        return self.hits / total if total else 1.0

    @property
    def precision(self) -> float:
        """The share of the linter's findings of this kind that were right."""
        found = self.hits + len(self.false_alarms)
        return self.hits / found if found else 1.0


def evaluate(source: Path = EVAL, find: Callable[[Item], set[str]] = flagged,
             ) -> dict[tuple[str, str], Score]:
    """A score per (language, kind); `good` counts the good replies flagged as anything."""
    scores: dict[tuple[str, str], Score] = {}
    for item in items(source):
        found = find(item)
        for kind in CODES:
            score = scores.setdefault((item.language, kind), Score())
            if item.kind == kind:
                if kind in found:
                    score.hits += 1
                else:
                    score.misses.append(item.text)
            elif kind in found:
                score.false_alarms.append(item.text)
        if item.kind == "good":
            good = scores.setdefault((item.language, "good"), Score())
            if found:
                good.false_alarms.append(f"{item.text} ({', '.join(sorted(found))})")
            else:
                good.hits += 1
    return scores
