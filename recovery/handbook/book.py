"""The living policy handbook: each brand's policy as its flow file declares it, beside the
scenarios that prove it and how they ran. Written as one self-contained HTML page (styles and
pictures inline, nothing fetched) and a Markdown copy for a code forge.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from recovery.errors import NotFound
from recovery.flows import Flow
from recovery.flows.durations import day_hours, targets, wait
from recovery.flows.priority import REACH
from recovery.followups import schedule
from recovery.formats import span, stamp
from recovery.handbook.diagram import marks, mermaid, svg
from recovery.handbook.drawing import picture
from recovery.handbook.results import MARKS, Outcome
from recovery.page import ZOOM, document, e, table


@dataclass
class Section:
    """One part of the handbook: a title, tables and lines, and a picture."""

    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    picture: str | None = None
    """The flow drawn as SVG (by Graphviz, or by `drawing` without it), for the HTML page."""
    diagram: str = ""
    """The flow as Mermaid text, for the Markdown copy."""
    brand: str | None = None
    """The brand a policy section is about: its states, triggers and channels get anchors."""
    brands: list[str | None] = field(default_factory=list)
    """For a feature's lines, the brand each was run for (a step links to that brand's rules)."""


def brand_section(flow: Flow, today: date, rules: list[list[str]],
                  incidents: Sequence[Mapping[str, Any]] = ()) -> Section:
    """A brand's policy: its flow, hours, SLA targets, remedies, follow-up, voice and rules;
    and how its recent `incidents` were announced (the report's transparency figures)."""
    settings = flow.settings
    section = Section(f"{settings.name} ({flow.brand})", brand=flow.brand)
    section.lines.append(f"Time zone {settings.timezone} · languages "
                         f"{', '.join(settings.languages)} · voice {settings.voice}"
                         + (f" · direct line {settings.direct_line}" if settings.direct_line
                            else ""))
    section.diagram = mermaid(flow)  # the Markdown copy's picture; the HTML draws SVG
    try:
        section.picture = _svg_only(svg(flow))
    except (NotFound, OSError):
        section.picture = picture(flow)  # no Graphviz here: our own simple layout
    decl = settings.flow
    section.tables.append(("States", ["state", "", "description"], [
        [name, ", ".join(marks(flow, name)), state.description]
        for name, state in decl.states.items()]))
    people = ", ".join(f"{name} ({role})" for name, role in settings.people.items())
    section.tables.append(("Triggers", ["trigger", "moves", "guards", "records", "who fires it",
                                         "description"], [
        [name, f"{', '.join(t.sources)} → {t.to or '(stays)'}", ", ".join(t.guards),
         t.records or "", who(flow, name), t.description]
        for name, t in decl.triggers.items()]))
    if people:
        section.lines.append(f"Who acts: {people}; a lead approves remedies over the agent's "
                             "limit.")
    section.tables.append(("Hours (the care team's week)", ["days", "open"], [
        [days, ", ".join(spans)] for days, spans in settings.hours.items()]))
    off = flow.calendar.holidays(today, today + timedelta(days=60))
    if off:
        section.lines.append("Days off in the next 60 days: " + ", ".join(
            f"{day.isoformat()} ({name})" for day, name in off))
    day = day_hours(flow.calendar.week)
    section.tables.append(("SLA targets", ["channel", "first response", "resolution",
                                           "warns at"], [
        [name, targets(policy.first_response, policy.clock == "business", day),
         targets(policy.resolution, policy.clock == "business", day),
         f"{policy.warn_at:.0%} of the target"] for name, policy in settings.channels.items()]))
    escalations = [[clock, point, escalation.priority or "", ", ".join(escalation.notify)]
                   for clock, points in settings.escalations.items()
                   for point, escalation in points.items()]
    if escalations:
        section.tables.append(("Escalations", ["clock", "at", "priority", "notify"],
                               escalations))
    house = settings.moderation
    if house.hides:
        where = f" (published at {house.house_rules})" if house.house_rules else ""
        section.tables.append((f"House rules: what may be hidden{where}; never a complaint",
                               ["rule", "covers"], [[name, covers] for name, covers
                                                    in house.hides.items()]))
    if incidents:
        section.tables.append(("Incidents of the last 90 days: announced before the "
                               "complaints?", ["incident", "status", "announced",
                                               "announced before"], [
            [f"{item['id']}: {item['title']}", item["status"],
             stamp(datetime.fromisoformat(str(item["announced_at"])), settings.timezone)
             if item["announced_at"] else "never",
             f"{item['announced_before']} of {item['complaints']} complaints"]
            for item in incidents]))
    if settings.priority:
        section.tables.append(("Priority by reach (any one met)", ["priority", "at least",
                                                                  "mood", "notify"], [
            [name, ", ".join(f"{getattr(rule, what):,} {what}" for what in REACH
                             if getattr(rule, what) is not None),
             ", ".join(rule.mood), ", ".join(rule.notify)]
            for name in ("urgent", "high") if (rule := settings.priority.get(name))]))
    if settings.remedies:
        section.tables.append(("Remedies", ["kind", "agent's limit", "lead's limit",
                                            "per customer", "code, valid"], [
            [kind, flow.amount(limit.agent_max, limit.unit, kind),
             flow.amount(limit.lead_max, limit.unit, kind) if limit.lead_max else "",
             f"{limit.per_customer.count} in {limit.per_customer.days} days"
             if limit.per_customer else "",
             " ".join(filter(None, [limit.code or "", f"valid {span(limit.valid)}"
                                    if limit.valid else ""]))]
            for kind, limit in settings.remedies.items()]))
        section.lines.append(f"Goodwill beyond duty: {settings.goodwill.per_case} a case, "
                             f"{settings.goodwill.per_month} a month.")
    follow = settings.follow_up
    if follow is not None:
        business = follow.clock == "business"
        section.lines.append(
            f"Follow-up: asks how it went (1-5) {wait(follow.after, business)} after resolving"
            + (f", reminds once after {wait(follow.reminder_after, business)}"
               if follow.reminder_after else "")
            + f", closes quietly after {wait(follow.close_after, business)}; a score of "
            f"{follow.low_score} or less reopens; skipped when "
            f"{', '.join(follow.skip_when) or 'never'}; asks {follow.sample:.0%} of cases.")
    section.tables.append(("Templates", ["language", "templates"], [
        [language, ", ".join(_templates(flow, language))] for language in settings.languages]))
    section.tables.append(("Reply rules the linter enforces", ["code", "severity", "when"],
                           rules))
    return section


def who(flow: Flow, trigger: str) -> str:
    """Who may fire a trigger: the engine alone asks the follow-up; a remedy goes through an
    offer (a lead approves one over the agent's limit); a timer's trigger is also fired by the
    engine when it is due; any agent fires the rest."""
    if trigger == schedule.TRIGGER and flow.settings.follow_up is not None:
        return "the engine, on schedule"
    if trigger == flow.recorder.get("remedy"):
        return "an agent, by offering a remedy (a lead over the agent's limit)"
    timers = [f"after {span(timer.after)} in {timer.state}"
              for timer in flow.settings.flow.timers.values() if timer.fire == trigger]
    return "any agent" + (f"; the engine {', '.join(timers)}" if timers else "")


def feature_sections(outcomes: list[Outcome]) -> list[Section]:
    """Each feature: its description and every scenario as written, with how it ran."""
    sections: dict[str, Section] = {}
    for outcome in outcomes:
        section = sections.get(outcome.file)
        if section is None:
            section = sections[outcome.file] = Section(f"{outcome.feature} ({outcome.file})")
            if outcome.description:
                section.lines.append(outcome.description)
        mark = MARKS[outcome.result][0]
        brand = f" [{outcome.brand}]" if outcome.brand else ""
        lines = [f"{mark} {outcome.scenario}{brand} (line {outcome.line})",
                 *(f"    {step}" for step in outcome.steps),
                 *(f"    → {said}" for said in outcome.said)]
        section.lines += lines
        section.brands += [outcome.brand] * len(lines)
    return list(sections.values())


def steps_section(steps: Sequence[Any], examples: Mapping[str, str]) -> Section:
    """The step library a policy owner writes scenarios with: each step, what it does, and an
    example from the specs."""
    return Section("The step library", [
        "A scenario says these steps after Given, When, Then, And or But; `recovery spec "
        "--steps` lists them too."], [("Steps", ["step", "does", "e.g."], [
            [f"{step.keyword} {step.reads}", step.does, examples.get(step.reads, "")]
            for step in steps])])


Summary = list[tuple[str, list[list[str]]]]
"""The counts at the top: (what a row counts, its rows)."""


OTHER = "flows written in the scenarios"
"""Where the summary counts scenarios run on no brand of the workflows folder: those that write
a flow of their own (a test fixture's brand is not a brand of the handbook)."""


def counts(outcomes: list[Outcome], brands: Sequence[str]) -> Summary:
    """Passed, failed and skipped scenarios per brand of the workflows folder (`brands`) and
    in all, then per feature file."""
    return [("brand", _counted(outcomes, lambda outcome: outcome.brand if outcome.brand
                               and outcome.brand in brands else OTHER, total="all")),
            ("feature", _counted(outcomes, lambda outcome: outcome.file))]


def _counted(outcomes: list[Outcome], key: Callable[[Outcome], str],
             total: str | None = None) -> list[list[str]]:
    per: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        per.setdefault(key(outcome), Counter())[outcome.result] += 1
    rows = sorted(per.items())
    if total is not None:
        rows.append((total, sum(per.values(), Counter())))
    return [[name, str(c["passed"]), str(c["failed"]), str(c["skipped"])] for name, c in rows]


def rules_table(doc: str | None) -> list[list[str]]:
    """The linter's rules from its documentation table (`| code | severity | when |`)."""
    rows = [line.strip().strip("|").split("|") for line in (doc or "").splitlines()
            if line.strip().startswith("|") and "---" not in line]
    return [[cell.strip() for cell in row] for row in rows[1:]]


def markdown(title: str, summary: Summary, sections: list[Section]) -> str:
    """The handbook as Markdown (Mermaid pictures render on the code forges)."""
    out = [f"# {title}"]
    for kind, rows in summary:
        out += ["", _md_table([kind, "passed", "failed", "skipped"], rows)]
    for section in sections:
        out += ["", f"## {section.title}", ""]
        out += [line if not line.startswith("    ") else f"`{line.strip()}`  "
                for line in section.lines]
        if section.diagram:
            out += ["", "```mermaid", section.diagram.rstrip(), "```"]
        for name, columns, rows in section.tables:
            out += ["", f"**{name}**", "", _md_table(columns, rows)]
    return "\n".join(out) + "\n"


def page(title: str, summary: Summary, sections: list[Section]) -> str:
    """The handbook as one self-contained HTML page: styles and pictures inline."""
    body = [f"<h1>{e(title)}</h1>"]
    body += [table([kind, "passed", "failed", "skipped"], rows) for kind, rows in summary]
    anchors = {section.brand: _anchors(section) for section in sections if section.brand}
    for section in sections:
        anchor = f' id="{e(section.brand)}"' if section.brand else ""
        body.append(f"<section{anchor}><h2>{e(section.title)}</h2>")
        for index, line in enumerate(section.lines):
            css = {"✓": "pass", "✗": "fail", "-": "skip"}.get(line[:1], "")
            brand = section.brands[index] if index < len(section.brands) else None
            if line.startswith("    "):
                linked = _linked(line.strip(), anchors.get(brand or "", {}))
                body.append(f'<div class="step">{linked}</div>')
            else:
                body.append(f'<p class="{css}">{e(line)}</p>')
        if section.picture:
            body.append(f'<figure class="flow" onclick="{e(ZOOM)}" title="click to zoom">'
                        f"{section.picture}</figure>")
        for name, columns, rows in section.tables:
            kind = ANCHORED.get(name) if section.brand else None
            ids = [f"{section.brand}-{kind}-{row[0]}" if kind else None for row in rows]
            body.append(f"<h3>{e(name)}</h3>{table(columns, rows, ids)}")
        body.append("</section>")
    return document(title, body)


def write(folder: Path, title: str, summary: Summary,
          sections: list[Section]) -> tuple[Path, Path]:
    """Write `index.html` and `handbook.md` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    html_file, md_file = folder / "index.html", folder / "handbook.md"
    html_file.write_text(page(title, summary, sections), encoding="utf-8")
    md_file.write_text(markdown(title, summary, sections), encoding="utf-8")
    return html_file, md_file


def _templates(flow: Flow, language: str) -> list[str]:
    names: set[str] = set()
    for folder in flow.folders:
        for place in (folder / "templates" / flow.settings.voice / language,
                      folder / "templates" / language):
            names |= {path.name.split(".")[0] for path in place.glob("*.j2")}
    return sorted(names)


ANCHORED = {"States": "state", "Triggers": "trigger", "SLA targets": "channel"}
"""The tables of a brand's section whose rows a scenario's step links to, and the kind of rule
each row is. A step names a state or trigger in quotes (`When "eva" fires "resolve"`) and a
channel after "on" (`a complaint on facebook`)."""

_CHANNEL = re.compile(r"(?<=\bon )([\w-]+)")


def _anchors(section: Section) -> dict[str, tuple[str, str]]:
    """Each state, trigger and channel of a brand's section: its kind and its row's anchor (a
    name that is both a state and a channel links to the state)."""
    found: dict[str, tuple[str, str]] = {}
    for name, _columns, rows in section.tables:
        kind = ANCHORED.get(name)
        for row in rows if kind else []:
            found.setdefault(str(row[0]), (kind or "", f"{section.brand}-{kind}-{row[0]}"))
    return found


def _linked(step: str, anchors: dict[str, tuple[str, str]]) -> str:
    """A step, escaped, with each name of the brand's rules in it a link to its row."""
    parts = []
    for piece in re.split(r'("[^"]*")', step):
        name = piece[1:-1] if len(piece) > 1 and piece[0] == piece[-1] == '"' else None
        if name is not None:
            parts.append(_link(piece, anchors.get(name)))
            continue
        for index, word in enumerate(_CHANNEL.split(piece)):
            found = anchors.get(word) if index % 2 else None
            parts.append(_link(word, found if found and found[0] == "channel" else None))
    return "".join(parts)


def _link(text: str, anchor: tuple[str, str] | None) -> str:
    return f'<a href="#{e(anchor[1])}">{e(text)}</a>' if anchor else e(text)


def _svg_only(drawn: str) -> str:
    """The `<svg>` element of Graphviz's output (no XML prolog or doctype inside HTML)."""
    start = drawn.find("<svg")
    return drawn[start:] if start >= 0 else ""


def _md_table(columns: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(str(item)) for item in row) + " |" for row in rows]
    return "\n".join(lines)

