"""The handbook: each brand's policy beside the scenarios that prove it, as one self-contained
HTML page and a Markdown copy; a failing scenario shows its step and line, and the exit code
says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recovery.cli import app

from .conftest import WORKFLOWS

PASSING = ('Feature: Acknowledge first\n  Answer in public before anything else.\n\n'
           '  Scenario: Cold soup is acknowledged\n    Given the brand under test\n'
           '    And a complaint on facebook from "@jana": "Cold soup"\n'
           '    When "eva" fires "acknowledge"\n'
           '    Then the case is "acknowledged"\n')


FIGURE = ('<figure class="flow" onclick="this.classList.toggle(&#x27;zoom&#x27;)" '
          'title="click to zoom"><svg')
"""A flow picture on the page: it zooms on a click."""


def _handbook(tmp_path: Path, *features: str) -> tuple[int, str, str]:
    folder = tmp_path / "features"
    folder.mkdir()
    for index, text in enumerate(features):
        (folder / f"f{index}.feature").write_text(text)
    result = CliRunner().invoke(app, ["--workflows", str(WORKFLOWS), "handbook", str(folder),
                                      "--out", str(tmp_path / "book"), "-q"])
    page = (tmp_path / "book" / "index.html").read_text()
    copy = (tmp_path / "book" / "handbook.md").read_text()
    return result.exit_code, page, copy


def test_the_handbook_shows_every_brand_and_scenario(tmp_path: Path) -> None:
    code, page, copy = _handbook(tmp_path, PASSING)
    assert code == 0
    for name in ("Rekola Bikes (bikeshare)", "Bistro Na Rohu (bistro)", "Domov e-shop (eshop)"):
        assert f"<h2>{name}</h2>" in page and f"## {name}" in copy
    assert page.count("✓ Cold soup is acknowledged") == 3  # once per brand under test
    assert "Answer in public before anything else." in page
    assert "Given the brand under test" in page
    assert "<h3>Reply rules the linter enforces</h3>" in page and "personal-data" in page
    assert "<td>the engine, on schedule</td>" in page  # who fires the follow-up
    assert "<h2>The step library</h2>" in page and "## The step library" in copy
    assert '| Given the brand under test | Work with each brand in turn' in copy
    assert "| Given the brand under test |" in copy.split("## The step library")[1]
    assert "```mermaid\nstateDiagram-v2" in copy
    # a step naming a trigger, a state or a channel links to that brand's rule
    assert '<tr id="eshop-trigger-acknowledge">' in page
    assert '<tr id="eshop-state-acknowledged">' in page
    assert '<a href="#eshop-trigger-acknowledge">&quot;acknowledge&quot;</a>' in page
    assert '<a href="#bistro-state-acknowledged">&quot;acknowledged&quot;</a>' in page
    assert 'a complaint on <a href="#bistro-channel-facebook">facebook</a> from' in page
    assert '<tr id="bistro-channel-facebook">' in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # nothing fetched
    assert page.count(FIGURE) == 3  # with Graphviz or without


def test_without_graphviz_the_page_still_draws_each_flow(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))  # no `dot` to be found
    code, page, copy = _handbook(tmp_path, PASSING)
    assert code == 0
    assert page.count(FIGURE) == 3
    assert 'marker id="eshop-head"' in page and ">acknowledged</text>" in page
    assert "```mermaid" in copy


def test_a_failing_scenario_shows_its_step_and_line(tmp_path: Path) -> None:
    failing = PASSING.replace('is "acknowledged"', 'is "closed"').replace(
        "Given the brand under test", 'Given the brand "bistro"')
    code, page, copy = _handbook(tmp_path, PASSING, failing)
    assert code == 1
    assert "✗ Cold soup is acknowledged [bistro] (line 4)" in copy
    assert ('f1.feature:8: Then the case is <a href="#bistro-state-closed">&quot;closed&quot;</a>'
            in page)
    assert "the case is &#x27;acknowledged&#x27;, not &#x27;closed&#x27;" in page
    assert "| bistro | 1 | 1 | 0 |" in copy
    assert re.search(r"^\| \S*/f0\.feature \| 3 \| 0 \| 0 \|$", copy, re.MULTILINE)
    assert re.search(r"^\| \S*/f1\.feature \| 0 \| 1 \| 0 \|$", copy, re.MULTILINE)


def test_the_handbook_shows_how_recent_incidents_were_announced(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'care.db'}", "--workflows", str(WORKFLOWS)]
    runner = CliRunner()
    opened = runner.invoke(app, [*db, "incident", "open", "bistro", "--title", "the oven broke",
                                 "--channel", "twitter", "--by", "petr"])
    assert opened.exit_code == 0, opened.output
    folder = tmp_path / "features"
    folder.mkdir()
    (folder / "f.feature").write_text(PASSING)
    result = runner.invoke(app, [*db, "handbook", str(folder), "--brand", "bistro", "--out",
                                 str(tmp_path / "book"), "-q"])
    assert result.exit_code == 0, result.output
    copy = (tmp_path / "book" / "handbook.md").read_text()
    assert "Incidents of the last 90 days" in copy and "1: the oven broke" in copy
    assert "0 of 0 complaints" in copy
