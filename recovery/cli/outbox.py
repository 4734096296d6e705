"""`recovery outbox`: the webhook deliveries waiting, delivered or dead; retry the dead; how the
outbox stands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from recovery import limits
from recovery.cli.common import Group, Json, fail, settings, zones
from recovery.cli.layout import emit_json, out, say, table
from recovery.formats import stamp

if TYPE_CHECKING:
    from recovery.store.records import Delivery

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Webhook deliveries: list them, retry the dead, count them.")


@app.command("list")
def list_(ctx: typer.Context,
          dead: Annotated[bool, typer.Option("--dead", help="Only the dead: every try failed.")]
          = False,
          status: Annotated[str | None, typer.Option(help="Only those pending, delivered or "
                                                     "dead.")] = "pending",
          limit: Annotated[int, typer.Option(help="At most this many, oldest first.", min=1,
                                             max=10_000)] = 50,
          json: Json = False) -> None:
    """List webhook deliveries, oldest first: those pending (default), delivered or dead, with
    their tries and last error."""
    engine = settings(ctx).engine()
    found = engine.outbox.deliveries("dead" if dead else status, limit)
    if json:
        emit_json([delivery.as_dict() for delivery in found])
        return
    zone = zones(engine)
    out.print(table(f"{len(found)} {'dead' if dead else status} deliver(ies)",
                    ["id", "case", "#", "event", "endpoint", "tries", "next try",
                     "last error"],
                    [_row(delivery, zone.get(delivery.brand, "UTC")) for delivery in found]))


@app.command()
def retry(ctx: typer.Context,
          ids: Annotated[list[int] | None, typer.Argument(help="Dead deliveries to retry.",
                                                          min=1, max=limits.MAX_ID)] = None,
          dead: Annotated[bool, typer.Option("--dead", help="Retry every dead delivery.")]
          = False) -> None:
    """Try dead deliveries again now, their tries counted afresh (after fixing the endpoint or
    its secret): the ids given, or every dead one with --dead."""
    from recovery.errors import InvalidInput, NotFound

    if bool(ids) == dead:
        fail(InvalidInput("give the ids of dead deliveries, or --dead for all of them"))
    outbox = settings(ctx).engine().outbox
    if ids:
        known = {delivery.id: delivery for delivery in outbox.deliveries(None, len(ids), ids)}
        for wanted in ids:
            if wanted not in known:
                fail(NotFound(f"no delivery {wanted}; `recovery outbox list --dead` lists the "
                              "dead"))
            if known[wanted].status != "dead":
                fail(InvalidInput(f"delivery {wanted} is {known[wanted].status}, not dead; "
                                  "only a dead one is retried by hand"))
    revived = outbox.retry(ids or None)
    say(f"{revived} dead deliver(ies) will be tried again at the worker's next round")


@app.command()
def stats(ctx: typer.Context, json: Json = False) -> None:
    """How many deliveries are pending, delivered and dead, and how long the oldest pending
    one has waited."""
    counted = settings(ctx).engine().outbox.stats()
    if json:
        emit_json(counted.as_dict())
        return
    age = counted.oldest_pending
    say(f"pending {counted.pending:,}, delivered {counted.delivered:,}, dead {counted.dead:,}"
        + ("" if age is None else f"; the oldest pending has waited {_age(age.total_seconds())}"))
    for endpoint in counted.gone:
        say(f"gone: {endpoint} answered 410 Gone; its deliveries wait, dead, until "
            "`recovery outbox retry --dead` once it is back", style="yellow")


@app.command()
def secret() -> None:
    """Print a new webhook secret (whsec_ and base64), for an endpoint's secret variable: put
    it first, beside the old one, while the receiver moves to it (`NEW OLD`)."""
    from recovery.delivery.signing import new_secret

    say(new_secret())


def _row(delivery: Delivery, zone: str) -> list[object]:
    waiting = stamp(delivery.next_at, zone) \
        if delivery.status == "pending" else ""
    return [delivery.id, delivery.case_id, delivery.seq, delivery.trigger, delivery.endpoint,
            delivery.attempts, waiting, delivery.last_error]


def _age(seconds: float) -> str:
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"
