"""What a proposal changes: each brand's proposed flow file against its live one, key by key
(`channels.instagram.first_response: 2h → 15m`), as a board reads a policy change before its
effects."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from recovery.flows import Flow


def changes(live: Mapping[str, Flow], proposed: Mapping[str, Flow],
            brands: list[str]) -> dict[str, list[dict[str, str | None]]]:
    """Per brand of `brands`, each key of its resolved flow file (its own merged over its
    base) that the proposal sets otherwise: the key as a dotted path, the live value and the
    proposed one (None: not set there)."""
    found: dict[str, list[dict[str, str | None]]] = {}
    for brand in brands:
        before = live[brand].resolved if brand in live else {}
        after = proposed[brand].resolved if brand in proposed else {}
        found[brand] = [{"key": key, "live": _shown(was), "proposed": _shown(now)}
                        for key, was, now in _differing(before, after, "")]
    return found


def _differing(before: Any, after: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """(path, before, after) for each leaf that differs; mappings are walked key by key, in
    the order written (the live file's keys first), anything else compared whole."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(key for key in after if key not in before)]:
            yield from _differing(before.get(key), after.get(key),
                                  f"{path}.{key}" if path else str(key))
    elif before != after:
        yield path, before, after


def _shown(value: Any) -> str | None:
    """A flow file's value as a line: text as written, the rest as compact JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
