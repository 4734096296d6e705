"""Copy-paste: a reply nearly identical to one the brand sent a *different* customer lately.

Replies are compared as skeletons: folded, without @mentions, numbers and the customer's names,
so "Hi Jana, table 12 …" and "Hi Petr, table 7 …" are the same skeleton. Similarity is
`rapidfuzz`'s normalised Indel ratio (0 to 100). Short replies ("Thank you!") are not compared:
the same thanks to two people is not a pasted answer.

Scoring is the cost, so a large window first rules out, with `numpy` over every skeleton at once,
those that cannot reach the similarity: two texts have at most as many characters in common
(their longest common subsequence, which the ratio counts) as the characters they share, letter
by letter. The few left are scored, so the answer is the one a scan of every skeleton gives.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from recovery.signals.text import fold

if TYPE_CHECKING:
    import numpy as np

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


_LETTERS = "abcdefghijklmnopqrstuvwxyz "
_BUCKET = {char: index for index, char in enumerate(_LETTERS)}
_OTHER = len(_LETTERS)
"""Characters are counted per letter of `_LETTERS`; every other character shares one count
(which only loosens the bound)."""
_MOST = 65_535
"""Counts are kept to this (an unsigned 16-bit number); a query no longer than it is compared
exactly: the smaller of two counts is the same whether the larger was cut to it or not."""
SLACK = 0.01
"""Points below the similarity a skeleton's bound may fall and still be scored: rapidfuzz
decides a score at the edge, as it would in a scan."""


def _counts(shapes: list[str]) -> np.ndarray:
    """How many times each of `_LETTERS` (and anything else) comes in each skeleton: a column
    a skeleton, counted for all of them at once."""
    import numpy as np  # here: only a large index needs it (50 ms to import)

    points = np.frombuffer("".join(shapes).encode("utf-32-le", "surrogatepass"), np.uint32)
    rows = np.repeat(np.arange(len(shapes)), [len(shape) for shape in shapes])
    cells = rows * (_OTHER + 1) + _buckets()[np.minimum(points, 128)]
    counts = np.bincount(cells, minlength=len(shapes) * (_OTHER + 1))
    per_letter = np.minimum(counts.reshape(len(shapes), _OTHER + 1), _MOST).astype(np.uint16)
    return np.ascontiguousarray(per_letter.T)  # a letter's counts side by side: checks read rows


@functools.cache
def _buckets() -> np.ndarray:
    """The count each code point below 128 goes to (128 and above: `_OTHER`)."""
    import numpy as np

    table = np.full(129, _OTHER, np.int64)
    for char, bucket in _BUCKET.items():
        table[ord(char)] = bucket
    return table


class CopyIndex:
    """The skeletons of a brand's replies, searched for near copies. Replies rendered from one
    template share their skeleton (names and numbers aside), so each distinct skeleton is
    scored once and the replies that have it are kept beside it, in the order they came.
    Beyond `scan_below` distinct skeletons, those whose shared characters rule them out are
    not scored at all."""

    def __init__(self, scan_below: int = 500) -> None:
        self._scan_below = scan_below
        self._skeletons: list[str] = []
        """Each distinct skeleton once, in the order it first came."""
        self._slots: dict[str, int] = {}
        self._sent: list[list[tuple[int, int, str, datetime]]] = []
        """Per distinct skeleton: (arrival, case, customer, time) of each reply that has it."""
        self._letters: np.ndarray | None = None
        """Per letter, its count in each skeleton (a column per slot, room to grow); kept
        from the first check of `scan_below` skeletons or more."""
        self._lengths: np.ndarray | None = None
        self._arrivals = 0
        self._oldest: datetime | None = None

    def add(self, case_id: int, customer: str, at: datetime, shape: str) -> None:
        """Remember a reply sent to `customer` at `at` (its skeleton `shape`)."""
        slot = self._slots.get(shape)
        if slot is None:
            slot = self._slots[shape] = len(self._skeletons)
            self._skeletons.append(shape)
            self._sent.append([])
            if self._letters is not None:
                self._count(slot)
        self._sent[slot].append((self._arrivals, case_id, customer, at))
        self._arrivals += 1
        self._oldest = at if self._oldest is None else min(self._oldest, at)

    def forget_before(self, since: datetime) -> None:
        """Drop the replies sent before `since` (nothing to scan while none is that old)."""
        if self._oldest is None or self._oldest >= since:
            return
        kept = [(slot, fresh) for slot, sent in enumerate(self._sent)
                if (fresh := [reply for reply in sent if reply[3] >= since])]
        slots = [slot for slot, _ in kept]
        self._skeletons = [self._skeletons[slot] for slot in slots]
        self._sent = [fresh for _, fresh in kept]
        self._slots = {shape: slot for slot, shape in enumerate(self._skeletons)}
        if self._letters is not None and self._lengths is not None:
            self._letters = self._letters[:, slots]
            self._lengths = self._lengths[slots]
        self._oldest = min((reply[3] for fresh in self._sent for reply in fresh), default=None)

    def near(self, shape: str, customer: str, since: datetime, similarity: float) -> Copy | None:
        """The most similar reply to another customer since `since`, if one reaches
        `similarity` (of equally similar ones, the one that came first); None otherwise (or
        when `shape` is too short to judge)."""
        if len(shape.split()) < MIN_WORDS:
            return None
        slots = self._candidates(shape, similarity)
        choices = self._skeletons if slots is None else [self._skeletons[s] for s in slots]
        best: tuple[float, int, int, str, datetime] | None = None
        for _, score, index in process.extract(shape, choices, scorer=fuzz.ratio,
                                               score_cutoff=similarity, limit=None):
            if best is not None and score < best[0]:
                break  # sorted most similar first: nothing better is left
            slot = index if slots is None else slots[index]
            first = next(((score, *reply) for reply in self._sent[slot]
                          if reply[2] != customer and reply[3] >= since), None)
            if first is not None and (best is None or first[1] < best[1]):
                best = first
        if best is None:
            return None
        score, _, case_id, other, at = best
        return Copy(case_id, other, at, round(score, 1))

    def _candidates(self, shape: str, similarity: float) -> list[int] | None:
        """The slots whose skeleton may reach `similarity` with `shape` (None: score them
        all). The ratio is 200 * common / (both lengths); the characters two texts share,
        letter by letter, are at least their common subsequence."""
        size = len(self._skeletons)
        if size < self._scan_below or len(shape) > _MOST:
            return None
        import numpy as np  # here: below `_scan_below` skeletons nothing needs it

        if self._letters is None or self._lengths is None:
            self._letters = _counts(self._skeletons)
            self._lengths = np.array([len(skeleton) for skeleton in self._skeletons], np.int64)
        counts = _counts([shape])[:, 0]
        shared = np.zeros(size, np.uint16)  # at most len(shape): no overflow
        part = np.empty(size, np.uint16)
        for letter in np.flatnonzero(counts):
            np.minimum(self._letters[letter, :size], counts[letter], out=part)
            shared += part
        need = (similarity - SLACK) / 200 * (len(shape) + self._lengths[:size])
        return np.flatnonzero(shared >= need).tolist()

    def _count(self, slot: int) -> None:
        """Keep the letters of the skeleton in `slot` (twice the room when it is full)."""
        import numpy as np

        assert self._letters is not None and self._lengths is not None
        if slot >= self._lengths.size:
            room = max(64, 2 * self._lengths.size)
            self._letters = np.concatenate(
                [self._letters, np.zeros((_OTHER + 1, room - self._lengths.size), np.uint16)], 1)
            self._lengths = np.concatenate(
                [self._lengths, np.zeros(room - self._lengths.size, np.int64)])
        self._letters[:, slot] = _counts([self._skeletons[slot]])[:, 0]
        self._lengths[slot] = len(self._skeletons[slot])
