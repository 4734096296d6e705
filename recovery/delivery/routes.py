"""Which of a brand's webhook endpoints want an event, by the event's kind."""

from __future__ import annotations

from recovery.flows import Flow
from recovery.flows.moderation import HIDE
from recovery.flows.priority import UPDATE
from recovery.flows.validate import INCIDENT
from recovery.flows.webhooks import Kind
from recovery.store.audit import REDACT
from recovery.store.records import Event

FOLLOW_UP = frozenset({"follow_up", "reminder", "answer", "do_not_contact"})
"""The follow-up's own records (`followups/asker.py`)."""


def kind(flow: Flow, event: Event) -> Kind:
    """What an event is, as a webhook subscribes to it."""
    trigger = event.trigger
    if trigger == "open":
        return "opened"
    if trigger == "reply":
        return "replied"
    if trigger == REDACT:
        return "redacted"
    if trigger == "notice":
        return "notice"
    if trigger == UPDATE:
        return "reach"
    if trigger == HIDE:
        return "hidden"
    if trigger == INCIDENT:
        return "incident"
    if trigger.endswith(".warning"):
        return "warned"
    if trigger.endswith(".breach"):
        return "breached"
    if trigger == "remedy" or trigger == flow.recorder.get("remedy"):
        return "remedy"
    if trigger in FOLLOW_UP or "follow_up" in (event.payload or {}):
        return "follow_up"
    return "fired"


class Routes:
    """The endpoints of each brand, asked for every event the writer appends."""

    def __init__(self, flows: dict[str, Flow]) -> None:
        self._flows = {brand: flow for brand, flow in flows.items() if flow.settings.webhooks}

    def __call__(self, brand: str, event: Event) -> list[str]:
        """The addresses of the brand's endpoints that want `event`."""
        flow = self._flows.get(brand)
        if flow is None:
            return []
        what = kind(flow, event)
        return [hook.url for hook in flow.settings.webhooks if hook.wants(what)]
