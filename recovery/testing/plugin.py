"""A pytest plugin that runs the policy handbook: `.feature` files, no Python to write.

Installed with `recovery` (entry point `pytest11`). When specs are switched on (`--recovery-specs`
or `recovery_specs = true` in the ini file; `recovery spec` does it for you) every `.feature`
file is collected with the step library of `recovery.testing.steps`. A scenario that says
"Given the brand under test" runs once per brand in the workflows folder (or per `--brand`).
"""

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

pytest_plugins = ["recovery.testing.steps", "recovery.testing.time_steps",
                  "recovery.testing.reply_steps", "recovery.testing.remedy_steps",
                  "recovery.testing.follow_up_steps", "recovery.testing.reach_steps",
                  "recovery.testing.moderation_steps", "recovery.testing.incident_steps"]

UNDER_TEST = "the brand under test"


class SpecError(Exception):
    """A step is written in a way the step library cannot read; the message says how to."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options and ini settings."""
    group = parser.getgroup("recovery", "recovery policy specs")
    group.addoption("--recovery-specs", action="store_true",
                    help="Collect .feature files as recovery policy specs.")
    group.addoption("--workflows", dest="recovery_workflows", default=None,
                    help="The folder of brand flows the specs run against (default ./workflows).")
    group.addoption("--brand", dest="recovery_brands", action="append", default=[],
                    help="Run 'the brand under test' scenarios for this brand (repeatable).")
    parser.addini("recovery_specs", type="bool", default=False,
                  help="Collect .feature files as recovery policy specs.")
    parser.addini("recovery_workflows", default="workflows",
                  help="The folder of brand flows, relative to the rootdir.")


def workflows_dir(config: pytest.Config) -> Path:
    """The workflows folder the specs run against."""
    given = config.getoption("recovery_workflows")
    if given:
        return Path(given).resolve()
    return (config.rootpath / str(config.getini("recovery_workflows"))).resolve()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect a `.feature` file as a module of scenarios when specs are switched on."""
    config = parent.config
    if file_path.suffix == ".feature" and (config.getoption("recovery_specs")
                                           or config.getini("recovery_specs")):
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
            said = "no step of the library reads like this (the README lists them)"
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
