"""A corpus of hostile and careless command lines, each of which must end in one line and an
exit code (or do its job), never a traceback, within 5 s. Shared by `tests/test_hostile.py`
and `bench/hostile_inputs.py`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

OPEN = ["case", "open", "bistro", "--channel", "instagram"]
SLOW = 5.0
"""Seconds any one input may take."""

IDS = ["0", "-1", "abc", "1.5", "", " ", "2147483648", str(2**63), str(2**64), "1e9", "0x10",
       "\u0661", "99999999999999999999999999"]
TIMES = ["0001-01-01T00:00+05:00", "9999-12-31T23:59", "yesterday", "", "2026-13-01T00:00",
         "2026-02-30T10:00", "1969-12-31T23:59Z", "2026-12-01T25:00", "2026-12-01T10:00+25:00",
         "1e10", "2026-12-01T10:00:00.9999999Z"]
DURATIONS = ["99999999w", "-1h", "x", "", "0m", "1d-2h", "9" * 5000 + "d", "1 d", "1w1w"]
LIMITS = ["0", "-5", str(10**12), "abc", "1e3", str(2**64)]
TEXTS = ["x" * 200_000, "x" * 20_001, "a\x00b", "@a\udcff", "[bold red]x[/]", "[/s] [/]",
         "\u202eevil", "\u200b", " ", "", "💩" * 5000, "ǅ" * 10_000, "\n" * 10_000,
         "<script>alert(1)</script>", "{{ 7 * 7 }}", "{% include 'eshop/flow.yaml' %}",
         "%s%s%s%n", "'; DROP TABLE cases; --", "../../etc/passwd", "a" * 5000 + "b"]
VALUES = ["0.001", "0.999", "NaN", "inf", "-inf", "-1", "0", "1e309", "1e20", "1,5", "abc", "",
          " 1 ", "1_000", "0x10", "1/2"]
NAMES = ["x" * 201, "a\x00b", "\udcff", "", " ", "timer", "recovery", "[/]", "@" * 300]


def corpus() -> Iterator[list[str]]:
    """Every hostile command line (global options first are added by the runner)."""
    for value in IDS:
        yield ["case", "show", value]
        yield ["case", "fire", value, "acknowledge", "--by", "eva"]
        yield ["remedy", "approve", value, "--by", "petr"]
        yield ["case", "redact", "1", "--event", value, "--reason", "x", "--by", "eva"]
    for value in TIMES:
        yield ["--now", value, "case", "list"]
        yield [*OPEN, "--author", "@a", "--text", "x", "--at", value]
    for value in DURATIONS:
        yield ["case", "list", "--due-within", value]
    for value in LIMITS:
        yield ["case", "list", "--limit", value]
        yield ["remedy", "list", "--limit", value]
        yield ["timers", "--limit", value]
    for value in TEXTS:
        yield [*OPEN, "--author", "@a", "--text", value]
        yield ["reply", "1", "--text", value, "--by", "eva", "--dry-run"]
        yield ["lint", "--brand", "bistro", "--channel", "twitter", value]
    for value in TEXTS:
        yield ["incident", "open", "bistro", "--title", value, "--keyword", value, "--by", "petr"]
        yield ["incident", "open", "bistro", "--title", "x", "--text", value, "--by", "petr"]
        yield ["case", "moderate", "1", "--post", value, "--rule", "spam", "--text", value,
               "--by", "eva"]
    for value in IDS:
        yield ["incident", "show", value]
        yield ["incident", "move", value, "--by", "petr"]
        yield ["incident", "link", "1", value, "--by", "eva"]
    for value in LIMITS:
        yield [*OPEN, "--author", "@a", "--text", "x", "--followers", value]
        yield ["case", "reach", "1", "--shares", value, "--by", "eva"]
    for value in DURATIONS:
        yield ["incident", "open", "bistro", "--title", "x", "--next-update", value, "--by",
               "petr"]
    for value in ["critical", "", "x" * 300, "\x00"]:
        yield ["case", "list", "--priority", value]
        yield ["case", "moderate", "1", "--post", "p1", "--rule", value, "--by", "eva"]
        yield ["incident", "list", "--status", value]
    for value in NAMES:
        yield [*OPEN, "--author", value, "--text", "Cold soup"]
        yield ["case", "fire", "1", "acknowledge", "--by", value]
        yield [*OPEN, "--author", "@a", "--text", "x", "--name", value]
        yield [*OPEN, "--author", "@a", "--text", "x", "--external-id", value]
    for value in VALUES:
        yield ["remedy", "offer", "1", "coupon", "--value", value, "--by", "eva"]
    for word in ["nobody", "BISTRO", "bistro/../eshop", "default", "", "x" * 500]:
        yield ["case", "open", word, "--channel", "instagram", "--author", "@a", "--text", "x"]
        yield ["flow", "show", word]
        yield ["hours", word]
    for channel in ["myspace", "", "INSTAGRAM", "x" * 300]:
        yield ["case", "open", "bistro", "--channel", channel, "--author", "@a", "--text", "x"]
    for trigger in ["acknowlege", "", "open", "offer_remedy", "follow_up", "x" * 500, "_"]:
        yield ["case", "fire", "1", trigger, "--by", "eva"]
    for score in ["0", "6", "-1", "abc", str(2**70), "3.5"]:
        yield ["case", "answer", "1", "--score", score]
    for option in ["--state", "--brand", "--channel"]:
        yield ["case", "list", option, "x" * 300]
        yield ["case", "list", option, "\x00"]
    yield ["--db", "nosuch://x", "case", "list"]
    yield ["--db", "sqlite:////nonexistent/dir/x.db", "case", "open", "bistro", "--channel",
           "instagram", "--author", "@a", "--text", "x"]
    yield ["--workflows", "/nonexistent", "flow", "validate"]
    yield ["audit", "verify", "--case", str(2**63)]
    yield ["case"]
    yield ["nonsense"]
    yield ["case", "show"]
    yield ["case", "show", "1", "--json", "--json"]


@dataclass(frozen=True)
class Outcome:
    """What one hostile command line did."""

    args: list[str]
    exit_code: int
    seconds: float
    traceback: bool
    error_lines: int
    """Lines on stderr that start with `error:`."""
    error: str
    helped: bool
    """The command printed its help (a group called without a command) or its report."""


def run_all(invoke: Callable[..., Any], part: int = 0, parts: int = 1) -> list[Outcome]:
    """Run every command line of the corpus (or every `parts`-th from `part` on) through
    `invoke` (typer's runner)."""
    outcomes = []
    for args in list(corpus())[part::parts]:
        started = time.monotonic()
        result = invoke(*args)
        seconds = time.monotonic() - started
        output = (result.stdout or "") + (result.stderr or "")
        unexpected = result.exception is not None and not isinstance(result.exception,
                                                                      SystemExit)
        lines = [line for line in (result.stderr or "").splitlines()
                 if line.startswith("error:")]
        helped = "Usage:" in (result.stdout or "") or (
            args[0] == "lint" and result.exit_code == 4 and "blocking" in result.stdout)
        outcomes.append(Outcome(args, result.exit_code, seconds,
                                unexpected or "Traceback" in output, len(lines),
                                lines[0] if lines else "", helped))
    return outcomes


def bad(outcome: Outcome) -> bool:
    """A traceback, too slow, or a failure without exactly one `error:` line (a command's own
    report may come before it: `flow validate` lists each problem, `lint` its findings)."""
    return (outcome.traceback or outcome.seconds > SLOW
            or (outcome.exit_code != 0 and not outcome.helped and outcome.error_lines != 1))
