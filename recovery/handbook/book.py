"""The living policy handbook: each brand's policy as its flow file declares it, beside the
scenarios that prove it and how they ran. Written as one self-contained HTML page (styles and
pictures inline, nothing fetched) and a Markdown copy for a code forge.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from recovery.clock import format_duration
from recovery.errors import NotFound
from recovery.flows import Flow
from recovery.handbook.diagram import marks, mermaid, svg
from recovery.handbook.results import MARKS, Outcome


@dataclass
class Section:
    """One part of the handbook: a title, tables and lines, and a picture."""

    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    picture: str | None = None
    """The flow drawn as SVG (by Graphviz), for the HTML page."""
    diagram: str = ""
    """The flow as Mermaid text, for the Markdown copy (and the HTML page without Graphviz)."""
    brand: str | None = None
    """The brand a policy section is about: its states, triggers and channels get anchors."""
    brands: list[str | None] = field(default_factory=list)
    """For a feature's lines, the brand each was run for (a step links to that brand's rules)."""


def brand_section(flow: Flow, today: date, rules: list[list[str]]) -> Section:
    """A brand's policy: its flow, hours, SLA targets, remedies, follow-up, voice and rules."""
    settings = flow.settings
    section = Section(f"{settings.name} ({flow.brand})", brand=flow.brand)
    section.lines.append(f"Time zone {settings.timezone} · languages "
                         f"{', '.join(settings.languages)} · voice {settings.voice}"
                         + (f" · direct line {settings.direct_line}" if settings.direct_line
                            else ""))
    section.diagram = mermaid(flow)  # the Markdown copy's picture; the HTML draws SVG
    try:
        section.picture = svg(flow)
    except (NotFound, OSError):
        section.picture = None  # no Graphviz here: the HTML shows the Mermaid text
    decl = settings.flow
    section.tables.append(("States", ["state", "", "description"], [
        [name, ", ".join(marks(flow, name)), state.description]
        for name, state in decl.states.items()]))
    people = ", ".join(f"{name} ({role})" for name, role in settings.people.items())
    section.tables.append(("Triggers", ["trigger", "moves", "guards", "records", "description"], [
        [name, f"{', '.join(t.sources)} → {t.to or '(stays)'}", ", ".join(t.guards),
         t.records or "", t.description] for name, t in decl.triggers.items()]))
    if people:
        section.lines.append(f"Who acts: {people}; a lead approves remedies over the agent's "
                             "limit.")
    section.tables.append(("Hours (the care team's week)", ["days", "open"], [
        [days, ", ".join(spans)] for days, spans in settings.hours.items()]))
    off = flow.calendar.holidays(today, today + timedelta(days=60))
    if off:
        section.lines.append("Days off in the next 60 days: " + ", ".join(
            f"{day.isoformat()} ({name})" for day, name in off))
    section.tables.append(("SLA targets", ["channel", "first response", "resolution", "clock",
                                           "warns at"], [
        [name, format_duration(policy.first_response), format_duration(policy.resolution),
         policy.clock, f"{policy.warn_at:.0%}"] for name, policy in settings.channels.items()]))
    escalations = [[clock, point, escalation.priority or "", ", ".join(escalation.notify)]
                   for clock, points in settings.escalations.items()
                   for point, escalation in points.items()]
    if escalations:
        section.tables.append(("Escalations", ["clock", "at", "priority", "notify"],
                               escalations))
    if settings.remedies:
        section.tables.append(("Remedies", ["kind", "agent's limit", "lead's limit",
                                            "per customer", "code, valid"], [
            [kind, f"{limit.agent_max} {limit.unit}",
             f"{limit.lead_max} {limit.unit}" if limit.lead_max else "",
             f"{limit.per_customer.count} in {limit.per_customer.days} days"
             if limit.per_customer else "",
             " ".join(filter(None, [limit.code or "", f"{format_duration(limit.valid)}"
                                    if limit.valid else ""]))]
            for kind, limit in settings.remedies.items()]))
        section.lines.append(f"Goodwill beyond duty: {settings.goodwill.per_case} a case, "
                             f"{settings.goodwill.per_month} a month.")
    follow = settings.follow_up
    if follow is not None:
        section.lines.append(
            f"Follow-up: asks how it went (1-5) {format_duration(follow.after)} after resolving "
            f"({'working days' if follow.clock == 'business' else 'calendar time'})"
            + (f", reminds once after {format_duration(follow.reminder_after)}"
               if follow.reminder_after else "")
            + f", closes quietly after {format_duration(follow.close_after)}; a score of "
            f"{follow.low_score} or less reopens; skipped when "
            f"{', '.join(follow.skip_when) or 'never'}; asks {follow.sample:.0%} of cases.")
    section.tables.append(("Templates", ["language", "templates"], [
        [language, ", ".join(_templates(flow, language))] for language in settings.languages]))
    section.tables.append(("Reply rules the linter enforces", ["code", "severity", "when"],
                           rules))
    return section


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


def counts(outcomes: list[Outcome]) -> list[list[str]]:
    """Passed, failed and skipped scenarios per brand (a row each) and in all."""
    per: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        per.setdefault(outcome.brand or "(no brand)", Counter())[outcome.result] += 1
    total: Counter[str] = sum(per.values(), Counter())
    return [[name, str(c["passed"]), str(c["failed"]), str(c["skipped"])]
            for name, c in [*sorted(per.items()), ("all", total)]]


def rules_table(doc: str | None) -> list[list[str]]:
    """The linter's rules from its documentation table (`| code | severity | when |`)."""
    rows = [line.strip().strip("|").split("|") for line in (doc or "").splitlines()
            if line.strip().startswith("|") and "---" not in line]
    return [[cell.strip() for cell in row] for row in rows[1:]]


def markdown(title: str, summary: list[list[str]], sections: list[Section]) -> str:
    """The handbook as Markdown (Mermaid pictures render on the code forges)."""
    out = [f"# {title}", "", _md_table(["brand", "passed", "failed", "skipped"], summary)]
    for section in sections:
        out += ["", f"## {section.title}", ""]
        out += [line if not line.startswith("    ") else f"`{line.strip()}`  "
                for line in section.lines]
        if section.diagram:
            out += ["", "```mermaid", section.diagram.rstrip(), "```"]
        for name, columns, rows in section.tables:
            out += ["", f"**{name}**", "", _md_table(columns, rows)]
    return "\n".join(out) + "\n"


def page(title: str, summary: list[list[str]], sections: list[Section]) -> str:
    """The handbook as one self-contained HTML page: styles and pictures inline."""
    body = [f"<h1>{_e(title)}</h1>",
            _html_table(["brand", "passed", "failed", "skipped"], summary)]
    rules = {section.brand: {row[0] for _name, _columns, rows in section.tables[:LINKED]
                             for row in rows} for section in sections if section.brand}
    for section in sections:
        anchor = f' id="{_e(section.brand)}"' if section.brand else ""
        body.append(f"<section{anchor}><h2>{_e(section.title)}</h2>")
        for index, line in enumerate(section.lines):
            css = {"✓": "pass", "✗": "fail", "-": "skip"}.get(line[:1], "")
            brand = section.brands[index] if index < len(section.brands) else None
            if line.startswith("    "):
                linked = _linked(line.strip(), brand, rules.get(brand or "", set()))
                body.append(f'<div class="step">{linked}</div>')
            else:
                body.append(f'<p class="{css}">{_e(line)}</p>')
        if section.picture:
            body.append(f'<figure>{_svg_only(section.picture)}</figure>')
        elif section.diagram:
            body.append(f"<pre>{_e(section.diagram)}</pre>")
        for position, (name, columns, rows) in enumerate(section.tables):
            ids = section.brand if section.brand and position < LINKED else None
            body.append(f"<h3>{_e(name)}</h3>{_html_table(columns, rows, ids)}")
        body.append("</section>")
    style = ("body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;"
             "padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0}"
             "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;"
             "vertical-align:top}.pass{color:#17692b}.fail{color:#b00020;font-weight:bold}"
             ".skip{color:#8a6d00}.step{font-family:monospace;margin-left:2rem}"
             "figure{overflow-x:auto}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{style}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def write(folder: Path, title: str, summary: list[list[str]],
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


LINKED = 2
"""The first tables of a brand's section (states, triggers) whose rows a scenario's step
links to when it names one in quotes: `When "eva" fires "resolve"`."""


def _linked(step: str, brand: str | None, names: set[str]) -> str:
    """A step, escaped, with each quoted name of the brand's states or triggers a link."""
    parts = []
    for piece in re.split(r'("[^"]*")', step):
        name = piece[1:-1] if len(piece) > 1 and piece[0] == piece[-1] == '"' else None
        if brand and name in names:
            parts.append(f'<a href="#{_e(brand)}-{_e(name)}">{_e(piece)}</a>')
        else:
            parts.append(_e(piece))
    return "".join(parts)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


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


def _html_table(columns: list[str], rows: list[list[str]], ids: str | None = None) -> str:
    head = "".join(f"<th>{_e(column)}</th>" for column in columns)
    body = "".join((f'<tr id="{_e(ids)}-{_e(str(row[0]))}">' if ids else "<tr>")
                   + "".join(f"<td>{_e(str(item))}</td>" for item in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
