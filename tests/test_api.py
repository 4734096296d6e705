"""The public surface stays small and deliberate, and the layers point one way."""

from __future__ import annotations

import inspect
import os
import shutil
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
    for command in (["ruff", "check", "recovery", "tests", "bench", "examples"], ["mypy"]):
        result = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True,
                                check=False, cwd=ROOT)
        assert result.returncode == 0, result.stdout + result.stderr


HOST = '''
from recovery import Case, Engine, Event, RecoveryError


def open_and_answer(engine: Engine) -> int:
    case: Case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold")
    event: Event = engine.fire(case.id, "acknowledge", by="eva")
    try:
        engine.record_finding(case.id, "founded", root_cause="slow pass", by="eva")
    except RecoveryError as exc:
        print(exc)
    return event.seq
'''


def test_a_hosts_type_checker_sees_the_librarys_types(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Installed as a host installs it (not from the host's sources), with `py.typed`: the
    host's own code checks clean, and a wrong argument is caught, not seen as `Any`."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "recovery", site / "recovery",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "host.py").write_text(HOST)
    (tmp_path / "wrong.py").write_text(HOST.replace('fire(case.id, "acknowledge"',
                                                    'fire(str(case.id), 5'))

    checked = subprocess.run(  # both files in one run: the library is analysed once
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "host.py", "wrong.py"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)}).stdout
    assert not [line for line in checked.splitlines() if line.startswith("host.py")], checked
    caught = [line for line in checked.splitlines() if line.startswith("wrong.py")]
    assert len(caught) == 2, checked
    assert 'Argument 1 to "fire" of "Engine" has incompatible type "str"' in caught[0]
    assert 'Argument 2 to "fire" of "Engine" has incompatible type "int"' in caught[1]
