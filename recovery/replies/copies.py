"""Copy-paste: a reply nearly identical to one the brand sent a *different* customer lately.

Replies are compared as skeletons: folded, without @mentions, numbers and the customer's names,
so "Hi Jana, table 12 …" and "Hi Petr, table 7 …" are the same skeleton. Similarity is
`rapidfuzz`'s normalised Indel ratio (0 to 100). Short replies ("Thank you!") are not compared:
the same thanks to two people is not a pasted answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process

from recovery.signals.text import fold

MIN_WORDS = 6
"""Skeletons shorter than this many words are never reported as copies."""

_NOISE = re.compile(r"@[\w.]+|https?://\S+|\d+|[^\w\s]")
_SPACE = re.compile(r"\s+")


def skeleton(text: str, names: Iterable[str] = ()) -> str:
    """What is left of a reply without mentions, links, numbers, punctuation and `names`."""
    words = _SPACE.sub(" ", _NOISE.sub(" ", fold(text))).split()
    drop = {part for name in names for part in _SPACE.sub(" ", _NOISE.sub(" ", fold(name))).split()
            if len(part) > 1}
    return " ".join(word for word in words if word not in drop)


@dataclass(frozen=True)
class Copy:
    """A reply sent earlier that a new one nearly repeats."""

    case_id: int
    customer: str
    at: datetime
    similarity: float


class CopyIndex:
    """The skeletons of a brand's replies, searched for near copies."""

    def __init__(self) -> None:
        self._skeletons: list[str] = []
        self._sent: list[tuple[int, str, datetime]] = []
        self._oldest: datetime | None = None

    def add(self, case_id: int, customer: str, at: datetime, shape: str) -> None:
        """Remember a reply sent to `customer` at `at` (its skeleton `shape`)."""
        self._skeletons.append(shape)
        self._sent.append((case_id, customer, at))
        self._oldest = at if self._oldest is None else min(self._oldest, at)

    def forget_before(self, since: datetime) -> None:
        """Drop the replies sent before `since` (nothing to scan while none is that old)."""
        if self._oldest is None or self._oldest >= since:
            return
        keep = [index for index, (_, _, at) in enumerate(self._sent) if at >= since]
        self._skeletons = [self._skeletons[index] for index in keep]
        self._sent = [self._sent[index] for index in keep]
        self._oldest = min((at for _, _, at in self._sent), default=None)

    def near(self, shape: str, customer: str, since: datetime, similarity: float) -> Copy | None:
        """The most similar reply to another customer since `since`, if one reaches
        `similarity`; None otherwise (or when `shape` is too short to judge)."""
        if len(shape.split()) < MIN_WORDS:
            return None
        best: Copy | None = None
        for _, score, index in process.extract(shape, self._skeletons, scorer=fuzz.ratio,
                                               score_cutoff=similarity, limit=None):
            case_id, other, at = self._sent[index]
            if other != customer and at >= since and (best is None or score > best.similarity):
                best = Copy(case_id, other, at, round(score, 1))
        return best
