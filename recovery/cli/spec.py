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
         = None) -> None:
    """Run .feature files with the shipped step library and print each feature's scenarios
    with a mark, a failing step with its file and line; extra arguments go to pytest."""
    results = with_specs("recovery.handbook.results")  # only this command needs pytest
    code, _report = results.run(paths or [], settings(ctx).workflows, brand or [], ctx.args)
    raise typer.Exit(code)
