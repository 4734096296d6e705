"""Every command of the command line, run with a working day's data at 80 and 120 columns: each
line fits, no word, code, id or time is cut, and text from outside (an escape sequence that
would clear the screen, an OSC 52 write to the clipboard, a right-to-left override) is shown
written out, never raw."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.main import get_command
from typer.testing import CliRunner

from recovery.cli import app
from recovery.cli.layout import err, out
from recovery.store.db import copy as db_copy
from tests.conftest import WORKFLOWS

NOW = "2026-12-10T14:00Z"
HOSTILE = 8
"""The case the hostile complaint opens (after the seven samples)."""
HOSTILE_AUTHOR = "@mal\x1b[2Jlory\u202e"
HOSTILE_TEXT = ("Cold soup \x1b]52;c;SGVsbG8=\x07 again \u202etxet desrever and a very "
                "long complaint that goes on and on about the soup and the waiter and the bill")
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TIME = re.compile(r"^\d\d:\d\d[+-](0\d|1[0-4]):\d\d\b")
DATE = re.compile(r"\d{4}-\d\d-\d\d$")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """A database after a working day: the samples, a hostile complaint, an incident opened,
    updated, linked and resolved, remedies offered, approved and redeemed, timers fired."""
    folder = tmp_path_factory.mktemp("day")
    base = ["--db", f"sqlite:///{folder / 'day.db'}", "--workflows", str(WORKFLOWS), "--drill"]
    runner = CliRunner()

    def run(*args: str, at: str = NOW) -> str:
        result = runner.invoke(app, [*base, "--now", at, *args], prog_name="recovery")
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    run("demo", at="2026-12-08T09:00Z")
    hostile = json.loads(run("case", "open", "bistro", "--channel", "facebook", "--author",
                             HOSTILE_AUTHOR, "--text", HOSTILE_TEXT, "--at", "2026-12-09T08:00Z",
                             "--json", at="2026-12-09T08:00Z"))
    assert hostile["id"] == HOSTILE
    run("incident", "open", "eshop", "--title", "Card payments fail", "--by", "ana",
        "--says", "hr=plaćanje karticom ne radi", "--says", "en=card payments are failing",
        "--keyword", "card", "--next-update", "2h", at="2026-12-09T10:00Z")
    run("incident", "update", "1", "--by", "ana", "--template", "outage",
        at="2026-12-09T11:00Z")
    run("incident", "link", "1", "6", "--by", "ana", at="2026-12-09T11:05Z")
    for trigger in ("acknowledge", "investigate"):
        run("case", "fire", "2", trigger, "--by", "eva", at="2026-12-09T11:50Z")
    run("case", "finding", "2", "founded", "--root-cause", "the payment gateway charged "
        "twice", "--by", "eva", at="2026-12-09T11:55Z")
    offered = json.loads(run("remedy", "offer", "2", "voucher", "--value", "450", "--by", "eva",
                             "--key", "k-1", "--json", at="2026-12-09T12:00Z"))
    run("remedy", "approve", str(offered["id"]), "--by", "petr", at="2026-12-09T12:10Z")
    run("tick", at="2026-12-10T13:00Z")
    yield base


COMMANDS: dict[str, list[str]] = {
    "demo": ["demo"],
    "events": ["events", "--limit", "30"],
    "hours": ["hours", "bistro", "--days", "30"],
    "import": ["import", "{empty}"],
    "notices": ["notices"],
    "reply": ["reply", "3", "--template", "acknowledge", "--by", "eva", "--dry-run"],
    "lint": ["lint", "It's not our fault, call the hotline", "--brand", "bistro",
             "--channel", "facebook"],
    "report": ["report"],
    "tick": ["tick"],
    "timers": ["timers"],
    "flow list": ["flow", "list"],
    "flow validate": ["flow", "validate"],
    "flow show": ["flow", "show", "bikeshare"],
    "flow migrate": ["flow", "migrate", "bikeshare", "--by", "petr", "--dry-run"],
    "case show": ["case", "show", "8"],
    "case list": ["case", "list"],
    "case list --breached": ["case", "list", "--breached"],
    "remedy list": ["remedy", "list"],
    "audit verify": ["audit", "verify"],
    "outbox list": ["outbox", "list"],
    "outbox stats": ["outbox", "stats"],
    "outbox secret": ["outbox", "secret"],
    "incident list": ["incident", "list"],
    "incident show": ["incident", "show", "1"],
    "what-if": ["what-if", "--workflows", str(WORKFLOWS), "--since", "2026-12-01T00:00Z"],
}
"""A command line for each command that reads; the commands that write are run by `day`, or
below (`WRITES`), on a copy of their own."""
WRITES: dict[str, list[str]] = {
    "case open": ["case", "open", "bikeshare", "--channel", "twitter", "--author",
                  HOSTILE_AUTHOR, "--text", HOSTILE_TEXT],
    "case fire": ["case", "fire", "8", "acknowledge", "--by", "eva"],
    "reply": ["reply", "8", "--text", "Jana, we are sorry the soup was cold; a fresh one is "
              "on us at your next visit.", "--by", "eva"],
    "incident open": ["incident", "open", "bikeshare", "--title", "App down", "--by", "ola",
                      "--text", "pl=Nasza aplikacja teraz się nie otwiera; naprawiamy to i "
                      "napiszemy tu ponownie w ciągu godziny.", "--text", "en=Our app does not "
                      "open right now; we are fixing it and will write here again within the "
                      "hour."],
    "incident resolve": ["incident", "resolve", "1", "--root-cause", "a card processor "
                         "outage", "--by", "ana", "--fixed", "hr=plaćanje karticom opet radi",
                         "--fixed", "en=card payments work again"],
}
NOT_RUN = {"worker": "runs until stopped", "spec": "runs pytest (tests/test_specs.py)",
           "handbook": "writes files (tests/test_handbook.py)",
           "flow diagram": "writes a picture (tests/test_diagram.py)",
           "db init": "prints one path", "db copy": "prints two paths",
           "audit keygen": "prints two keys", "audit checkpoint": "needs a key (test_checkpoint)",
           "case finding": "one line", "case remedy": "remedy offer's line",
           "case answer": "one line", "case do-not-contact": "one line",
           "case reach": "one line a clock", "case moderate": "one line",
           "case redact": "one line", "remedy offer": "one line (run by `day`)",
           "remedy approve": "one line (run by `day`)", "remedy decline": "one line",
           "remedy redeem": "one line", "remedy void": "one line",
           "outbox retry": "one line", "incident update": "its posts (run by `day`)",
           "incident move": "one line a case", "incident link": "one line a case"}
"""Commands not run here, and why; each prints what the ones above print, or one line."""


def test_every_command_is_run_or_says_why_not() -> None:
    def walk(command: object, path: tuple[str, ...] = ()) -> Iterator[str]:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            yield " ".join(path)
            return
        for name, sub in subcommands.items():
            yield from walk(sub, (*path, name))

    known = set(COMMANDS) | set(WRITES) | set(NOT_RUN)
    assert set(walk(get_command(app))) - known == set()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", [*COMMANDS, *(f"{name} (writes)" for name in WRITES)])
def test_every_command_fits_the_terminal_and_cuts_nothing(
        day: list[str], name: str, width: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(out, "_width", width)
    monkeypatch.setattr(err, "_width", width)
    base = list(day)
    if name.endswith(" (writes)"):
        copy = tmp_path / "copy.db"
        db_copy(day[1], copy)
        base[1] = f"sqlite:///{copy}"
        words = WRITES[name.removesuffix(" (writes)")]
    else:
        words = COMMANDS[name]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    args = [str(empty) if word == "{empty}" else word for word in words]
    result = CliRunner().invoke(app, [*base, "--now", NOW, *args], prog_name="recovery")
    assert result.exit_code in (0, 1, 4), result.output  # 1: audit finds none; 4: lint blocks
    shown = result.stdout
    assert shown.strip(), f"{name} printed nothing"
    assert not RAW.findall(shown), f"{name} printed a raw control character"
    lines = shown.splitlines()
    for number, line in enumerate(lines):
        words_on_it = line.split()
        assert cell_len(line) <= width or len(words_on_it) == 1, \
            f"{name}: line {number + 1} is {cell_len(line)} wide:\n{line}"
        for index, word in enumerate(words_on_it):
            if TIME.match(word):  # a time's clock part stands beside its date
                assert index > 0 and DATE.search(words_on_it[index - 1]), \
                    f"{name}: a time is cut at line {number + 1}:\n{line}"
    if HOSTILE_AUTHOR in " ".join(args) or name in ("case list", "case show"):
        flat = " ".join(shown.split())
        assert "\\x1b[2J" in flat or "@mal" not in flat
        assert "U+202E" in flat or "txet" not in flat
