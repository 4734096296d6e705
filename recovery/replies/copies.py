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
    """The skeletons of a brand's replies, searched for near copies. Replies rendered from one
    template share their skeleton (names and numbers aside), so each distinct skeleton is
    scored once and the replies that have it are kept beside it, in the order they came."""

    def __init__(self) -> None:
        self._skeletons: list[str] = []
        """Each distinct skeleton once, in the order it first came."""
        self._slots: dict[str, int] = {}
        self._sent: list[list[tuple[int, int, str, datetime]]] = []
        """Per distinct skeleton: (arrival, case, customer, time) of each reply that has it."""
        self._arrivals = 0
        self._oldest: datetime | None = None

    def add(self, case_id: int, customer: str, at: datetime, shape: str) -> None:
        """Remember a reply sent to `customer` at `at` (its skeleton `shape`)."""
        slot = self._slots.get(shape)
        if slot is None:
            slot = self._slots[shape] = len(self._skeletons)
            self._skeletons.append(shape)
            self._sent.append([])
        self._sent[slot].append((self._arrivals, case_id, customer, at))
        self._arrivals += 1
        self._oldest = at if self._oldest is None else min(self._oldest, at)

    def forget_before(self, since: datetime) -> None:
        """Drop the replies sent before `since` (nothing to scan while none is that old)."""
        if self._oldest is None or self._oldest >= since:
            return
        kept = [(shape, fresh) for shape, sent in zip(self._skeletons, self._sent, strict=True)
                if (fresh := [reply for reply in sent if reply[3] >= since])]
        self._skeletons = [shape for shape, _ in kept]
        self._sent = [fresh for _, fresh in kept]
        self._slots = {shape: slot for slot, shape in enumerate(self._skeletons)}
        self._oldest = min((reply[3] for fresh in self._sent for reply in fresh), default=None)

    def near(self, shape: str, customer: str, since: datetime, similarity: float) -> Copy | None:
        """The most similar reply to another customer since `since`, if one reaches
        `similarity` (of equally similar ones, the one that came first); None otherwise (or
        when `shape` is too short to judge)."""
        if len(shape.split()) < MIN_WORDS:
            return None
        best: tuple[float, int, int, str, datetime] | None = None
        for _, score, slot in process.extract(shape, self._skeletons, scorer=fuzz.ratio,
                                              score_cutoff=similarity, limit=None):
            if best is not None and score < best[0]:
                break  # sorted most similar first: nothing better is left
            first = next(((score, *reply) for reply in self._sent[slot]
                          if reply[2] != customer and reply[3] >= since), None)
            if first is not None and (best is None or first[1] < best[1]):
                best = first
        if best is None:
            return None
        score, _, case_id, other, at = best
        return Copy(case_id, other, at, round(score, 1))
