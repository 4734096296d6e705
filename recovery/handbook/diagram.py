"""A brand's flow as a picture: states (the initial one, terminal ones, those where the
resolution clock pauses or stops), triggers as arrows with their guards, and timers (the
flow's own and the follow-up's steps) as dashed arrows with their delay.

Mermaid text renders on the code forges; DOT renders to SVG with Graphviz's `dot`, where it is
installed (Debian `graphviz`). Pure text, except `svg`, which runs `dot`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from recovery.clock import format_duration
from recovery.errors import NotFound, RecoveryError
from recovery.flows import Flow
from recovery.followups import schedule

FORMATS = ("mermaid", "dot", "svg")


@dataclass(frozen=True)
class Arrow:
    """One arrow of the picture: a trigger (solid) or a timer (dashed)."""

    source: str
    dest: str
    label: str
    timer: bool = False


def words(name: str) -> str:
    """A state's, trigger's or guard's name as words: `move_private` reads "move private"."""
    return name.replace("_", " ")


def arrows(flow: Flow) -> Iterator[Arrow]:
    """The flow's triggers, its timers and its follow-up's steps, as arrows labelled in
    words."""
    decl = flow.settings.flow
    for name, trigger in decl.triggers.items():
        guards = f" [{', '.join(words(g) for g in trigger.guards)}]" if trigger.guards else ""
        for source in trigger.sources:
            yield Arrow(source, trigger.to or source, words(name) + guards)
    for name, timer in decl.timers.items():
        dest = decl.triggers[timer.fire].to or timer.state
        yield Arrow(timer.state, dest, f"{words(name)}: after {format_duration(timer.after)}",
                    True)
    follow = flow.settings.follow_up
    ask = decl.triggers.get(schedule.TRIGGER)
    if follow is not None and ask is not None and ask.to is not None:
        days = "working days" if follow.clock == "business" else "calendar"
        closed = decl.triggers["close"].to or ask.to
        for source in ask.sources:
            yield Arrow(source, ask.to, f"ask after {format_duration(follow.after)} ({days})",
                        True)
        if follow.reminder_after is not None:
            yield Arrow(ask.to, ask.to,
                        f"remind after {format_duration(follow.reminder_after)}", True)
        yield Arrow(ask.to, closed, f"no answer: close after "
                    f"{format_duration(follow.close_after)}", True)


def marks(flow: Flow, state: str) -> list[str]:
    """What sets a state apart: initial, terminal, the resolution clock paused or stopped
    there, a private conversation."""
    decl = flow.settings.flow.states[state]
    found = ["initial"] if state == flow.initial else []
    if decl.terminal:
        found.append("terminal")
    elif decl.resolution != "running":
        found.append(f"resolution clock {decl.resolution}")
    if decl.private:
        found.append("private")
    return found


def mermaid(flow: Flow) -> str:
    """The flow as a Mermaid state diagram (timers' arrows are labelled, Mermaid draws no
    dashed transitions)."""
    lines = ["stateDiagram-v2", f"    [*] --> {flow.initial}"]
    for state in flow.settings.flow.states:
        shown = marks(flow, state)
        if shown or words(state) != state:
            said = words(state) + (f" ({', '.join(shown)})" if shown else "")
            lines.append(f'    state "{said}" as {state}')
    for arrow in arrows(flow):
        label = ("⏱ " if arrow.timer else "") + arrow.label
        lines.append(f"    {arrow.source} --> {arrow.dest} : {_mermaid_text(label)}")
    for state, decl in flow.settings.flow.states.items():
        if decl.terminal:
            lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"


def happy_path(flow: Flow) -> list[str]:
    """The way a case goes when all goes well, which the picture draws straight down: from the
    initial state, by the triggers in the order the flow declares them (a flow file tells the
    journey in order), to a terminal state; states where the customer is waited on are
    detours."""
    decl = flow.settings.flow
    triggers = [(name, t) for name, t in decl.triggers.items() if t.to is not None]
    path, last = [flow.initial], -1
    while not decl.states[path[-1]].terminal:
        here = path[-1]
        moves = [(index, t.to) for index, (_name, t) in enumerate(triggers)
                 if here in t.sources and t.to not in path and t.to is not None
                 and decl.states[t.to].resolution != "paused"]
        if not moves:
            break
        index, dest = min(moves, key=lambda move: (move[0] <= last, move[0]))
        path.append(dest)
        last = index
    return path


def dot(flow: Flow) -> str:
    """The flow as a Graphviz DOT graph, top to bottom, the happy path straight down."""
    main = happy_path(flow)
    on_path = set(pairwise(main))
    lines = [f"digraph {_quoted(flow.brand)} {{", "    rankdir=TB; nodesep=0.3;",
             '    node [shape=box, style="rounded", fontname="Helvetica"];',
             '    edge [fontname="Helvetica", fontsize=10];',
             f"    label={_quoted(flow.name)}; labelloc=t;"]
    for state in flow.settings.flow.states:
        shown = marks(flow, state)
        style = ["rounded"]
        if "initial" in shown:
            style.append("bold")
        if flow.settings.flow.states[state].resolution == "paused":
            style.append("dashed")
        shape = "doubleoctagon" if "terminal" in shown else "box"
        label = words(state) + (f"\\n({', '.join(shown)})" if shown else "")
        group = ', group="main"' if state in main else ""
        lines.append(f"    {_quoted(state)} [label={_quoted(label, escaped=True)}, "
                     f"shape={shape}, style={_quoted(','.join(style))}{group}];")
    for arrow in arrows(flow):
        dashed = ', style=dashed, color="#666666", constraint=false' if arrow.timer else ""
        weight = ", weight=10" if (arrow.source, arrow.dest) in on_path and not arrow.timer \
            else ""
        lines.append(f"    {_quoted(arrow.source)} -> {_quoted(arrow.dest)} "
                     f"[label={_quoted(arrow.label)}{dashed}{weight}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg(flow: Flow) -> str:
    """The flow drawn as SVG by Graphviz's `dot`; `NotFound` where Graphviz is missing."""
    program = shutil.which("dot")
    if program is None:
        raise NotFound("Graphviz's `dot` is not installed (Debian: apt-get install graphviz); "
                       "use --format mermaid or dot")
    done = subprocess.run([program, "-Tsvg"], input=dot(flow), capture_output=True, text=True,
                          timeout=30, check=False)
    if done.returncode != 0:
        raise RecoveryError(f"dot could not draw {flow.brand}'s flow: "
                            f"{done.stderr.strip().splitlines()[:1]}")
    return done.stdout


def draw(flow: Flow, kind: str) -> str:
    """The flow in one of `FORMATS`."""
    return {"mermaid": mermaid, "dot": dot, "svg": svg}[kind](flow)


def _quoted(text: str, escaped: bool = False) -> str:
    """A DOT string: quotes and backslashes escaped (a `\\n` kept where `escaped` says so)."""
    if not escaped:
        text = text.replace("\\", "\\\\")
    return '"' + text.replace('"', '\\"') + '"'


def _mermaid_text(text: str) -> str:
    """A label Mermaid reads as text: no characters that end or nest a statement."""
    return "".join(char if char not in ";:#{}\n" else " " for char in text)
