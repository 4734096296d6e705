"""The handbook and the care report in a real headless browser (Debian `chromium`): each page
loads with no console error and no request leaving the file, shows every brand with its
pictures, every scenario with its mark, and a brand's own failing scenario as failed with its
step and line. Skipped where Chromium is not installed, unless RECOVERY_REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recovery.cli import app

from .browser import Browser, Page, find
from .conftest import ROOT, WORKFLOWS

BRANDS = ["bikeshare", "bistro", "eshop"]
FAILING = ('Feature: Bistro answers fast\n\n'
           '  Scenario: A cold soup is closed at once\n'
           '    Given the brand "bistro"\n'
           '    And a complaint on facebook from "@jana": "Cold soup"\n'
           '    When "eva" fires "acknowledge"\n'
           '    Then the case is "closed"\n')


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    program = find()
    if program is None:
        if os.environ.get("RECOVERY_REQUIRE_BROWSER") == "1":
            pytest.fail("RECOVERY_REQUIRE_BROWSER=1 but Chromium is not installed")
        pytest.skip("Chromium is not installed (Debian package chromium)")
    started = Browser(program)
    yield started
    started.close()


def _loaded_alone(page: Page, path: Path) -> None:
    """The page said no error and fetched nothing but itself."""
    assert page.errors == []
    assert page.requests == [path.as_uri()]


WIDTHS = (1280, 390)
"""A laptop and a phone, in CSS pixels."""
OVERFLOW = """(() => {
  const wide = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('figure svg, .scroll')].filter(item => {
    const box = item.closest('figure, .scroll').getBoundingClientRect();
    const own = item.getBoundingClientRect();
    return box.right > document.documentElement.clientWidth + 1 || (item.tagName === 'svg'
      && (own.width > box.width + 1 || own.height < 20));
  }).map(item => item.getAttribute('aria-label') || item.textContent.slice(0, 40));
  return [wide, out];
})()"""


def _fits(page: Page) -> None:
    """At a laptop's and a phone's width the page never scrolls sideways, and every picture
    and table stays inside its box (a wide table scrolls there)."""
    for width in WIDTHS:
        page.resize(width)
        wide, out = page.evaluate(OVERFLOW)
        assert (width, wide, out) == (width, 0, [])
        assert page.evaluate("document.documentElement.clientWidth") <= width


def test_the_handbook_in_a_browser(browser: Browser, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    workflows = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, workflows)
    (workflows / "bistro" / "features").mkdir()
    (workflows / "bistro" / "features" / "bistro_own.feature").write_text(FAILING)
    monkeypatch.chdir(ROOT)
    # Three of the project's features (every scenario of them runs in the suite itself) and
    # the brand's own: scenarios for every brand, one per brand under test, a brand named in
    # a step ("hasty") and a failing one; the whole handbook's scenarios would take a minute.
    chosen = [ROOT / "features" / name for name in
              ("acknowledge_first.feature", "bistro.feature", "lifecycle.feature")]
    result = CliRunner().invoke(app, ["--workflows", str(workflows), "handbook",
                                      *map(str, chosen), str(workflows / "bistro" / "features"),
                                      "--out", str(tmp_path / "book"), "-q"])
    assert result.exit_code == 1, result.output  # the brand's own scenario fails
    index = tmp_path / "book" / "index.html"
    page = browser.open(index.as_uri())
    _loaded_alone(page, index)
    assert page.evaluate("[...document.querySelectorAll('section[id]')].map(s => s.id)") == BRANDS
    drawn = page.evaluate("[...document.querySelectorAll('section[id]')].map(s => "
                          "s.querySelector('figure.flow svg').getBBox().width)")
    assert len(drawn) == 3 and all(width > 100 for width in drawn)  # each rendered
    summary = (tmp_path / "book" / "handbook.md").read_text()
    counted = re.search(r"^\| all \| (\d+) \| (\d+) \| (\d+) \|$", summary, re.MULTILINE)
    assert counted is not None
    marks = page.evaluate("['pass', 'fail', 'skip'].map(css => "
                          "document.querySelectorAll('p.' + css).length)")
    assert marks == [int(number) for number in counted.groups()]
    assert marks[0] > 10 and marks[1] == 1  # every scenario, each with its mark
    failed = page.evaluate("(() => { const p = document.querySelector('p.fail'); "
                           "const steps = []; let next = p.nextElementSibling; "
                           "while (next && next.matches('.step')) { "
                           "steps.push(next.textContent); next = next.nextElementSibling; } "
                           "return [p.textContent, steps]; })()")
    assert failed[0] == "✗ A cold soup is closed at once [bistro] (line 3)"
    assert any(re.search(r"bistro_own\.feature:7: Then the case is \"closed\"", step)
               for step in failed[1])
    dangling = page.evaluate("[...document.querySelectorAll('a[href^=\"#\"]')].map(a => "
                             "a.getAttribute('href').slice(1)).filter(id => "
                             "!document.getElementById(id))")
    assert dangling == []  # every link from a step lands on its rule
    counted = summary.split("\n## ")[0]  # the counts at the top: brands of the folder only
    assert "hasty" not in counted and "(no brand)" not in counted, counted
    _fits(page)
    page.evaluate("document.querySelector('figure.flow').click()")  # zoomed: its box scrolls
    assert page.evaluate("document.querySelector('figure.flow').classList.contains('zoom')")
    assert page.evaluate("document.documentElement.scrollWidth") == page.evaluate(
        "document.documentElement.clientWidth")  # the page itself still does not scroll


def test_the_care_report_in_a_browser(browser: Browser, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("demo").exit_code == 0
    written = tmp_path / "report.html"
    assert run("report", "--html", str(written)).exit_code == 0
    page = browser.open(written.as_uri())
    _loaded_alone(page, written)
    assert page.evaluate("[...document.querySelectorAll('section[id]')].map(s => s.id)") == BRANDS
    charts = page.evaluate("[...document.querySelectorAll('section[id]')].map(s => "
                           "[...s.querySelectorAll('figure svg')].map(svg => "
                           "[svg.getAttribute('aria-label'), svg.querySelectorAll('rect')"
                           ".length, svg.getBBox().height]))")
    for brand, shown in zip(BRANDS, charts, strict=True):
        titles = [title for title, _rects, _height in shown]
        assert f"{brand}: resolution SLA by week opened" in titles, titles
        assert all(rects > 0 and height > 0 for _title, rects, height in shown)
    glance = page.evaluate("[...document.querySelectorAll('section[id] table.headline')]"
                           ".map(t => t.innerText)")
    assert len(glance) == 3 and all("SLA met" in text for text in glance), glance
    assert "resolution p50 / p90" in glance[1] and "business" in glance[1]
    _fits(page)
