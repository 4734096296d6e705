"""What `recovery spec` prints instead of pytest's dots: per feature, each scenario with a mark
(and the brand it ran for), the failing step with its file and line and one line saying what
went wrong, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry
from rich.console import Console
from rich.text import Text

from recovery.errors import NotFound

MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red"), "skipped": ("-", "yellow")}


@dataclass
class Outcome:
    """One scenario run (for one brand): where it is and how it ended."""

    feature: str
    file: str
    scenario: str
    line: int
    brand: str | None
    steps: list[str] = field(default_factory=list)
    """The scenario as written: `Given the brand "bistro"`, … (with any table's rows)."""
    description: str = ""
    """The feature's description."""
    result: str = "skipped"
    """passed, failed or skipped; until it runs, `skipped` and said "not run"."""
    said: list[str] = field(default_factory=lambda: ["not run"])


class SpecReport:
    """A pytest plugin for `recovery spec`: it collects each scenario's outcome and prints them
    by feature at the end, in place of pytest's own terminal output."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(soft_wrap=True, highlight=False)
        self.outcomes: dict[str, Outcome] = {}
        self.errors: list[str] = []

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        """Silence pytest's own terminal output (its options, like -q and -x, still work)."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            config.pluginmanager.unregister(reporter)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Know each item's feature, scenario and brand."""
        for item in items:
            test = getattr(item, "obj", None)
            template = scenario_wrapper_template_registry.get(test) if callable(test) else None
            if template is None:
                continue
            params = getattr(item, "callspec", None)
            brand = params.params.get("recovery_brand") if params is not None else None
            steps = []
            for step in template.steps:
                steps.append(f"{step.keyword} {step.name}")
                table = getattr(step, "datatable", None)
                steps += [" | ".join(cell.value for cell in row.cells)
                          for row in (table.rows if table is not None else [])]
            self.outcomes[item.nodeid] = Outcome(
                template.feature.name, where(template.feature), template.name,
                template.line_number, brand or _named_brand(steps), steps,
                (template.feature.description or "").strip())

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        """A scenario left out (`-k`, `-m`) is not reported at all."""
        for item in items:
            self.outcomes.pop(item.nodeid, None)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A feature file that could not be read is said, not lost."""
        if report.failed:
            self.errors.append(f"{report.nodeid}: {_first(report.longreprtext)}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep how a scenario ended (a failure in set-up or tear-down counts as failed)."""
        outcome = self.outcomes.get(report.nodeid)
        if outcome is None or outcome.result == "failed":
            return
        if report.failed:
            outcome.result = "failed"
            outcome.said = [line for line in report.longreprtext.strip().splitlines()
                            if line.strip()][:2] if report.longreprtext else []
            if len(outcome.said) == 2 and not outcome.said[0].startswith(outcome.file):
                outcome.said = [_first(report.longreprtext)]
        elif report.passed and report.when == "call":
            outcome.result, outcome.said = "passed", []
        elif report.skipped and report.when in ("setup", "call"):
            outcome.result = "skipped"
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            outcome.said = [str(reason).removeprefix("Skipped: ")]

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Print the scenarios by feature, then the counts."""
        out = self.console
        for error in self.errors:
            out.print(Text(f"error: {error}", style="red"))
        feature = None
        for outcome in self.outcomes.values():
            if outcome.feature != feature:
                feature = outcome.feature
                out.print(Text(f"\nFeature: {feature}  ({outcome.file})", style="bold"))
            mark, style = MARKS[outcome.result]
            brand = f"  [{outcome.brand}]" if outcome.brand else ""
            out.print(Text(f"  {mark} {outcome.scenario}{brand}  (line {outcome.line})",
                           style=style))
            for line in outcome.said:
                out.print(Text(f"      {line.strip()}", style="dim" if outcome.result !=
                               "failed" else ""))
        counts = {name: sum(o.result == name for o in self.outcomes.values())
                  for name in MARKS}
        out.print(Text(f"\n{len(self.outcomes)} scenario(s): {counts['passed']} passed, "
                       f"{counts['failed']} failed, {counts['skipped']} skipped",
                       style="bold red" if counts["failed"] or self.errors else "bold green"))


def run(paths: list[Path], workflows: Path, brands: list[str],
        extra: list[str]) -> tuple[int, SpecReport]:
    """Run the scenarios of `paths` (by default: `./features` and each brand's own) against
    the flows in `workflows` (the brand under test being each of `brands`, or every brand),
    printing them by feature; pytest's exit code and what each scenario did. `extra` goes to
    pytest as it is, and so does every word of `paths` from the first that is an option (so
    pytest never falls back to its own test paths)."""
    words = [str(path) for path in paths]  # click hands `-k cold` to the paths: split them
    first = next((index for index, word in enumerate(words) if word.startswith("-")),
                 len(words))
    named, extra = [Path(word) for word in words[:first]], [*words[first:], *extra]
    args = [str(path) for path in named or default_paths(workflows, brands)]
    if not args:
        raise NotFound("no policy scenarios here: name feature files or folders, or run where "
                       "./features is (or a brand has workflows/BRAND/features)")
    args += ["--recovery-specs", "--workflows", str(workflows), "-p", "no:cacheprovider"]
    if _xdist_loads():  # in this process, where the report hears each scenario, whatever the
        args += ["-n", "0"]  # project's pytest settings say (`-n auto` in its addopts)
    for name in brands:
        args += ["--brand", name]
    report = SpecReport()
    return int(pytest.main([*args, *extra], plugins=[report])), report


def _xdist_loads() -> bool:
    """Whether pytest will load pytest-xdist's plugin (installed, and plugins autoloaded)."""
    import importlib.util
    import os

    return (importlib.util.find_spec("xdist") is not None
            and not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"))


def default_paths(workflows: Path, brands: list[str]) -> list[Path]:
    """The policy scenarios run when none are named: the project's `./features` and each
    brand's own `workflows/<brand>/features/`, where they are (of the `brands` named, or of
    every brand)."""
    own = sorted(folder for folder in workflows.glob("*/features") if folder.is_dir()
                 and (not brands or folder.parent.name in brands))
    return [path for path in [Path("features"), *own] if path.is_dir()]


def where(feature: Any) -> str:
    """A feature file's path as a reader finds it: from the working folder when it is under
    it (`features/x.feature`, `workflows/bistro/features/y.feature`), else whole."""
    path = Path(feature.filename).resolve()
    return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


def _named_brand(steps: list[str]) -> str | None:
    """The brand a scenario names in its steps (`Given the brand "bistro"`), if any."""
    for step in steps:
        _keyword, _, rest = step.partition(" ")
        if rest.startswith('the brand "'):
            return rest.split('"')[1]
    return None


def _first(text: Any) -> str:
    """The last line of a failure's report that says something (pytest puts the error
    last)."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[-1] if lines else "failed"
