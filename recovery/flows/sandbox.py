"""The Jinja2 sandbox brand templates run in, with bounds: a template can include only the
templates of its own brand and the flows it extends, loops and repetition are kept small, and
rendering stops past a size or a time, so no template can hang a reply or publish another
brand's files."""

from __future__ import annotations

import operator
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateNotFound
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

LONGEST = 20_000
"""Characters a rendered template may have."""
SLOWEST = 2.0
"""Seconds a template may take to render."""
MOST_ITEMS = 1_000
"""Items a `range()` or a repetition (`'x' * n`, `[...] * n`) may have in a template."""


class TemplatesOnly(FileSystemLoader):
    """Loads `.j2` files from a brand's template folders (its own, then those of the flows it
    extends), nothing else: `{% include 'eshop/flow.yaml' %}` finds nothing."""

    def get_source(self, environment: Environment, template: str) -> Any:
        """The template's source, if it is a template of these folders."""
        if not template.endswith(".j2"):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


def _range(*args: int) -> range:
    found = range(*args)
    if len(found) > MOST_ITEMS:
        raise SecurityError(f"range() of {len(found):,} items; a template takes at most "
                            f"{MOST_ITEMS:,}")
    return found


class Sandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose ranges and repetitions are bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, folders: Sequence[Path]) -> None:
        super().__init__(loader=TemplatesOnly([str(folder) for folder in folders]),
                         undefined=StrictUndefined, keep_trailing_newline=False,
                         autoescape=False)
        self.globals["range"] = _range

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        """`*` and `**` only within bounds: no `'x' * 10**9`."""
        if operator_ == "**":
            if isinstance(right, int) and abs(right) > 64:
                raise SecurityError("a power over 64 in a template")
            return operator.pow(left, right)
        for size, times in ((left, right), (right, left)):
            if isinstance(size, str | list | tuple) and isinstance(times, int) \
                    and len(size) * times > LONGEST:
                raise SecurityError("a repetition longer than a template may render")
        return operator.mul(left, right)


def render(template: Template, context: dict[str, Any]) -> str:
    """Render `template`, stopping past `LONGEST` characters or `SLOWEST` seconds."""
    started, written, parts = time.monotonic(), 0, []
    chunks: Iterator[str] = template.generate(**context)
    for chunk in chunks:
        written += len(chunk)
        parts.append(chunk)
        if written > LONGEST:
            raise SecurityError(f"it renders more than {LONGEST:,} characters")
        if time.monotonic() - started > SLOWEST:
            raise SecurityError(f"it takes more than {SLOWEST:g} s to render")
    return "".join(parts)
