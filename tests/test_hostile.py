"""Hostile and careless input gets one line and an exit code, never a traceback, within 5 s."""

from __future__ import annotations

import pytest

from .hostile import bad, corpus, run_all

PARTS = 4
"""The corpus in four parts, each on a fresh database, so the test runner's workers share it."""


def test_the_corpus_is_large_enough() -> None:
    assert len(list(corpus())) >= 150


@pytest.mark.parametrize("part", range(PARTS))
def test_every_hostile_command_line_ends_in_one_line(run, part: int) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
               "--text", "Cold soup").exit_code == 0
    outcomes = run_all(run, part, PARTS)
    failures = [(o.args[:6], o.exit_code, round(o.seconds, 1), o.error) for o in outcomes
                if bad(o)]
    assert not failures, failures
