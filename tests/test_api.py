"""The public surface stays small and deliberate, and the layers point one way."""

from __future__ import annotations

import inspect
import subprocess
import sys

import recovery
from tests.conftest import ROOT


def test_the_public_api_is_pinned() -> None:
    assert sorted(recovery.__all__) == [
        "Audit", "Case", "ClockStatus", "ConcurrentUpdate", "Engine", "Event", "Flow", "FlowError",
        "GuardRefused", "InvalidInput", "KeyReused", "NotFound", "Notice", "PolicyViolation",
        "Problem",
        "RecoveryError", "Remedy", "StorageError", "Subscriber", "Timer", "TriggerNotAllowed",
        "TriggerOption", "load_flows", "validate_flows"]
    for name in recovery.__all__:
        thing = getattr(recovery, name)
        if inspect.isclass(thing) or inspect.isfunction(thing):
            assert thing.__doc__, f"{name} has no docstring"


def test_every_error_is_a_recovery_error() -> None:
    errors = [getattr(recovery, n) for n in recovery.__all__ if n.endswith(("Error", "Found",
                                                                            "Input", "Allowed",
                                                                            "Refused",
                                                                            "Violation",
                                                                            "Update", "Reused"))]
    assert len(errors) == 10
    assert all(issubclass(error, recovery.RecoveryError) for error in errors)


def test_the_layers_point_down_only() -> None:
    command = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    result = subprocess.run([sys.executable, "-c", command, "--no-cache"],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_and_types_are_clean() -> None:
    for command in (["ruff", "check", "recovery", "tests", "bench"], ["mypy"]):
        result = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True,
                                check=False, cwd=ROOT)
        assert result.returncode == 0, result.stdout + result.stderr
