"""A lean install: `pip install recovery` (the library and the CLI) brings no test runner, the
pytest plugin it registers loads nothing of the engine into a host's test run until specs are
switched on, and the commands that run specs say how to get them where they are missing."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement

from tests.conftest import ROOT, WORKFLOWS

HOST_TEST = '''
import sys


def test_the_host_runs_without_the_engine():
    loaded = sorted(name for name in sys.modules if name.split(".")[0] == "recovery")
    assert loaded == ["recovery", "recovery.handbook", "recovery.testing",
                      "recovery.testing.plugin"], loaded
'''


def test_the_install_brings_no_test_runner() -> None:
    runtime = [Requirement(line) for line in requires("recovery") or []]
    plain = {found.name for found in runtime if found.marker is None}
    assert plain and not plain & {"pytest", "pytest-bdd", "gherkin-official"}
    specs = {found.name for found in runtime
             if found.marker is not None and found.marker.evaluate({"extra": "specs"})}
    assert {"pytest", "pytest-bdd"} <= specs


def test_a_hosts_test_run_loads_nothing_of_the_engine(tmp_path: Path) -> None:
    (tmp_path / "test_host.py").write_text(HOST_TEST)
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "test_host.py"], capture_output=True, text=True, cwd=tmp_path,
                         check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_without_pytest_bdd_the_spec_commands_say_how_to_get_it(tmp_path: Path) -> None:
    blocked = ("import sys; sys.modules['pytest_bdd'] = None; "
               "from recovery.cli import main; main()")
    for command in (["spec"], ["handbook", "--out", str(tmp_path / "book")]):
        ran = subprocess.run([sys.executable, "-c", blocked, "--workflows", str(WORKFLOWS),
                              *command], capture_output=True, text=True, cwd=ROOT, check=False)
        assert (ran.returncode, ran.stdout) == (1, "")
        assert ran.stderr == ("error: the policy specs need pytest and pytest-bdd, which "
                              "`recovery` installs as an extra: pip install 'recovery[specs]'\n")
    switched_on = subprocess.run(  # pytest-bdd's own plugin gone too: nothing loads by itself
        [sys.executable, "-c", "import sys; sys.modules['pytest_bdd'] = None; import pytest; "
         "sys.exit(pytest.main(['-p', 'recovery.testing.plugin', '--recovery-specs', '-p', "
         "'no:cacheprovider']))"], capture_output=True, text=True, cwd=tmp_path, check=False,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert switched_on.returncode == 4  # a usage error, in one line
    assert "pip install 'recovery[specs]'" in switched_on.stderr


def test_every_data_file_the_package_reads_ships_in_its_wheel() -> None:
    import fnmatch
    import tomllib

    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    package = ROOT / "recovery"
    for path in package.rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        home = ".".join(path.parent.relative_to(ROOT).parts)
        globs = shipped.get(home, [])
        assert any(fnmatch.fnmatch(path.name, glob) for glob in globs), (
            f"{path.relative_to(ROOT)} is not in [tool.setuptools.package-data] {home!r}")
