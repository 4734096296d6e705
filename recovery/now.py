"""The engine's "now", read again when another writer got there first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from recovery.errors import OutOfOrder

P = ParamSpec("P")
R = TypeVar("R")


def read_again(method: Callable[P, R]) -> Callable[P, R]:
    """A change at the engine's "now" (no `at` given) that finds the case moved on after that
    now was read (another thread or worker committed in between: `OutOfOrder`) is tried once
    more with the time read again, as if it had come a moment later. A time given, or a clock
    that stands still (`--now`), still gets `OutOfOrder`."""
    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except OutOfOrder:
            if kwargs.get("at") is not None:
                raise
            return method(*args, **kwargs)
    return call
