"""What the engine posts by itself: the after-hours notice and the daily hello and goodbye.

A complaint that arrives while the team is away is answered with a notice saying when the team
is back (the brand's `after_hours` template); on channels with `greetings: true` the team says
hello at each opening and goodbye at each closing ("we're here until 20:00"). These are
automatic: they never stop a first-response clock. Pure: the engine stores and delivers them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from recovery.controls import publishable
from recovery.flows import Flow
from recovery.signals.about import about
from recovery.signals.personal import find_personal
from recovery.store.records import Notice

GREETING_GRACE = timedelta(minutes=30)
"""A hello or goodbye that `tick` would post later than this after the opening or closing is
skipped: "good morning" at noon helps nobody."""


def after_hours(flow: Flow, channel: str, author: str, at: datetime,
                language: str | None = None, text: str = "") -> dict[str, Any] | None:
    """The payload of the notice for a complaint (`text`) arriving at `at` (in the customer's
    `language` when the brand has templates in it); None when the team is in, or the channel
    does not want notices."""
    if not flow.settings.channels[channel].after_hours_notice or flow.calendar.is_open(at):
        return None
    back_at = flow.calendar.next_open(at)
    # public: a handle that is an e-mail address, a phone number or holds control characters
    # is not echoed
    shown = "" if find_personal(author, flow.audience.owned) else publishable(author)
    reply = flow.render("after_hours", channel, [language] if language else None,
                        customer={"handle": shown}, back_at=back_at,
                        case={"channel": channel, "opened_at": at,
                              "about": about(text, language)})
    return {"kind": "after_hours", "public": True, "channel": channel,
            "language": reply.language, "text": reply.text, "back_at": back_at.isoformat()}


def greetings(flow: Flow, now: datetime) -> list[Notice]:
    """The hello (just opened) or goodbye (just closed) due on each greeting channel at `now`."""
    channels = [name for name, policy in flow.settings.channels.items() if policy.greetings]
    calendar = flow.calendar
    changed = calendar.last_change(now) if channels else None
    if changed is None or now - changed > GREETING_GRACE:
        return []
    context: dict[str, Any]
    if calendar.is_open(now):
        kind, context = "hello", {"until": calendar.next_close(now) or now}
    else:
        kind, context = "goodbye", {"closed_at": changed, "back_at": calendar.next_open(now)}
    found = []
    for channel in channels:
        reply = flow.render(kind, channel, **context)
        found.append(Notice(flow.brand, channel, kind, changed, now, reply.language, reply.text))
    return found
