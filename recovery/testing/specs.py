"""What runs the policy specs, registered by `plugin.py` once they are switched on: `.feature`
files collected as test modules through pytest-bdd, "the brand under test" run once per brand,
and a failing scenario reported as its step and one line saying what went wrong."""

from __future__ import annotations

import types
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.exceptions import StepDefinitionNotFoundError
from pytest_bdd.scenario import scenario_wrapper_template_registry

from recovery.errors import RecoveryError
from recovery.flows import validate_flows
from recovery.handbook.results import where
from recovery.testing.plugin import SpecError, workflows_dir

UNDER_TEST = "the brand under test"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect a `.feature` file as a module of scenarios."""
    if file_path.suffix == ".feature":
        collector: pytest.Collector = FeatureFile.from_parent(parent, path=file_path)
        return collector
    return None


class FeatureFile(pytest.Module):
    """A `.feature` file turned into a test module by pytest-bdd's `scenarios()`."""

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(f"spec_{self.path.stem}")
        module.__file__ = str(self.path)
        module.__dict__.update(_feature=str(self.path), _base=str(self.path.parent))
        code = compile("from pytest_bdd import scenarios\n"
                       "scenarios(_feature, features_base_dir=_base)\n", str(self.path), "exec")
        exec(code, module.__dict__)
        brands = _brands(self.config)
        for name, test in list(module.__dict__.items()):
            template = scenario_wrapper_template_registry.get(test) if callable(test) else None
            if template is not None and any(UNDER_TEST in step.name for step in template.steps):
                test = pytest.mark.usefixtures("recovery_brand")(test)
                module.__dict__[name] = pytest.mark.parametrize("recovery_brand", brands)(test)
        return module


_FAILED_STEP = pytest.StashKey[str]()
"""Where the step that failed stands: `features/x.feature:12: When "eva" fires "resolve"`."""
_READABLE = (AssertionError, SpecError, RecoveryError, StepDefinitionNotFoundError)
"""Failures that are the scenario's, not the step library's: told in one line."""


def _remember(request: pytest.FixtureRequest, feature: Any, step: Any) -> None:
    request.node.stash[_FAILED_STEP] = (f"{where(feature)}:{step.line_number}: "
                                        f"{step.keyword} {step.name}")
    request.node.stash[_STEP_SAID] = step.name


_STEP_SAID = pytest.StashKey[str]()
"""The failing step's words, for the nearest steps of the library."""


def pytest_bdd_step_error(request: pytest.FixtureRequest, feature: Any, scenario: Any,
                          step: Any, step_func: Any, step_func_args: Any,
                          exception: Exception) -> None:
    """Remember which step failed, for the report."""
    _remember(request, feature, step)


def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, feature: Any,
                                      scenario: Any, step: Any, exception: Exception) -> None:
    """Remember which step has no definition, for the report."""
    _remember(request, feature, step)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
        item: pytest.Item, call: pytest.CallInfo[None],
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Report a scenario's own failure as its step and one line saying what went wrong."""
    report = yield
    where = item.stash.get(_FAILED_STEP, None)
    if report.failed and where and call.excinfo is not None \
            and isinstance(call.excinfo.value, _READABLE):
        error = call.excinfo.value
        if isinstance(error, StepDefinitionNotFoundError):
            from recovery.testing.library import nearest

            said = ("no step of the library reads like this (`recovery spec --steps` lists "
                    "them); nearest: " + " · ".join(nearest(item.stash.get(_STEP_SAID, ""))))
        else:
            said = (str(error).strip().splitlines() or [type(error).__name__])[0]
        report.longrepr = f"{where}\n    {said}"
    return report


_BRANDS = pytest.StashKey[list[Any]]()


def _brands(config: pytest.Config) -> list[Any]:
    """The brands "the brand under test" means: `--brand`, or every brand (read once)."""
    if _BRANDS not in config.stash:
        chosen: list[str] = config.getoption("recovery_brands")
        flows, _problems = ({}, []) if chosen else validate_flows(workflows_dir(config))
        brands = chosen or [name for name, flow in flows.items() if not flow.settings.abstract]
        config.stash[_BRANDS] = brands or [
            pytest.param(None, marks=pytest.mark.skip(reason="no valid brand flows"))]
    return config.stash[_BRANDS]
