"""The embedding examples, run as their hosts run them: the django-helpdesk site's own test
suite (`examples/django_helpdesk`, `manage.py test social`) on SQLite and PostgreSQL, and the
FastAPI service (`examples/fastapi_service.py`). Skipped with the reason where their packages
are not installed (`RECOVERY_REQUIRE_EXAMPLES=1`, as in CI's full run, makes that a failure)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def _needs(*modules: str) -> None:
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed (pip install django-helpdesk fastapi)"
    if os.environ.get("RECOVERY_REQUIRE_EXAMPLES"):
        pytest.fail(f"the examples are required (RECOVERY_REQUIRE_EXAMPLES) but {reason}")
    pytest.skip(reason)


def test_the_django_helpdesk_example_passes_its_own_tests(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _needs("django", "helpdesk")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if db_url.startswith("sqlite"):
        env["CARE_DB"] = str(tmp_path / "care.sqlite3")
    else:
        env["CARE_DATABASE_URL"] = db_url.replace("postgresql+psycopg://", "postgresql://")
    ran = subprocess.run([sys.executable, "manage.py", "test", "social", "--noinput"],
                         cwd=EXAMPLES / "django_helpdesk", env=env, capture_output=True,
                         text=True, check=False, timeout=600)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Ran 4 tests" in ran.stderr and "OK" in ran.stderr


def test_the_fastapi_example_keeps_a_ticket_and_its_case_together(db_url: str,
                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _needs("fastapi", "httpx")
    import importlib

    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine, text

    monkeypatch.setenv("CARE_DATABASE_URL", db_url)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    service = importlib.import_module("fastapi_service")
    service = importlib.reload(service)  # over this test's database
    try:
        with TestClient(service.app) as client:
            made = client.post("/complaints", json={
                "brand": "bistro", "channel": "twitter", "author": "@jana",
                "text": "Cold soup again", "post": "tw-1"})
            assert made.status_code == 201, made.text
            ticket = made.json()["ticket"]
            assert client.get(f"/tickets/{ticket}/actions").json() == ["acknowledge"]
            moved = client.post(f"/tickets/{ticket}/actions/acknowledge", params={"by": "eva"})
            assert moved.json() == {"state": "acknowledged"}
            refused = client.post(f"/tickets/{ticket}/actions/resolve", params={"by": "eva"})
            assert refused.status_code == 409
            reused = client.post("/complaints", json={
                "brand": "bistro", "channel": "twitter", "author": "@ola",
                "text": "Another complaint", "post": "tw-1"})
            assert reused.status_code == 422 and "is case 1's" in reused.text
        host = create_engine(db_url)
        with host.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM tickets")).scalar() == 1
        host.dispose()
    finally:
        host = create_engine(db_url)
        with host.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS tickets"))
        host.dispose()
