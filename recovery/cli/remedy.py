"""`recovery remedy …`: offer a remedy, approve or decline one waiting for a lead, redeem or
void an issued one, list them.

Every offer carries an idempotency key: `--key`, or a new one per command (the engine makes it),
so a retried command with the same key returns the first result and issues nothing twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from recovery import limits
from recovery.cli.common import BrandFilter, By, Group, Json, Note, settings, zones
from recovery.cli.layout import emit_json, out, say, table
from recovery.formats import stamp

if TYPE_CHECKING:
    from recovery.engine import Engine
    from recovery.store.records import Remedy

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Offer, approve, decline, redeem, void and list remedies: the ledger.")

RemedyId = Annotated[int, typer.Argument(help="The remedy id.", min=1, max=limits.MAX_ID)]
Order = Annotated[str | None, typer.Option(help="The order a refund refunds.")]
Goodwill = Annotated[str | None, typer.Option(
    help="Beyond duty: why (allowed on a partly founded or unfounded complaint, within the "
         "brand's goodwill budget).")]
Key = Annotated[str | None, typer.Option(
    help="The idempotency key: the same key again returns the first result (default: a new "
         "one per command).")]
STATUSES = {"pending": "pending_approval", "issued": "issued", "declined": "declined",
            "redeemed": "redeemed", "void": "void"}


@app.command()
def offer(ctx: typer.Context,
          case_id: Annotated[int, typer.Argument(help="The case id.", min=1,
                                                 max=limits.MAX_ID)],
          kind: Annotated[str, typer.Argument(help="coupon, discount, refund, voucher, gift…")],
          by: By,
          value: Annotated[str, typer.Option(help="How much, in the unit the brand declares.")]
          = "1",
          order: Order = None, goodwill: Goodwill = None, key: Key = None, note: Note = None,
          json: Json = False) -> None:
    """Offer a remedy: issued within the agent's limit, else waiting for a lead. The same --key
    again shows the remedy offered first and issues nothing."""
    engine = settings(ctx).engine()
    before = key is not None and any(
        remedy.key == key for remedy in engine.remedies(case_id=case_id, limit=limits.ROWS))
    remedy = engine.offer_remedy(case_id, kind, value, by=by, order=order, goodwill=goodwill,
                                 key=key, note=note)
    if before and not json:
        say(f"remedy {remedy.id} on case {remedy.case_id} was offered with the key {key} "
            f"already ({_amount(engine, remedy)}, {remedy.status.replace('_', ' ')}); nothing "
            "is offered or issued again")
        return
    show(engine, remedy, json)


@app.command()
def approve(ctx: typer.Context, remedy_id: RemedyId, by: By, json: Json = False) -> None:
    """Approve a remedy waiting for a lead: it is issued, once."""
    engine = settings(ctx).engine()
    show(engine, engine.approve_remedy(remedy_id, by=by), json)


@app.command()
def decline(ctx: typer.Context, remedy_id: RemedyId,
            reason: Annotated[str, typer.Option(help="Why it is declined (kept in the ledger).")],
            by: By, json: Json = False) -> None:
    """Decline a remedy waiting for a lead, saying why; nothing is issued."""
    engine = settings(ctx).engine()
    show(engine, engine.decline_remedy(remedy_id, reason=reason, by=by), json)


@app.command()
def redeem(ctx: typer.Context, remedy_id: RemedyId, by: By, note: Note = None,
           json: Json = False) -> None:
    """Record that the customer used an issued remedy (the code, the refund paid out)."""
    engine = settings(ctx).engine()
    show(engine, engine.redeem_remedy(remedy_id, by=by, note=note), json)


@app.command()
def void(ctx: typer.Context, remedy_id: RemedyId,
         reason: Annotated[str, typer.Option(help="Why it is withdrawn (kept in the ledger).")],
         by: By, json: Json = False) -> None:
    """Withdraw an issued remedy nobody used, saying why; it no longer counts against limits."""
    engine = settings(ctx).engine()
    show(engine, engine.void_remedy(remedy_id, reason=reason, by=by), json)


@app.command("list")
def list_(ctx: typer.Context, brand: BrandFilter = None,
          status: Annotated[Literal["pending", "issued", "declined", "redeemed", "void"] | None,
                            typer.Option(help="Only remedies in this status; pending ones "
                                              "come oldest first.")] = None,
          limit: Annotated[int, typer.Option(help="At most this many.", min=1, max=10_000)] = 50,
          json: Json = False) -> None:
    """List remedies: what waits for approval, what was issued, declined or redeemed."""
    engine = settings(ctx).engine()
    found = engine.remedies(brand=brand, limit=limit,
                            status=STATUSES[status] if status else None)
    if json:
        emit_json([remedy.as_dict() for remedy in found])
        return
    order = "oldest first" if status == "pending" else "newest first"
    zone = zones(engine)
    out.print(table(f"{len(found)} remedy(ies), {order}",
                    ["id", "case", "brand", "kind", "amount", "status", "asked", "by",
                     "code / reason"],
                    [[r.id, r.case_id, r.brand, r.kind + (" (goodwill)" if r.goodwill else ""),
                      _amount(engine, r), r.status.replace("_", " "),
                      stamp(r.asked_at, zone.get(r.brand, "UTC")), r.asked_by,
                      r.code or r.reason or ""] for r in found],
                    empty=f"no {status or ''} remedies".replace("  ", " ")))


def _amount(engine: Engine, remedy: Remedy) -> str:
    """The remedy's amount as its brand words it."""
    return engine.flow(remedy.brand).amount(remedy.value, remedy.unit, remedy.kind)


def show(engine: Engine, remedy: Remedy, json: bool) -> None:
    """Print a remedy as one line (or as JSON)."""
    if json:
        emit_json(remedy.as_dict())
        return
    amount = f"{remedy.kind} of {_amount(engine, remedy)}"
    if remedy.status == "issued":
        extra = f", code {remedy.code}" if remedy.code else ""
        approved = f", approved by {remedy.approved_by}" if remedy.approved_by else ""
        say(f"remedy {remedy.id} on case {remedy.case_id}: {amount} issued{extra}{approved}")
    elif remedy.status == "pending_approval":
        say(f"remedy {remedy.id} on case {remedy.case_id}: {amount} waits for a lead's approval "
            f"(`recovery remedy approve {remedy.id} --by LEAD`)")
    else:
        why = f": {remedy.reason}" if remedy.reason else ""
        say(f"remedy {remedy.id} on case {remedy.case_id}: {amount} {remedy.status}{why}")
