"""A pytest plugin that runs the policy handbook: `.feature` files, no Python to write.

Installed with `recovery` (entry point `pytest11`), it costs a test run nothing until specs are
switched on (`--recovery-specs` or `recovery_specs = true` in the ini file; `recovery spec`
does it for you): only then are pytest-bdd (`pip install 'recovery[specs]'`), the engine and
the step library loaded (`recovery.testing.specs`), and every `.feature` file collected with
the steps of `recovery.testing.steps`. A scenario that says "Given the brand under test" runs
once per brand in the workflows folder (or per `--brand`).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest

from recovery.handbook import SPECS_MISSING

STEPS = ("recovery.testing.steps", "recovery.testing.flow_steps", "recovery.testing.time_steps",
         "recovery.testing.reply_steps", "recovery.testing.remedy_steps",
         "recovery.testing.follow_up_steps", "recovery.testing.reach_steps",
         "recovery.testing.moderation_steps", "recovery.testing.incident_steps",
         "recovery.testing.whatif_steps", "recovery.testing.migration_steps")
"""The step library, module by module."""


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


def pytest_configure(config: pytest.Config) -> None:
    """Where specs are switched on, load what runs them: the collector and the step library."""
    if not (config.getoption("recovery_specs") or config.getini("recovery_specs")):
        return
    try:
        specs = import_module("recovery.testing.specs")
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("pytest_bdd", "gherkin"):
            raise
        raise pytest.UsageError(SPECS_MISSING) from exc
    config.pluginmanager.register(specs, "recovery-specs")
    for name in STEPS:
        config.pluginmanager.import_plugin(name)


def workflows_dir(config: pytest.Config) -> Path:
    """The workflows folder the specs run against."""
    given = config.getoption("recovery_workflows")
    if given:
        return Path(given).resolve()
    return (config.rootpath / str(config.getini("recovery_workflows"))).resolve()
