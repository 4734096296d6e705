"""`recovery case …`: open, show, list and drive cases. Each command is one engine call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from recovery import limits
from recovery.cli.board import as_json, board
from recovery.cli.common import BrandFilter, By, Group, Json, Note, parse_time, settings
from recovery.cli.history import Shown
from recovery.cli.history import history as render_history
from recovery.cli.layout import emit_json, out, say, table
from recovery.clock import parse_duration
from recovery.errors import InvalidInput
from recovery.formats import clock_span, stamp, time_left

if TYPE_CHECKING:
    from recovery.store.records import Case, Event

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Open, show, list and drive complaint cases.")

CaseId = Annotated[int, typer.Argument(help="The case id.", min=1, max=limits.MAX_ID)]
MOST = 10**12  # flows.priority.MOST, not imported: `--help` reads no flow schema
Followers = Annotated[int | None, typer.Option(help="The author's followers.", min=0, max=MOST)]
Likes = Annotated[int | None, typer.Option(help="The post's likes.", min=0, max=MOST)]
Shares = Annotated[int | None, typer.Option(help="The post's shares (retweets, reposts).",
                                            min=0, max=MOST)]
Replies = Annotated[int | None, typer.Option(help="The replies under the post.", min=0,
                                             max=MOST)]


@app.command("open")
def open_(ctx: typer.Context,
          brand: Annotated[str, typer.Argument(help="The brand complained to.")],
          channel: Annotated[str, typer.Option(help="Where it was posted (twitter, facebook, …).")],
          author: Annotated[str, typer.Option(help="The customer's handle, e.g. @jana.")],
          text: Annotated[str, typer.Option(help="The complaint as posted.")],
          at: Annotated[str | None, typer.Option(help="When it was posted (ISO 8601, UTC if no "
                                                      "offset); default now.")] = None,
          external_id: Annotated[str | None, typer.Option(
              help="The post's id on the platform; feeding the same post again returns its "
                   "case (another complaint under that id is refused).")]
          = None,
          name: Annotated[str | None, typer.Option(help="The customer's name, if known.")] = None,
          followers: Followers = None, likes: Likes = None, shares: Shares = None,
          replies: Replies = None, json: Json = False) -> None:
    """Open a case for a public complaint; its language, tone and personal data are read, and
    its reach and mood give its priority."""
    engine = settings(ctx).engine(create=True)
    reach = _given(followers=followers, likes=likes, shares=shares, replies=replies)
    case = engine.open_case(brand, channel=channel, author=author, text=text,
                            at=parse_time(at, "--at"), external_id=external_id, name=name,
                            reach=reach)
    if json:
        emit_json(case.as_dict())
        return
    priority = f" · priority {case.priority}" if case.priority != "normal" else ""
    say(f"case {case.id} opened for {case.brand} ({case.channel}, {case.author}): {case.state}"
        f"{priority} · {reading(case)}")
    zone = engine.flow(case.brand).settings.timezone
    for event in engine.history(case.id):
        posted = event.payload or {}
        if event.trigger == "notice":
            back = posted.get("back_at")
            when = f"; the team is back {stamp(datetime.fromisoformat(back), zone)}" if back \
                else ""
            say(f"the engine posted an after-hours notice{when}:")
            say(f"  {posted.get('text', '')}")


VIA = {"offer_remedy": "with `recovery remedy offer`",
       "record_finding": "with `recovery case finding`",
       "tick": "by the engine, on schedule (`recovery tick`)"}
"""How a trigger that does not go through `case fire` fires."""


@app.command()
def show(ctx: typer.Context, case_id: CaseId, json: Json = False) -> None:
    """Show a case: its state, every trigger (and why some cannot fire), history and timers."""
    engine = settings(ctx).engine()
    case = engine.case(case_id)
    options, history, timers, clocks = (engine.triggers(case_id), engine.history(case_id),
                                        engine.timers(case_id), engine.clocks(case_id))
    incidents = engine.incidents.links(case_id=case_id)
    if json:
        emit_json({**case.as_dict(),
                   "incidents": [item.as_dict() for item in incidents],
                   "triggers": [{"trigger": o.trigger, "allowed": o.allowed, "reason": o.reason,
                                 "via": o.via} for o in options],
                   "clocks": [{**c.as_dict(), "target": clock_span(c.target, c.business),
                               "left": time_left(c.left, c.business)} for c in clocks],
                   "history": [event.as_dict() for event in history],
                   "timers": [timer.as_dict() for timer in timers]})
        return
    zone = engine.flow(case.brand).settings.timezone
    say(f"case {case.id} · {case.brand} · {case.channel} · {case.author} · state {case.state} "
        f"· priority {case.priority}", style="bold")
    say(f"“{case.text}”")
    say(reading(case))
    if case.reach:
        say("reach: " + " · ".join(f"{count:,} {name}" for name, count in case.reach.items()))
    for item in incidents:
        which = f"incident {item.incident_id} ({item.title})"
        say(f"{which}: linked" if item.status == "linked" else f"{which}: suggested; confirm "
            f"with `recovery incident link {item.incident_id} {case_id} --by …`")
    if case.finding:
        say(f"finding: {case.finding}" + (f" — {case.root_cause}" if case.root_cause else ""))
    flow = engine.flow(case.brand)
    if case.flow_version is not None and case.flow_version != flow.version:
        say(f"runs under version {case.flow_version} of {case.brand}'s flow, not the current "
            f"{flow.version}: `recovery flow migrate {case.brand}` moves it")
    if case.remedy_kind and case.remedy_value is not None and case.remedy_unit:
        say(f"remedy: {case.remedy_kind}, "
            f"{flow.amount(case.remedy_value, case.remedy_unit, case.remedy_kind)}")
    now = settings(ctx).clock()
    out.print(table("SLA clocks", ["clock", "target", "due", "left", "status"],
                    [[c.name.replace("_", " "), clock_span(c.target, c.business),
                      stamp(c.due_at, zone) if c.due_at else "",
                      "" if c.mode == "stopped" else time_left(
                          c.left, c.business, now - c.due_at if c.due_at and c.due_at < now
                          else None),
                      ("breached, " if c.breached else "") + c.mode]
                     for c in clocks]))
    out.print(table("Triggers", ["trigger", "now", "why not, or how"],
                    [[o.trigger, "yes" if o.allowed else "no",
                      o.reason or (VIA[o.via] if o.via else "")]
                     for o in options]))
    remedies = engine.remedies(case_id=case_id)
    if remedies:
        out.print(table("Remedies", ["id", "remedy", "status", "asked by", "code / reason"],
                        [[r.id, f"{r.kind}, {flow.amount(r.value, r.unit, r.kind)}"
                          + (" (goodwill)" if r.goodwill else ""),
                          r.status.replace("_", " ") + (f" by {r.approved_by}"
                                                        if r.approved_by else ""),
                          r.asked_by, r.code or r.reason or ""] for r in remedies]))
    out.print(render_history(history, Shown.of(flow, case.channel)))
    if timers:
        out.print(table("Timers", ["fires", "due", "status"],
                        [[f"{t.clock}.{t.trigger}" if t.clock else t.trigger,
                          stamp(t.due_at, zone),
                          t.outcome or ("cancelled" if t.cancelled_at else "pending")]
                         for t in timers]))


@app.command("list")
def list_(ctx: typer.Context, brand: BrandFilter = None,
          state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
          channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
          limit: Annotated[int, typer.Option(help="At most this many.", min=1, max=10_000)] = 50,
          breached: Annotated[bool, typer.Option(
              "--breached", help="Only cases with a breached SLA clock still open; the "
              "earliest due first.")] = False,
          due_within: Annotated[str | None, typer.Option(
              help="Only cases whose SLA breach comes due within this time (2h, 30m, 1d) or "
              "already has; most urgent first.")] = None,
          priority: Annotated[str | None, typer.Option(help="Only cases of this priority "
                                                            "(normal, high, urgent).")] = None,
          newest: Annotated[bool, typer.Option("--newest", help="Newest first (a stable order "
                                                               "to page through).")] = False,
          json: Json = False) -> None:
    """The case board, most urgent first: the highest priority, then the clock due (or
    breached) first, then cases with no clock counting, newest first. Or only what needs
    attention (--breached, --due-within)."""
    engine = settings(ctx).engine()
    within = None
    if due_within is not None:
        try:
            within = parse_duration(due_within)
        except ValueError as exc:
            raise InvalidInput(f"--due-within: {exc}") from None
    cases = engine.cases(brand=brand, state=state, channel=channel, limit=limit,
                         breached=breached, due_within=within, priority=priority,
                         urgent_first=not newest)
    now = settings(ctx).clock()
    if json:
        emit_json(as_json(engine, cases, now))
        return
    what = ("breached" if breached else f"due within {due_within}" if within is not None
            else "newest first" if newest else "most urgent first")
    out.print(board(engine, cases, now, f"{len(cases)} case(s), {what}"))


@app.command()
def fire(ctx: typer.Context, case_id: CaseId,
         trigger: Annotated[str, typer.Argument(help="The trigger, e.g. acknowledge.")],
         by: By, note: Note = None, json: Json = False) -> None:
    """Fire a trigger on a case (acknowledge, investigate, move_private, resolve, …)."""
    _report(settings(ctx).engine().fire(case_id, trigger, by=by, note=note), json)


@app.command()
def finding(ctx: typer.Context, case_id: CaseId,
            verdict: Annotated[str, typer.Argument(help="founded, partly or unfounded.")],
            by: By,
            root_cause: Annotated[str | None, typer.Option(
                help="What the business should improve, for the team (needed unless "
                     "unfounded; never posted).")] = None,
            explanation: Annotated[str | None, typer.Option(
                help="What the customer is told of the cause, in their language: the "
                     "resolution reply says it.")] = None,
            note: Note = None, json: Json = False) -> None:
    """Record the investigation's finding and its root cause."""
    event = settings(ctx).engine().record_finding(case_id, verdict, root_cause=root_cause,
                                                  explanation=explanation, by=by, note=note)
    _report(event, json)


@app.command()
def remedy(ctx: typer.Context, case_id: CaseId,
           kind: Annotated[str, typer.Argument(help="coupon, discount, refund, voucher, gift…")],
           by: By,
           value: Annotated[str, typer.Option(help="How much, in the unit the brand declares.")]
           = "1",
           order: Annotated[str | None, typer.Option(help="The order a refund refunds.")] = None,
           note: Note = None, json: Json = False) -> None:
    """Offer a remedy: the agent's shortcut for `recovery remedy offer`."""
    from recovery.cli.remedy import offer

    offer(ctx, case_id, kind, by, value, order, None, None, note, json)


@app.command()
def answer(ctx: typer.Context, case_id: CaseId,
           score: Annotated[int, typer.Option(help="The customer's score, 1 (bad) to 5 (all is "
                                                   "well).")],
           text: Annotated[str | None, typer.Option(help="What the customer wrote.")] = None,
           by: Annotated[str | None, typer.Option(help="Who records it (default: the "
                                                       "customer).")] = None,
           json: Json = False) -> None:
    """Record the customer's answer to the follow-up: a low score reopens the case, a good one
    closes it."""
    engine = settings(ctx).engine()
    answered = engine.record_answer(case_id, score, text=text, by=by)
    if json:
        emit_json(answered.as_dict())
        return
    case = engine.case(case_id)
    low = (answered.payload or {}).get("low")
    acted = (f"reopened, priority {case.priority}, the lead is told" if low
             else "closed")
    say(f"case {case_id}: answered {score}: {acted} ({case.state})")


@app.command("do-not-contact")
def do_not_contact(ctx: typer.Context, case_id: CaseId, by: By,
                   reason: Annotated[str | None, typer.Option(help="What the customer said.")]
                   = None, json: Json = False) -> None:
    """Record that the customer asked not to be contacted: no follow-up, no reminder."""
    event = settings(ctx).engine().do_not_contact(case_id, by=by, reason=reason)
    if json:
        emit_json(event.as_dict())
    else:
        say(f"case {case_id}: the customer is not to be contacted; no follow-up will ask")


@app.command("reach")
def reach_(ctx: typer.Context, case_id: CaseId, by: By, followers: Followers = None,
           likes: Likes = None, shares: Shares = None, replies: Replies = None,
           json: Json = False) -> None:
    """Record how far the complaint travels now; past a priority rule of the brand the case
    rises (it never falls), the rule's people are told and its SLA targets tighten."""
    given = _given(followers=followers, likes=likes, shares=shares, replies=replies)
    if not given:
        raise InvalidInput("give the reach to record: --followers, --likes, --shares or "
                           "--replies")
    engine = settings(ctx).engine()
    event = engine.update_reach(case_id, given, by=by)
    if json:
        emit_json(event.as_dict())
        return
    payload = event.payload or {}
    raised = payload.get("priority")
    if not raised:
        say(f"case {case_id}: reach recorded (#{event.seq}); the priority stays")
        return
    say(f"case {case_id}: priority {raised['from']} → {raised['to']} ({raised['because']}); "
        f"notifies {', '.join(payload.get('notify') or []) or 'nobody'}", style="bold")
    business = {c.name: c.business for c in engine.clocks(case_id)}
    for clock, (before, after) in (payload.get("targets") or {}).items():
        on = business.get(clock, True)
        say(f"  {clock.replace('_', ' ')} target {clock_span(timedelta(seconds=before), on)}"
            f" → {clock_span(timedelta(seconds=after), on)} from now")


def _given(**counts: int | None) -> dict[str, int]:
    """The counts given on the command line."""
    return {name: count for name, count in counts.items() if count is not None}


@app.command()
def moderate(ctx: typer.Context, case_id: CaseId,
             post: Annotated[str, typer.Option(help="The post's id on the platform.")],
             rule: Annotated[str, typer.Option(help="The house rule it breaks (the brand's "
                                                    "moderation: hides:).")],
             by: By,
             author: Annotated[str | None, typer.Option(help="Who posted it.")] = None,
             text: Annotated[str | None, typer.Option(help="What it said (kept in the "
                                                           "history; redactable).")] = None,
             json: Json = False) -> None:
    """Record a post in the case's thread hidden under a house rule (abuse, spam, other
    people's personal data); never the complaint, never the customer's own posts."""
    event = settings(ctx).engine().moderate(case_id, post=post, rule=rule, by=by,
                                             author=author, text=text)
    if json:
        emit_json(event.as_dict())
    else:
        say(f"case {case_id}: post {post} hidden under '{rule}'; recorded as #{event.seq}")


@app.command()
def redact(ctx: typer.Context, case_id: CaseId,
           event: Annotated[int, typer.Option("--event", help="The event's number in the "
                                                              "case's history (#3 is 3).", min=1,
                                                 max=limits.MAX_ID)],
           reason: Annotated[str, typer.Option(help="Why (kept in the history).")],
           by: By, json: Json = False) -> None:
    """Blank personal data in one event's text (for #1, the complaint and the customer's
    name); the redaction is recorded and the history still verifies."""
    recorded = settings(ctx).engine().redact(case_id, event, by=by, reason=reason)
    if json:
        emit_json(recorded.as_dict())
    else:
        say(f"case {case_id}: event #{event} redacted ({', '.join(recorded.payload['fields'])})"  # type: ignore[index]
            f"; recorded as #{recorded.seq}")


def _report(event: Event, json: bool) -> None:
    if json:
        emit_json(event.as_dict())
    else:
        say(f"case {event.case_id}: {event.trigger}: {event.source} → {event.dest}")


def reading(case: Case) -> str:
    """What was read of the complaint: `language cs · angry · informal · flags: …`."""
    flags = f" · flags: {', '.join(case.flags)}" if case.flags else ""
    return (f"language {case.language or 'unknown'} · {case.emotion or '?'} · "
            f"{case.register or '?'} register{flags}")
