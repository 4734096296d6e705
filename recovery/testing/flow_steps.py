"""Steps about the flow files themselves: a brand's flow written in the scenario, the flows
valid or refused at a file and line, and nothing in any flow or in the engine that deletes or
hides a complaint."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytest_bdd import given, parsers, then

from recovery.engine import Engine
from recovery.flows import validate_flows
from recovery.flows.loader import FLOW_FILE, flow_files
from recovery.flows.validate import FORBIDDEN
from recovery.testing.steps import Spec


@given(parsers.parse('the flow of brand "{brand}" is written as:'))
def given_flow_written(spec: Spec, tmp_path: Path, brand: str, docstring: str) -> None:
    """Write a brand's flow file beside copies of the real ones; the scenario uses that folder."""
    assert spec._engine is None, "write flow files before anything else in the scenario"
    folder = tmp_path / "workflows"
    for file in flow_files(spec.workflows).values():
        shutil.copytree(file.parent, folder / file.parent.name)
    (folder / brand).mkdir(parents=True, exist_ok=True)
    (folder / brand / FLOW_FILE).write_text(docstring + "\n")
    spec.workflows = folder
    spec.problems = [f"{p.file.relative_to(folder)}:{p.line}: {p.message}"
                     for p in validate_flows(folder)[1]]


@then("no trigger or state of any flow deletes or hides a complaint")
def then_no_delete_in_flows(spec: Spec) -> None:
    """No flow in the workflows folder has a deleting trigger or state."""
    for flow in spec.engine.flows.values():
        names = [*flow.settings.flow.triggers, *flow.settings.flow.states]
        assert not [n for n in names if set(n.split("_")) & set(FORBIDDEN)], flow.brand


@then("the engine has no way to delete a case")
def then_no_delete_api(spec: Spec) -> None:
    """The library's public API has nothing that deletes or hides."""
    public = [name for name in dir(Engine) if not name.startswith("_")]
    assert not [n for n in public if set(n.split("_")) & set(FORBIDDEN)], public


@then("the flows are valid")
def then_flows_valid(spec: Spec) -> None:
    """Validation found nothing wrong."""
    assert not spec.problems, spec.problems


@then(parsers.parse('the flows are refused at "{where}": "{message}"'))
def then_flow_problem(spec: Spec, where: str, message: str) -> None:
    """Validation reports a problem at `brand/flow.yaml:line` whose message says `message`."""
    hits = [p for p in spec.problems if p.startswith(where + ":") and message in p]
    assert hits, f"no problem at {where} saying '{message}'; got {spec.problems}"
