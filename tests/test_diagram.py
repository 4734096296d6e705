"""A brand's flow as a picture: Mermaid and DOT text, and SVG drawn by Graphviz where it is
installed (required in CI's full run)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from recovery.flows import load_flows
from recovery.handbook import diagram
from recovery.handbook.diagram import dot, mermaid, svg

from .conftest import WORKFLOWS, workflows_with

FLOWS = load_flows(WORKFLOWS)


def _graphviz() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("RECOVERY_REQUIRE_GRAPHVIZ") == "1":
            pytest.fail("RECOVERY_REQUIRE_GRAPHVIZ=1 but Graphviz's dot is not installed")
        pytest.skip("Graphviz's dot is not installed (Debian package graphviz)")


def test_mermaid_shows_states_triggers_guards_and_timers() -> None:
    drawn = mermaid(FLOWS["bistro"])
    lines = drawn.splitlines()
    assert lines[:2] == ["stateDiagram-v2", "    [*] --> new"]
    assert '    state "new (initial)" as new' in lines
    assert '    state "waiting (resolution clock paused)" as waiting' in lines
    assert '    state "resolved (resolution clock stopped)" as resolved' in lines
    assert "    investigating --> private : move private [acknowledged publicly]" in lines
    assert '    state "remedy offered" as remedy_offered' in lines  # words, not snake_case
    assert "    resolved --> followed_up : ⏱ ask after 2d (working days)" in lines
    assert "    followed_up --> closed : ⏱ no answer  close after 1w" in lines
    assert "    closed --> [*]" in lines
    decl = FLOWS["bistro"].settings.flow
    arrows = sum(len(trigger.sources) for trigger in decl.triggers.values())
    assert sum(" --> " in line and "⏱" not in line and "[*]" not in line
               for line in lines) == arrows


def test_dot_marks_kinds_of_states_and_dashes_timers() -> None:
    drawn = dot(FLOWS["eshop"])
    assert drawn.startswith('digraph "eshop" {')
    assert '"closed" [label="closed\\n(terminal)", shape=doubleoctagon' in drawn
    assert 'style="rounded,dashed"' in drawn  # waiting: the resolution clock pauses
    assert ('"resolved" -> "followed_up" [label="ask after 2d (working days)", style=dashed'
            in drawn)


def test_names_from_a_flow_file_cannot_break_the_picture(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, odd='extends: default\nname: \'Bistro "Na" Rohu\\\\\'\n'
                            "timezone: Europe/Prague\nlanguages: [en]\nvoice: formal\n"
                            "hours:\n  mon-fri: ['09:00-17:00']\n"
                            "channels:\n  twitter: {first_response: 1h, resolution: 1d}\n")
    flow = load_flows(folder)["odd"]
    assert 'label="Bistro \\"Na\\" Rohu\\\\\\\\"' in dot(flow)


def test_svg_is_drawn_by_graphviz() -> None:
    _graphviz()
    drawn = svg(FLOWS["bikeshare"])
    assert drawn.lstrip().startswith("<?xml") and "<svg" in drawn
    for state in FLOWS["bikeshare"].settings.flow.states:
        assert f">{state.replace('_', ' ')}</text>" in drawn


def test_the_command_draws_and_says_when_graphviz_is_missing(  # type: ignore[no-untyped-def]
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = run("flow", "diagram", "bistro")
    assert shown.exit_code == 0 and shown.stdout.startswith("stateDiagram-v2")
    written = run("flow", "diagram", "eshop", "--format", "dot", "--out",
                  str(tmp_path / "eshop.dot"))
    assert written.exit_code == 0
    assert (tmp_path / "eshop.dot").read_text().startswith('digraph "eshop"')
    monkeypatch.setattr(diagram.shutil, "which", lambda _name: None)
    missing = run("flow", "diagram", "bistro", "--format", "svg")
    assert missing.exit_code == 3
    assert missing.stderr == ("error: Graphviz's `dot` is not installed (Debian: apt-get install "
                              "graphviz); use --format mermaid or dot\n")
