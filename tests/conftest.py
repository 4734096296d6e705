"""Fixtures: a settable clock, and engines on SQLite and on a throw-away PostgreSQL.

PostgreSQL: `RECOVERY_TEST_POSTGRES` (a URL) uses a server you run, and `off` skips those tests
as on a machine without PostgreSQL; otherwise, where the server binaries exist (Debian's
`postgresql` package), a private server is started for the session, as the unprivileged user
`nobody` when the tests run as root (initdb refuses root). Without either the PostgreSQL tests
are skipped, unless `RECOVERY_REQUIRE_POSTGRES=1` (CI) makes that a failure.
"""

from __future__ import annotations

import functools
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
import typer.main
import typer.testing
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel
from typer.testing import CliRunner

os.environ.pop("COLUMNS", None)  # the test runner's own width (pytest-xdist's workers set 80)
os.environ.pop("LINES", None)  # must not fix the CLI consoles' width as they are made (below)

from recovery import Engine
from recovery.cli import app, layout
from recovery.store import tables  # noqa: F401 (the tables SQLModel knows)
from recovery.store.db import empty

ROOT = Path(__file__).resolve().parent.parent
assert layout.out._width is None and layout.err._width is None, (
    "the CLI's consoles took a fixed width: each test's CliRunner env sets COLUMNS instead")
WORKFLOWS = ROOT / "workflows"

# typer's CliRunner builds click's command tree from the app on every invoke, reading the type
# hints of all 58 commands: a quarter of a second each time, most of what a CLI test costs.
# The app does not change between tests, so its tree is built once per app.
typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move time on and return the new now."""
        self.now += timedelta(**delta)
        return self.now


def workflows_with(folder: Path, **brands: str) -> Path:
    """A workflows folder with the real default flow (and templates) and these brands' flow
    files, written as given."""
    shutil.copytree(WORKFLOWS / "default", folder / "default")
    for name, written in brands.items():
        (folder / name).mkdir()
        (folder / name / "flow.yaml").write_text(written)
    return folder


def old_database(path: Path | str, revision: str, *statements: str) -> str:
    """A database as a release before 0013 left it at schema `revision` (a SQLite file at
    `path`, or the empty database at a URL): the engine's tables under their old names, its
    history in `alembic_version`; with `statements` run on it. Its URL."""
    from alembic import command
    from alembic.config import Config

    from recovery.store.db import MIGRATIONS

    url = path if isinstance(path, str) else f"sqlite:///{path}"
    if isinstance(path, str):
        empty(url)  # the database `db_url` gives holds the engine's tables, without rows
    db = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.begin() as conn:
        config.attributes.update(connection=conn, version_table="alembic_version")
        command.upgrade(config, revision)
        for statement in statements:
            conn.execute(text(statement))
    db.dispose()
    return url


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)
        if (Path(out.stdout.strip()) / "initdb").exists():
            return Path(out.stdout.strip())
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


LONG = ("tests/test_worker.py", "tests/test_crash.py", "tests/test_examples.py",
        "tests/test_api.py::test_a_hosts_type_checker", "tests/test_outcomes.py",
        "tests/test_browser.py", "tests/test_lemmas.py", "tests/test_fuzz.py",
        "tests/test_whatif.py::test_any_history")
"""Tests that take seconds each, much of it waiting on processes they started or killed."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first: the workers share them out at the start and the rest fill in
    around them, rather than one worker ending the run alone with the longest."""
    items.sort(key=lambda item: not item.nodeid.startswith(LONG))


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """One worker when the tests share a PostgreSQL server given by URL (each engine test
    empties that one database); otherwise a worker per core, each starting its own server."""
    given = os.environ.get("RECOVERY_TEST_POSTGRES")
    return 1 if given and given != "off" else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL for the session, or skip (fail under RECOVERY_REQUIRE_POSTGRES)."""
    given = os.environ.get("RECOVERY_TEST_POSTGRES")
    if given == "off":
        pytest.skip("PostgreSQL tests turned off (RECOVERY_TEST_POSTGRES=off)")
    if given:
        yield given
        return
    bindir = _pg_bindir()
    if bindir is None:
        if os.environ.get("RECOVERY_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (RECOVERY_REQUIRE_POSTGRES) but no server "
                        "binaries were found: apt-get install postgresql")
        pytest.skip("no PostgreSQL server binaries (apt-get install postgresql)")
    home = Path(tempfile.mkdtemp(prefix="recovery-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        run_as = ["runuser", "-u", "nobody", "--"]
    data, port = home / "data", _free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "recovery",
                    "--auth=trust", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                    "-l", str(home / "log"), "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://recovery@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def clock() -> Clock:
    """A clock set to 2026-12-01 09:00 UTC."""
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of each kind with no case in it, at the engine's schema: a copy of a SQLite
    file just migrated; on PostgreSQL, the session's database with its rows gone (or every
    table, when a test changed its schema)."""
    if request.param == "sqlite":
        return sqlite_copy(request.getfixturevalue("migrated_sqlite"), tmp_path / "care.db")
    url: str = request.getfixturevalue("postgres_url")
    _no_rows(url)
    return url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations just made, copied for each test (a fifth of a second of
    migrating saved each time)."""
    made = tmp_path_factory.mktemp("migrated") / "migrated.db"
    Engine(f"sqlite:///{made}", workflows=WORKFLOWS).close()
    return made


SHAPE = text("""
    SELECT string_agg(item, ',' ORDER BY item) FROM (
        SELECT 'table ' || table_name || '.' || column_name || ' ' || data_type
          FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT 'trigger ' || tgname || ' ' || tgenabled::text FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND NOT t.tgisinternal
        UNION ALL SELECT 'function ' || proname || ' ' || md5(prosrc) FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    ) AS shape(item)""")
"""The schema of the public namespace, to the trigger: what a test may have changed."""
_migrated: dict[str, str] = {}
"""Per server, the shape of a database the migrations just made."""


def _no_rows(url: str) -> None:
    """Make the PostgreSQL database at `url` hold no case. Dropping and migrating it again
    takes half a second; so when its schema is exactly as the migrations leave it, its rows
    are truncated instead (the events' own guard against TRUNCATE set aside for it)."""
    db = create_engine(url)
    try:
        if url not in _migrated:  # the first time: the shape the migrations give
            db.dispose()
            empty(url)
            Engine(url, workflows=WORKFLOWS).close()
            with db.connect() as conn:
                _migrated[url] = str(conn.execute(SHAPE).scalar())
            return
        with db.begin() as conn:
            same = conn.execute(SHAPE).scalar() == _migrated[url]
            if same:
                names = [table.name for table in SQLModel.metadata.sorted_tables]
                conn.execute(text("SET LOCAL session_replication_role = replica"))  # superuser
                conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        if not same:
            empty(url)
    except DBAPIError:  # a server the tests were given, whose role may not set aside guards
        empty(url)
    finally:
        db.dispose()


@pytest.fixture
def engine(db_url: str, clock: Clock) -> Iterator[Engine]:
    """An engine over the sample workflows, on each database kind, with a settable clock."""
    made = Engine(db_url, workflows=WORKFLOWS, clock=clock)
    yield made
    made.close()


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `recovery …` on a fresh SQLite file over the sample workflows, at 2026-12-01 10:30
    UTC unless a command says `--now`; a throw-away database, so a drill (`--drill`): any
    `--now` is taken, whatever the wall clock says."""
    runner = CliRunner()
    base = ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--workflows", str(WORKFLOWS),
            "--now", "2026-12-01T10:30Z", "--drill"]

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, [*base, *args], prog_name="recovery")

    return invoke


def until(ready: Callable[[], object], what: str, seconds: float = 60) -> object:
    """Wait for `ready()` to give something, however loaded the machine (`seconds` at most,
    then fail); what it gave."""
    deadline = time.monotonic() + seconds
    while not (found := ready()):
        assert time.monotonic() < deadline, f"waited {seconds:g} s for {what}"
        time.sleep(0.01)
    return found


def sqlite_copy(migrated: Path, target: Path) -> str:
    """The URL of a copy of the migrated SQLite file (`migrated_sqlite`) at `target`."""
    shutil.copyfile(migrated, target)
    return f"sqlite:///{target}"


T = TypeVar("T")


def at_once(engines: list[T], action: Callable[[T], object]) -> list[object]:
    """Run `action` on each engine (or anything) in its own thread, released together; what
    each returned or raised."""
    results: list[object] = []
    barrier = threading.Barrier(len(engines))

    def run(engine: T) -> None:
        barrier.wait()
        try:
            results.append(action(engine))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
