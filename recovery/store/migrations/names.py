"""The names the migrations give tables, indexes and triggers.

Since revision 0013 every one of them carries the engine's own prefix (`recovery_events`,
`ix_recovery_events_feed`, `recovery_events_no_update`), so the engine keeps to its own names
in a database it shares with a host. A database made before then is upgraded through the
earlier revisions under its old names and 0013 renames it; a new one is made under the new
names from the first revision on (`migrate` says which, in the migration's attributes).
"""

from __future__ import annotations

from alembic import context

PREFIX = "recovery_"
TABLES = ("cases", "events", "timers", "clocks", "notices", "replies", "remedies",
          "remedy_entries", "outbox", "incidents", "incident_posts", "incident_cases")
"""The engine's tables, as they were named before 0013."""
FRESH = "fresh"
"""The migration attribute that says the database is being made from nothing."""


def renamed(name: str) -> str:
    """The name since 0013 of a table, index or trigger named `name` before it."""
    if name.startswith("ix_"):
        return f"ix_{PREFIX}{name[3:]}"
    return f"{PREFIX}{name}"


def named(name: str) -> str:
    """`name` as the database being migrated has it now: renamed on a database made since
    0013, as it was on an older one (which 0013 then renames)."""
    return renamed(name) if context.config.attributes.get(FRESH) else name
