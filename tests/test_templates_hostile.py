"""Templates that try to hang a reply or publish what is not theirs get one line, fast."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from recovery import Engine, FlowError

from .conftest import WORKFLOWS, Clock

HOSTILE = {
    "loops": "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x"
             "{% endfor %}{% endfor %}{% endfor %}",
    "big_range": "{% for a in range(10**9) %}x{% endfor %}",
    "repeat": "{{ 'x' * 10**9 }}",
    "power": "{{ 2 ** 100000000 }}",
    "macro": "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "include": "{% include '../../eshop/flow.yaml' %}",
    "include_other": "{% include 'eshop/flow.yaml' %}",
    "escape": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
}


@pytest.fixture
def hostile(tmp_path: Path, clock: Clock) -> Engine:
    folder = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, folder)
    for name, text in HOSTILE.items():
        (folder / "bistro" / "templates" / "en").mkdir(parents=True, exist_ok=True)
        (folder / "bistro" / "templates" / "en" / f"{name}.j2").write_text(text)
    return Engine(f"sqlite:///{tmp_path / 'h.db'}", workflows=folder, clock=clock)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_template_gets_one_line_fast(hostile: Engine, name: str) -> None:
    case_id = hostile.open_case("bistro", channel="instagram", author="@jana",
                                text="Cold soup again").id
    started = time.monotonic()
    with pytest.raises(FlowError) as refused:
        hostile.draft(case_id, template=name, by="eva")
    assert time.monotonic() - started < 5
    assert len(str(refused.value).splitlines()) == 1
    assert f"template {name}" in str(refused.value)
    assert "lead: " not in str(refused.value)  # nothing of eshop's flow file was published
