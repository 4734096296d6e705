"""Policy what-if: what a proposed flow would have done to the cases already recorded.

Every case opened in the period is replayed (`replay.py`), its acts at their own times, through
a scratch engine that runs the proposed flows on a SQLite file of its own, removed after. The
live database is only read. The care report's figures (`report/figures.py`) are then taken on
both databases for the cases of the period, at the same moment, and set side by side with what
changed case by case (`compare.py`); a case whose opening the proposal refuses counts on the
recorded side only, and is named among the refused acts.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from recovery.errors import FlowError, InvalidInput
from recovery.report import figures
from recovery.store.records import Record
from recovery.whatif import compare, history, proposal
from recovery.whatif.replay import Replay, Replayed

if TYPE_CHECKING:
    from recovery.engine import Engine
    from recovery.flows import Flow

GIVEN = ("issued", "redeemed")
"""A remedy's statuses where the customer got it."""


@dataclass(frozen=True)
class WhatIf(Record):
    """A proposed flow against the recorded history: the care report's figures for both
    (`recorded`, `proposed`: keyed by brand, as `Engine.report`), the acts the proposed flow
    refuses, the cases ending in another state or at another priority, remedies whose fate
    differs (and those given that it would not give: count and value per kind), follow-ups at
    other times, how many recorded choices the replay took as they were, and what it left
    out; and what the proposal changes in each brand's flow file. `cases` counts the cases
    replayed (opened under the proposal too)."""

    since: datetime
    until: datetime
    now: datetime
    cases: int
    acts: int
    recorded: dict[str, Any]
    proposed: dict[str, Any]
    refused: list[dict[str, Any]] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)
    priorities: list[dict[str, Any]] = field(default_factory=list)
    remedies: list[dict[str, Any]] = field(default_factory=list)
    not_given: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    choices: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    workflows: str = ""
    """The folder of the proposed flows."""
    proposal: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)
    """Per brand, what the proposal changes in its flow file, key by key (`proposal.py`)."""


@contextmanager
def scratch(workflows: str | Path, now: datetime) -> Iterator[Engine]:
    """An engine on a new SQLite file in a temporary folder, over the flows in `workflows`,
    its clock standing at `now`: where a replay writes. Closed and removed after the block."""
    from recovery.engine import Engine

    with tempfile.TemporaryDirectory(prefix="recovery-what-if-") as folder:
        engine = Engine(f"sqlite:///{Path(folder) / 'what-if.db'}", workflows=workflows,
                        clock=lambda: now)
        try:
            yield engine
        finally:
            engine.close()


def replay(read: Callable[[], AbstractContextManager[Connection]], into: Engine,
           since: datetime, until: datetime, now: datetime, brand: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> Replayed:
    """Replay the cases opened from `since` to `until` (of `brand`) read through `read` into
    the engine `into`; `progress(done, total)` is told as the acts go."""
    if since >= until:
        raise InvalidInput(f"the period is empty: {since.isoformat()} is not before "
                           f"{until.isoformat()}; give --since before --until")
    with read() as conn:
        recorded = history.read(conn, since, until, brand)
        keys = history.remedy_keys(conn, since, until, brand)
        ran = history.ticks(conn, since)
    lacking = Counter(case.brand for case in recorded if case.brand not in into.flows)
    if lacking:
        named = ", ".join(f"{name} ({count} case(s))" for name, count in sorted(lacking.items()))
        raise InvalidInput(f"the proposed flows have no flow for {named} opened in the period; "
                           "give each brand its flow.yaml in the proposal"
                           + ("" if brand else ", or choose --brand"))
    return Replay(into, keys, ran, now).run(recorded, progress)


def what_if(read: Callable[[], AbstractContextManager[Connection]], live: Mapping[str, Flow],
            workflows: str | Path, since: datetime, until: datetime, now: datetime,
            brand: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> WhatIf:
    """The cases opened from `since` to `until` (of `brand`), read through `read`, replayed
    under the flows in `workflows` and compared with what happened (and those flows with the
    `live` ones the cases ran under, key by key); `FlowError` when any of those flows has a
    problem."""
    with scratch(workflows, now) as proposed:
        if proposed.broken:  # a proposal with a broken flow proposes nothing yet
            raise FlowError([problem for problems in proposed.broken.values()
                             for problem in problems])
        done = replay(read, proposed, since, until, now, brand, progress)
        with read() as live_db, proposed._connection() as mine:
            before = figures.report(live_db, since, until, now, brand)
            after = figures.report(mine, since, until, now, brand)
            changed = compare.changes(live_db, mine, done.cases)
        brands = sorted({*before, *after, *([brand] if brand else [])})
        proposed_flows = proposed.flows
    return WhatIf(since, until, now, len(done.cases), done.acts, before, after,
                  [asdict(item) for item in done.refused], changed["ended"],
                  changed["priorities"], changed["remedies"],
                  _not_given(changed["remedies"], before), changed["follow_ups"], done.choices,
                  dict(done.skipped), str(workflows),
                  proposal.changes(live, proposed_flows, brands))


def _not_given(changed: list[dict[str, Any]],
               recorded: dict[str, Any]) -> list[dict[str, Any]]:
    """Remedies given live that the proposed flow would not give (over its limits or budgets,
    refused otherwise, or waiting for a lead): count and value per brand, kind and unit,
    goodwill apart, beside how many of them were given live in all (`of_count`, `of_value`:
    the care report's `recorded` figures)."""
    totals: dict[tuple[str, str, str | None, bool], list[Any]] = {}
    for item in changed:
        if item["recorded"] in GIVEN and item["proposed"] not in GIVEN:
            key = (item["brand"], item["kind"], item["unit"], item["goodwill"])
            counted = totals.setdefault(key, [0, Decimal(0)])
            counted[0] += 1
            counted[1] += Decimal(item["value"])
    given = {(brand, item["kind"], item["unit"], side == "goodwill"): item
             for brand, figures in recorded.items() for side in ("remedies", "goodwill")
             for item in figures.get(side, [])}
    return [{"brand": brand, "kind": kind, "unit": unit, "goodwill": goodwill,
             "count": count, "value": str(value),
             "of_count": given.get((brand, kind, unit, goodwill), {}).get("count"),
             "of_value": given.get((brand, kind, unit, goodwill), {}).get("total")}
            for (brand, kind, unit, goodwill), (count, value) in sorted(
                totals.items(), key=lambda pair: (pair[0][0], pair[0][1], pair[0][3]))]

