"""The helpdesk's side of `recovery`: one engine per process, over the helpdesk's own database;
every write made inside the helpdesk's transaction (`engine.joined`), so a ticket and its case
are kept or lost together.

- `open_ticket`: a public complaint becomes a ticket of the social queue and its case, at once.
- `buttons`: the actions a ticket's page offers, from the case's truthful listing.
- `act`: an agent's action on a ticket, fired on its case, with a follow-up saying so.
- `follow_feed`: the engine's events since the last call, as follow-ups of their tickets.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import connection, transaction
from helpdesk.models import FollowUp, Queue, Ticket
from sqlalchemy.engine import URL

from recovery import Engine, TriggerOption

from .models import FeedCursor, Recovery

SOCIAL = "social"
"""The slug of the queue whose tickets are public complaints."""


@cache
def engine() -> Engine:
    """The process's engine, over the helpdesk's database, warmed so no request pays for it."""
    found = connection.settings_dict
    if connection.vendor == "postgresql":  # Django's backend on psycopg 3, as the engine's
        url = URL.create("postgresql+psycopg", username=found["USER"] or None,
                         password=found["PASSWORD"] or None, host=found["HOST"] or None,
                         port=int(found["PORT"]) if found["PORT"] else None,
                         database=found["NAME"])
    else:
        url = URL.create("sqlite", database=str(found["NAME"]))
    return Engine(url.render_as_string(hide_password=False),
                  workflows=settings.RECOVERY_WORKFLOWS, warm=True)


def social_queue() -> Queue:
    """The queue of public complaints (made the first time)."""
    queue, _made = Queue.objects.get_or_create(slug=SOCIAL, defaults={"title": "Social"})
    return queue


def open_ticket(*, channel: str, author: str, text: str, post: str) -> Ticket:
    """A ticket of the social queue for a public complaint, and its case, in one transaction:
    if anything fails, neither is kept. The same post again is the same ticket."""
    brand = settings.RECOVERY_BRAND
    with transaction.atomic():
        connection.ensure_connection()
        with engine().joined(connection.connection) as joined:
            case = engine().open_case(brand, channel=channel, author=author, text=text,
                                      external_id=post)
        known = Recovery.objects.filter(case_id=case.id).select_related("ticket").first()
        if known is not None:
            return known.ticket
        ticket = Ticket.objects.create(queue=social_queue(), title=f"{channel}: {author}",
                                       description=text, submitter_email=None)
        Recovery.objects.create(ticket=ticket, case_id=case.id, brand=brand)
        transaction.on_commit(joined.tell)  # the subscribers hear of it once it is kept
    return ticket


def buttons(ticket: Ticket) -> list[TriggerOption]:
    """What an agent may do on the ticket now: the case's allowed triggers (a `via` one goes
    through its own call: the remedy ledger, the finding)."""
    return [option for option in engine().triggers(ticket.recovery.case_id) if option.allowed]


def act(ticket: Ticket, trigger: str, *, by: str, note: str | None = None) -> FollowUp:
    """An agent's action on a ticket, fired on its case, and a follow-up saying so, in one
    transaction."""
    with transaction.atomic():
        connection.ensure_connection()
        with engine().joined(connection.connection) as joined:
            event = engine().fire(ticket.recovery.case_id, trigger, by=by, note=note)
        done = FollowUp.objects.create(ticket=ticket, title=f"{trigger} by {by}",
                                       comment=f"{event.source} → {event.dest}", public=False)
        transaction.on_commit(joined.tell)
    return done


def follow_feed(limit: int = 1000) -> int:
    """Turn the engine's events since the last call into follow-ups of their tickets (the
    worker does this); how many. Each event once: the cursor moves in the same transaction."""
    with transaction.atomic():
        cursor, _made = FeedCursor.objects.select_for_update().get_or_create(name="events")
        entries = engine().events(after=cursor.last_id, limit=limit)
        tickets = {link.case_id: link.ticket for link in Recovery.objects.filter(
            case_id__in={entry.event.case_id for entry in entries}).select_related("ticket")}
        for entry in entries:
            ticket = tickets.get(entry.event.case_id)
            if ticket is not None:
                event = entry.event
                FollowUp.objects.create(ticket=ticket, title=f"recovery: {event.trigger}",
                                        comment=(event.payload or {}).get("text", "")
                                        or f"{event.source or '—'} → {event.dest} by "
                                           f"{event.by}", public=False)
        if entries:
            cursor.last_id = entries[-1].id
            cursor.save()
    return len(entries)
