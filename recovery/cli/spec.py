"""`recovery spec`: run the policy handbook (Gherkin `.feature` files) against the flows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recovery.cli.common import settings, with_specs


def spec(ctx: typer.Context,
         paths: Annotated[list[Path] | None, typer.Argument(
             help="Feature files or folders; default ./features and each brand's own "
                  "workflows/BRAND/features.")] = None,
         brand: Annotated[list[str] | None, typer.Option(
             help="Run 'the brand under test' scenarios for this brand only (repeatable).")]
         = None,
         steps: Annotated[bool, typer.Option(
             "--steps", help="List the step library instead: each step, what it does and an "
                             "example from the feature files.")] = False) -> None:
    """Run .feature files with the shipped step library and print each feature's scenarios
    with a mark, a failing step with its file and line; extra arguments go to pytest."""
    if steps:
        _library(paths or [], settings(ctx).workflows)
        return
    results = with_specs("recovery.handbook.results")  # only this command needs pytest
    code, _report = results.run(paths or [], settings(ctx).workflows, brand or [], ctx.args)
    raise typer.Exit(code)


def _library(paths: list[Path], workflows: Path) -> None:
    """Print the step library: each step, what it does, and an example from `paths`."""
    from recovery.cli.layout import indented, say

    library = with_specs("recovery.testing.library")
    found = library.examples(library.feature_files(paths, workflows))
    steps = library.library()
    say(f"{len(steps)} steps; a scenario says them after Given, When, Then, And or But",
        style="bold")
    for step in steps:
        say(f"{step.keyword} {step.reads}", style="bold")
        indented(step.does)
        if step.reads in found:
            indented(f"e.g. {found[step.reads]}", style="dim")
