"""`recovery handbook`: run the policy scenarios and write the handbook a care manager reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recovery.cli.common import out, settings


def handbook(ctx: typer.Context,
             paths: Annotated[list[Path] | None, typer.Argument(
                 help="Feature files or folders; default ./features and each brand's own "
                      "workflows/BRAND/features.")] = None,
             brand: Annotated[list[str] | None, typer.Option(
                 help="Only this brand (repeatable).")] = None,
             out_dir: Annotated[Path, typer.Option(
                 "--out", help="The folder to write index.html and handbook.md into.")]
             = Path("handbook")) -> None:
    """Run the policy scenarios and write the handbook: each brand's policy (its flow as a
    picture, states, triggers, hours, SLA targets, remedies, follow-up, templates, reply rules)
    beside every scenario and how it ran. Exit 0 when every scenario passed."""
    from importlib import import_module

    from recovery.flows import validate_flows
    from recovery.handbook.book import brand_section, counts, feature_sections, rules_table, write
    from recovery.handbook.results import run  # here: only this command and `spec` need pytest

    workflows = settings(ctx).workflows
    code, report = run(paths or [], workflows, brand or [], ctx.args)
    flows, _problems = validate_flows(workflows)
    chosen = [flow for name, flow in sorted(flows.items())
              if not flow.settings.abstract and (not brand or name in brand)]
    outcomes = list(report.outcomes.values())
    rules = rules_table(import_module("recovery.replies.lint").__doc__)
    today = settings(ctx).clock().date()
    sections = [brand_section(flow, today, rules) for flow in chosen]
    sections += feature_sections(outcomes)
    html_file, md_file = write(out_dir, "Recovery policy handbook", counts(outcomes), sections)
    out.print(f"handbook written: {html_file} and {md_file}", markup=False)
    raise typer.Exit(code)
