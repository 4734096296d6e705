"""`recovery incident …`: announce a problem before customers find it, post updates, resolve it,
link the complaints it caused; list and show incidents."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from recovery import limits
from recovery.cli.common import BrandFilter, By, Group, Json, settings, zones
from recovery.cli.layout import emit_json, indented, out, say, table
from recovery.clock import parse_duration
from recovery.errors import InvalidInput
from recovery.formats import stamp

if TYPE_CHECKING:
    from recovery.store.records import IncidentPost

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Announce, update and resolve incidents; link the complaints they cause.")

IncidentId = Annotated[int, typer.Argument(help="The incident id.", min=1, max=limits.MAX_ID)]
Override = Annotated[str | None, typer.Option(help="Post despite blocking findings, saying "
                                                   "why (recorded).")]
NextUpdate = Annotated[str | None, typer.Option(help="When the next update comes, from now "
                                                     "(30m, 2h): the template says it.")]
Text = Annotated[list[str] | None, typer.Option(
    help="The post as written, instead of a template: LANG=TEXT for each language the brand "
         "serves (repeat), or just TEXT where it serves one.")]


def _worded(given: list[str] | None, option: str) -> dict[str, str] | str | None:
    """`LANG=TEXT` values as one text per language; a single text without a language as is."""
    if not given:
        return None
    if len(given) == 1 and not _LANGUAGE.match(given[0]):
        return given[0]
    worded: dict[str, str] = {}
    for item in given:
        found = _LANGUAGE.match(item)
        if not found:
            raise InvalidInput(f"--{option}: write each as LANG=TEXT (en=…), not {item[:40]!r}")
        if found[1] in worded:
            raise InvalidInput(f"--{option}: {found[1]} given twice")
        worded[found[1]] = found[2]
    return worded


_LANGUAGE = re.compile(r"([a-z]{2,3})=(.*)\Z", re.DOTALL)


@app.command("open")
def open_(ctx: typer.Context,
          brand: Annotated[str, typer.Argument(help="The brand the problem is at.")],
          title: Annotated[str, typer.Option(help="What happened, in a few words, for the "
                                                  "team (never posted).")],
          by: By,
          says: Annotated[list[str] | None, typer.Option(
              help="The problem as the public reads it, LANG=TEXT for each language the "
                   "brand serves (repeat): the template says it.")] = None,
          channel: Annotated[list[str] | None, typer.Option(
              help="Where to announce it (repeat; default: every channel of the brand).")]
          = None,
          keyword: Annotated[list[str] | None, typer.Option(
              help="A word a complaint about it says (repeat): such complaints on its "
                   "channels are suggested for it.")] = None,
          template: Annotated[str, typer.Option(help="The announcement's template.")]
          = "outage",
          text: Text = None,
          next_update: NextUpdate = None, override: Override = None,
          json: Json = False) -> None:
    """Open an incident and post its announcement: in each served language, the brand's
    voice, linted like any reply."""
    engine = settings(ctx).engine(create=True)
    incident = engine.incidents.open(brand, title=title, by=by, says=_worded(says, "says"),
                                     channels=channel, keywords=keyword or (),
                                     template=template, text=_worded(text, "text"),
                                     next_update=_span(next_update), override=override)
    posts = engine.incidents.posts(incident.id)
    if json:
        emit_json({**incident.as_dict(), "posts": [post.as_dict() for post in posts]})
        return
    say(f"incident {incident.id} opened for {brand}: {incident.title}", style="bold")
    _posted(posts, engine.flow(brand).settings.timezone)


@app.command()
def update(ctx: typer.Context, incident_id: IncidentId, by: By,
           text: Text = None,
           template: Annotated[str | None, typer.Option(help="…or a template.")] = None,
           next_update: NextUpdate = None, override: Override = None,
           json: Json = False) -> None:
    """Post a status update on the incident's channels."""
    engine = settings(ctx).engine()
    posts = engine.incidents.update(incident_id, by=by, text=_worded(text, "text"),
                                    template=template,
                                    next_update=_span(next_update), override=override)
    if json:
        emit_json([post.as_dict() for post in posts])
        return
    _posted(posts, engine.flow(engine.incidents.get(incident_id).brand).settings.timezone)


@app.command()
def resolve(ctx: typer.Context, incident_id: IncidentId,
            root_cause: Annotated[str, typer.Option(help="What caused it, for the team: each "
                                                         "linked case's finding keeps it.")],
            by: By,
            fixed: Annotated[list[str] | None, typer.Option(
                help="What works again, LANG=TEXT for each served language (repeat).")] = None,
            explained: Annotated[list[str] | None, typer.Option(
                help="The cause as the public is told it, LANG=TEXT for each served language "
                     "(repeat); each linked case's resolution says it too.")] = None,
            text: Text = None,
            template: Annotated[str, typer.Option(help="The resolution's template.")]
            = "outage_resolved",
            move_cases: Annotated[bool, typer.Option(
                help="Record each linked case's finding: founded, with this root cause.")]
            = True,
            override: Override = None, json: Json = False) -> None:
    """Post the resolution and close the incident; move its linked cases on (each then gets
    its own resolution reply, and its follow-up, as usual)."""
    engine = settings(ctx).engine()
    done = engine.incidents.resolve(incident_id, root_cause=root_cause, by=by,
                                    fixed=_worded(fixed, "fixed"),
                                    explained=_worded(explained, "explained"),
                                    text=_worded(text, "text"), template=template,
                                    move_cases=move_cases,
                                    override=override)
    if json:
        emit_json({**done.incident.as_dict(),
                   "cases": {str(case): outcome for case, outcome in done.cases.items()}})
        return
    say(f"incident {incident_id} resolved: {done.incident.root_cause}", style="bold")
    _posted([post for post in engine.incidents.posts(incident_id) if post.kind == "resolve"],
            engine.flow(done.incident.brand).settings.timezone)
    _moved(done.cases)


@app.command()
def move(ctx: typer.Context, incident_id: IncidentId, by: By, json: Json = False) -> None:
    """Move a resolved incident's linked cases on again: each not yet founded gets the
    finding (after a crash, or once a case left behind has been acknowledged)."""
    done = settings(ctx).engine().incidents.move(incident_id, by=by)
    if json:
        emit_json({str(case): outcome for case, outcome in done.cases.items()})
        return
    _moved(done.cases)


def _moved(cases: dict[int, str]) -> None:
    from recovery.incidents import MOVED

    for case_id, outcome in cases.items():
        say(f"  case {case_id}: {outcome}" + (
            f"; now its own resolution reply: recovery reply {case_id} --template resolution"
            " --by …" if outcome == MOVED else ""))


@app.command()
def link(ctx: typer.Context, incident_id: IncidentId,
         cases: Annotated[list[int], typer.Argument(help="The case ids.", min=1,
                                                    max=limits.MAX_ID)],
         by: By, json: Json = False) -> None:
    """Link cases to the incident (confirming a suggestion, or by hand)."""
    events = settings(ctx).engine().incidents.link(incident_id, cases, by=by)
    if json:
        emit_json([event.as_dict() for event in events])
        return
    linked = {event.case_id for event in events}
    for case_id in dict.fromkeys(cases):
        say(f"case {case_id}: " + ("linked" if case_id in linked else "already linked")
            + f" to incident {incident_id}")


@app.command("list")
def list_(ctx: typer.Context, brand: BrandFilter = None,
          status: Annotated[str | None, typer.Option(help="open or resolved.")] = None,
          json: Json = False) -> None:
    """Incidents, newest first."""
    engine = settings(ctx).engine()
    found = engine.incidents.listing(brand=brand, status=status)
    if json:
        emit_json([incident.as_dict() for incident in found])
        return
    zone = zones(engine)
    out.print(table(f"{len(found)} incident(s)", ["id", "brand", "status", "opened",
                                                  "channels", "title"],
                    [[i.id, i.brand, i.status, stamp(i.opened_at, zone.get(i.brand, "UTC")),
                      ", ".join(i.channels), i.title] for i in found]))


@app.command()
def show(ctx: typer.Context, incident_id: IncidentId, json: Json = False) -> None:
    """An incident: what it posted, and the cases suggested for it or linked to it."""
    engine = settings(ctx).engine()
    incident = engine.incidents.get(incident_id)
    posts, links = engine.incidents.posts(incident_id), engine.incidents.links(incident_id)
    if json:
        emit_json({**incident.as_dict(), "posts": [post.as_dict() for post in posts],
                   "cases": [item.as_dict() for item in links]})
        return
    zone = engine.flow(incident.brand).settings.timezone
    say(f"incident {incident.id} · {incident.brand} · {incident.status} · {incident.title}",
        style="bold")
    if incident.root_cause:
        say(f"root cause: {incident.root_cause}")
    _posted(posts, zone)
    rows = []
    for item in links:
        since = item.linked_at or item.suggested_at
        rows.append([item.case_id, item.status, stamp(since, zone) if since else "",
                     item.linked_by or ""])
    out.print(table("Cases", ["case", "status", "since", "by"], rows,
                    empty="Cases: none suggested or linked yet"))


def _posted(posts: list[IncidentPost], zone: str = "UTC") -> None:
    for post in posts:
        say(f"#{post.seq} {post.kind} on {post.channel} ({post.language}), "
            f"{stamp(post.at, zone)}:")
        indented(post.text)
        for finding in post.findings or []:
            indented(f"{finding['severity']} {finding['code']}: {finding['message']}",
                     style="yellow")


def _span(written: str | None) -> timedelta | None:
    if written is None:
        return None
    try:
        return parse_duration(written)
    except ValueError as exc:
        raise InvalidInput(f"--next-update: {exc}") from None
