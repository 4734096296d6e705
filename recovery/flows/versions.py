"""A version of a brand's flow: the parts of its resolved flow file that govern a case, as text,
and that text's hash.

Those parts are the state machine (`flow`: states, triggers, guards, timers), the SLA targets
and the calendar they count (`channels`, `timezone`, `hours`, `holidays`), the priority rules
and escalations, the remedy limits and the follow-up. A case runs under the version it opened
with until it is moved to a newer one on purpose (`recovery flow migrate`). The rest belongs to
the brand as it is now, for every case: its name, languages and voice, its people, its reply
rules and templates, its house rules, goodwill budget and webhooks. So adding a person or a
webhook makes no new version; tightening a target or adding a state does.
"""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

MIGRATE = "migrate"
"""The event a case's move to a newer version is recorded as (reserved for the engine: no flow
may declare it)."""
PARTS = ("channels", "escalations", "flow", "follow_up", "holidays", "hours", "priority",
         "remedies", "timezone")
"""The keys of a flow file a version holds."""


def text_of(resolved: dict[str, Any]) -> str:
    """The text of the version of a resolved flow file (the brand's merged over its base): its
    parts in a fixed order, as YAML, each keeping the order it was written in (the order of
    states, triggers and timers is the flow's own)."""
    parts = {part: resolved[part] for part in PARTS if part in resolved}
    return yaml.safe_dump(parts, sort_keys=False, allow_unicode=True, default_flow_style=False)


def without_parts(resolved: dict[str, Any]) -> dict[str, Any]:
    """A resolved flow file less the parts a version holds: the brand's own, for any version."""
    return {key: value for key, value in resolved.items() if key not in PARTS}


def version_of(text: str) -> str:
    """A version's name: the first 16 hex digits of its text's SHA-256 (so a kept text that was
    changed no longer matches its name)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def parts_of(text: str) -> dict[str, Any]:
    """A kept version's parts, read back from its text."""
    parts = yaml.safe_load(text)
    return parts if isinstance(parts, dict) else {}
