"""`recovery handbook`: run the policy scenarios and write the handbook a care manager reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from recovery.cli.common import Settings, settings, with_specs
from recovery.cli.layout import out


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

    results = with_specs("recovery.handbook.results")  # only this command and `spec` need it
    from recovery.handbook import book

    workflows = settings(ctx).workflows
    code, report = results.run(paths or [], workflows, brand or [], ctx.args)
    flows, _problems = validate_flows(workflows)
    chosen = [flow for name, flow in sorted(flows.items())
              if not flow.settings.abstract and (not brand or name in brand)]
    outcomes = list(report.outcomes.values())
    rules = book.rules_table(import_module("recovery.replies.lint").__doc__)
    chosen_settings = settings(ctx)
    today = chosen_settings.clock().date()
    incidents = _incidents(chosen_settings) if chosen else {}
    sections = [book.brand_section(flow, today, rules, incidents.get(flow.brand, []))
                for flow in chosen]
    sections += book.feature_sections(outcomes)
    library = with_specs("recovery.testing.library")
    sections.append(book.steps_section(library.library(), library.examples(
        library.feature_files(paths or [], workflows))))
    summary = book.counts(outcomes, [name for name, flow in flows.items()
                                     if not flow.settings.abstract])
    html_file, md_file = book.write(out_dir, "Recovery policy handbook", summary, sections)
    out.print(f"handbook written: {html_file} and {md_file}", markup=False)
    raise typer.Exit(code)


def _incidents(chosen: Settings) -> dict[str, list[dict[str, Any]]]:
    """Each brand's incidents of the last 90 days, with how many complaints came after their
    announcement, when the database is there (the handbook needs none)."""
    from datetime import timedelta

    from recovery.store.db import missing_file

    if missing_file(chosen.db) is not None:
        return {}
    now = chosen.clock()
    figures = chosen.engine().report(since=now - timedelta(days=90), until=now)
    return {brand: found.get("incidents", []) for brand, found in figures.items()}
