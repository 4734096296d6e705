"""Fuzzing the public library, flow files, templates and the command line with hypothesis:
bad data only ever raises a `RecoveryError` (the library), becomes problems (flow files), or
ends in one line (the command line)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from recovery import Engine, RecoveryError, validate_flows
from recovery.cli import app

from .conftest import WORKFLOWS

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
texts = st.text(max_size=300)
numbers = st.integers(min_value=-(2**70), max_value=2**70)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("fuzz")
    engine = Engine(f"sqlite:///{folder / 'f.db'}", workflows=WORKFLOWS)
    engine.open_case("bistro", channel="instagram", author="@jana", text="Cold soup")
    return engine


def _only_recovery_errors(call: object, *args: object, **kwargs: object) -> None:
    with contextlib.suppress(RecoveryError):  # anything else fails the test
        call(*args, **kwargs)  # type: ignore[operator]


@SETTINGS
@given(st.sampled_from(["bistro", "eshop", "default", "nobody", ""]), texts, texts, texts,
       st.none() | texts)
def test_opening_a_case_raises_only_recovery_errors(fuzzed: Engine, brand: str, channel: str,
                                                    author: str, text: str,
                                                    name: str | None) -> None:
    _only_recovery_errors(fuzzed.open_case, brand, channel=channel or "instagram", author=author,
                          text=text, name=name)


@SETTINGS
@given(numbers, texts, texts, st.none() | texts)
def test_firing_raises_only_recovery_errors(fuzzed: Engine, case_id: int, trigger: str,
                                            by: str, note: str | None) -> None:
    _only_recovery_errors(fuzzed.fire, case_id, trigger, by=by, note=note)


@SETTINGS
@given(numbers, st.one_of(texts, st.floats(allow_nan=True), st.decimals(allow_nan=True),
                          numbers), texts)
def test_offering_raises_only_recovery_errors(fuzzed: Engine, case_id: int,
                                              value: str | float | Decimal | int,
                                              kind: str) -> None:
    _only_recovery_errors(fuzzed.offer_remedy, case_id, kind or "coupon", value,  # type: ignore[arg-type]
                          by="eva")


@SETTINGS
@given(numbers, numbers, st.none() | texts,
       st.timedeltas(min_value=timedelta(days=-10**6), max_value=timedelta(days=10**6)))
def test_reading_and_answering_raise_only_recovery_errors(fuzzed: Engine, case_id: int,
                                                          score: int, text: str | None,
                                                          within: timedelta) -> None:
    for call, args, kwargs in [(fuzzed.case, (case_id,), {}), (fuzzed.history, (case_id,), {}),
                               (fuzzed.timers, (case_id,), {}), (fuzzed.remedy, (case_id,), {}),
                               (fuzzed.record_answer, (case_id, score), {"text": text}),
                               (fuzzed.cases, (), {"due_within": within}),
                               (fuzzed.redact, (case_id, score), {"by": "eva",
                                                                  "reason": text or "x"})]:
        _only_recovery_errors(call, *args, **kwargs)


anything = st.one_of(st.none(), st.booleans(), numbers, st.floats(), texts,
                     st.binary(max_size=40), st.lists(numbers, max_size=3),
                     st.dictionaries(texts, numbers, max_size=3), st.datetimes(),
                     st.timedeltas())


@SETTINGS
@given(anything)
def test_a_value_of_any_type_in_a_read_a_time_ids_or_lines_raises_only_recovery_errors(
        fuzzed: Engine, value: object) -> None:
    for call, args, kwargs in [(fuzzed.tick, (value,), {}), (fuzzed.outbox.deliver, (value,), {}),
                               (fuzzed.outbox.retry, (value,), {}),
                               (fuzzed.outbox.stats, (value,), {}),
                               (fuzzed.cases, (), {"due_within": value}),
                               (fuzzed.fire, (1, "investigate"), {"by": "eva", "at": value}),
                               (fuzzed.events, (), {"after": value}),
                               (fuzzed.import_cases, (value,), {}),
                               (fuzzed.cases, (), {"limit": value}),
                               (fuzzed.cases, (), {"offset": value, "state": value}),
                               (fuzzed.notices, (), {"limit": value}),
                               (fuzzed.remedies, (), {"case_id": value, "status": value}),
                               (fuzzed.remedies, (), {"limit": value}),
                               (fuzzed.pending_timers, (), {"limit": value}),
                               (fuzzed.audit, (), {"case_id": value}),
                               (fuzzed.case_for, (value, value), {}),
                               (fuzzed.outbox.deliveries, (), {"ids": value}),
                               (fuzzed.incidents.links, (value,), {})]:
        _only_recovery_errors(call, *args, **kwargs)

@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_any_flow_file_text_becomes_problems(text: str) -> None:
    folder = Path(tempfile.mkdtemp())
    shutil.copytree(WORKFLOWS / "default", folder / "default")
    (folder / "x").mkdir()
    (folder / "x" / "flow.yaml").write_text("extends: default\nname: X\n" + text,
                                           encoding="utf-8", errors="surrogatepass")
    validate_flows(folder)  # returns flows and problems; raises nothing
    shutil.rmtree(folder)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200))
def test_any_template_renders_or_is_one_problem(source: str) -> None:
    folder = Path(tempfile.mkdtemp())
    shutil.copytree(WORKFLOWS, folder / "w")
    (folder / "w" / "bistro" / "templates" / "en").mkdir(parents=True, exist_ok=True)
    (folder / "w" / "bistro" / "templates" / "en" / "fuzz.j2").write_text(
        source, encoding="utf-8", errors="surrogatepass")
    try:
        flows, _problems = validate_flows(folder / "w")
        if "bistro" in flows:
            flows["bistro"].render("fuzz", "instagram", ["en"])
    except RecoveryError as error:
        assert len(str(error).splitlines()) == 1, str(error)
    finally:
        shutil.rmtree(folder)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=6))
def test_any_command_line_ends_in_one_line(words: list[str]) -> None:
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as empty:
        os.chdir(empty)  # no ./features: `spec -x` says so rather than run the whole handbook
        try:
            result = CliRunner().invoke(app, ["--db", "sqlite:///:memory:", "--workflows",
                                              str(WORKFLOWS), *words], prog_name="recovery")
        finally:
            os.chdir(here)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        words, repr(result.exception))
