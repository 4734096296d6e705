"""The documentation cannot go stale: every example in the README and `docs/` runs here, and the
generated reference pages match the code.

Each page runs in a folder of its own, holding a copy of the sample brands (`workflows/`) and
no database yet, its blocks in order (a later block goes on from an earlier one, as a reader
does). What a fence's language says is what happens to it:

- `console`: each `$ command` runs (a `recovery` command through the CLI itself, anything
  else in `bash`) and what it prints must match the lines below it, where `...` stands for
  anything (times and ids that differ run to run); no lines below means nothing is checked
  but success. A command ending `; echo $?` prints its exit code instead of failing on it.
- `python`: runs, the page's blocks sharing one namespace; what it asserts is checked.
- `pycon`: runs as a doctest (`>>>` lines, the output below them compared).
- `gherkin`: a whole feature runs as a policy spec through `recovery spec`.
- `sh`: setting up a machine (installing, building these docs), which CI's own run proves;
  only such commands may stand in it, and a `recovery` command among them runs here.

Everything else (`yaml`, `json`, `text`) is data shown, not run.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recovery.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
_spec = importlib.util.spec_from_file_location("generate", DOCS / "generate.py")
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

PAGES = [ROOT / "README.md",
         *sorted(path for path in DOCS.rglob("*.md")
                 if path.relative_to(DOCS).as_posix() not in generate.PAGES)]
SETUP = re.compile(r"^(python3? -m (venv|pip|pytest)|pip install|\. \.venv/bin/activate|"
                   r"apt-get|mkdocs|cd |git clone|python docs/generate\.py)")
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```",
                    re.MULTILINE | re.DOTALL)


@dataclass
class Block:
    """One fenced block of a page: its language, its text and the line it starts on."""

    lang: str
    body: str
    line: int


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, in order."""
    text = page.read_text()
    found = []
    for match in _FENCE.finditer(text):
        indent = len(match["indent"])
        body = "".join(line[indent:] for line in match["body"].splitlines(keepends=True))
        found.append(Block(match["lang"], body, text.count("\n", 0, match.start()) + 1))
    return found


def _id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_example_on_the_page_runs(page: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "workflows", tmp_path / "workflows")
    monkeypatch.chdir(tmp_path)
    for name in ("RECOVERY_DB", "RECOVERY_WORKFLOWS", "RECOVERY_NOW", "RECOVERY_SCHEMA",
                 "RECOVERY_DRILL", "RECOVERY_AGENT"):
        monkeypatch.delenv(name, raising=False)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in blocks(page):
        where = f"{_id(page)}:{block.line}"
        if block.lang == "console":
            _console(block, where)
        elif block.lang == "python":
            exec(compile(block.body, where, "exec"), namespace)  # our own pages
        elif block.lang == "pycon":
            _doctest(block, where, namespace)
        elif block.lang == "gherkin":
            _feature(block, where, tmp_path)
        elif block.lang == "sh":
            for command in _commands(block.body):
                if command.startswith("recovery "):
                    code, output = _run(command)
                    assert code == 0, f"{where}: `{command}` exited {code}:\n{output}"
                    continue
                assert SETUP.match(command), (
                    f"{where}: `{command}` is not a set-up command: write it as a `console` "
                    "block, so it runs here")


def _commands(body: str) -> list[str]:
    """Each command of a shell block: a line continued with `\\` joined, a chain of `&&` split."""
    return [part.strip() for line in body.replace("\\\n", " ").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
            for part in line.split(" && ")]


def _console(block: Block, where: str) -> None:
    """Run each `$ command` of a console block and compare what it prints."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"{where}: output before any `$ command`: {line!r}")
    for command, expected in steps:
        shown = command.removesuffix("; echo $?")
        code, output = _run(shown)
        if shown != command:
            output += f"{code}\n"
        elif code != 0:
            raise AssertionError(f"{where}: `{command}` exited {code}:\n{output}")
        want = "\n".join(expected).strip()
        if want and not _matches(want, output):
            raise AssertionError(f"{where}: `{command}` printed\n{output}\n"
                                 f"where the page shows\n{want}")


def _matches(want: str, got: str) -> bool:
    """Whether `got` reads as `want`, where `...` stands for anything or nothing (whitespace, a
    terminal's wrapping and babel's no-break spaces aside)."""
    pieces = [re.escape(piece.strip()) for piece in " ".join(want.split()).split("...")]
    return re.fullmatch(r"\s*.*?\s*".join(pieces), " ".join(got.split()), re.DOTALL) is not None


def _run(command: str) -> tuple[int, str]:
    """Run one shell command as a reader would: `recovery …` through the CLI in this process
    (environment assignments before it included), anything else in bash."""
    words = shlex.split(command)
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if words and words[0] == "recovery" and not set("|><;&$`").intersection(command):
        result = CliRunner().invoke(app, words[1:], env={"COLUMNS": "100", **env})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100", "PATH": path}, check=False)
    return done.returncode, done.stdout + done.stderr


def _doctest(block: Block, where: str, namespace: dict[str, object]) -> None:
    test = doctest.DocTestParser().get_doctest(block.body, namespace, where, where, block.line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda text: None)
    failures = runner.summarize(verbose=False).failed
    assert failures == 0, f"{where}: {failures} example(s) printed something else"


def _feature(block: Block, where: str, folder: Path) -> None:
    """Run a whole feature as a policy spec, the way a care manager would."""
    if not block.body.lstrip().startswith("Feature:"):
        return  # a few steps quoted, not a feature
    file = folder / f"docs_{block.line}.feature"
    file.write_text(block.body)
    result = CliRunner().invoke(app, ["spec", str(file), "-q"])
    assert result.exit_code == 0, f"{where}: the feature did not pass:\n{result.output}"


def test_the_generated_reference_matches_the_code() -> None:
    assert generate.drift() == [], "run: python docs/generate.py"


def test_every_public_name_of_the_library_is_in_its_reference() -> None:
    import recovery

    written = (DOCS / "reference" / "library.md").read_text()
    written += (DOCS / "reference" / "errors.md").read_text()
    assert [name for name in recovery.__all__
            if f"recovery.{name}" not in written and f"`{name}`" not in written] == []


def test_the_site_lists_every_page() -> None:
    """A page left out of `mkdocs.yml`'s nav would be built but never found."""
    nav = (ROOT / "mkdocs.yml").read_text()
    missing = [page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md")
               if page.relative_to(DOCS).as_posix() not in nav]
    assert missing == []


def test_the_site_builds_with_every_link_and_reference_whole(tmp_path: Path) -> None:
    """`mkdocs build --strict`: a broken link, a missing page or an unknown reference fails.
    Needs the `docs` extra; skipped without it, unless RECOVERY_REQUIRE_DOCS=1 (CI)."""
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        if os.environ.get("RECOVERY_REQUIRE_DOCS") == "1":
            pytest.fail("RECOVERY_REQUIRE_DOCS=1 but mkdocs is not installed: "
                        "pip install -e '.[docs]'")
        pytest.skip("mkdocs is not installed: pip install -e '.[docs]'")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "reference" / "library" / "index.html").read_text().count(
        "open_case") > 1  # the library's names came from its docstrings


def test_what_a_page_shows_is_matched_word_for_word_but_for_its_ellipses() -> None:
    assert _matches("case 1 opened\n...", "case 1 opened\nnotice: after hours\n")
    assert _matches("code RB-..., approved", "code RB-9WSEN3KQWN, approved")
    assert _matches("by .... If", "by\n17:29. If")  # wrapped, and a full stop after the time
    assert _matches("450,00 zł", "450,00\xa0zł")  # babel's no-break space
    assert not _matches("case 1 opened", "case 2 opened")
    assert not _matches("case 1 opened", "case 1 opened\nand more")  # all of it, not a prefix
