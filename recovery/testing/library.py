"""The step library as a policy owner reads it: every step a `.feature` file may say, with what
it does and an example taken from the specs themselves; and, for a step that reads like none of
them, the nearest steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from pathlib import Path

from pytest_bdd.steps import step_function_context_registry
from rapidfuzz import fuzz, process

from recovery.testing.plugin import STEPS

KEYWORDS = {"given": "Given", "when": "When", "then": "Then"}
_PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]*)?\}|\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)\??")
_STEP_LINE = re.compile(r"^\s*(Given|When|Then|And|But)\s+(.*?)\s*$")


@dataclass(frozen=True)
class Step:
    """One step of the library: its keyword, how it reads (`{name}` where a value goes) and
    what it does."""

    keyword: str
    reads: str
    does: str
    pattern: object

    def matches(self, text: str) -> bool:
        """True when a step written as `text` is this one."""
        return bool(self.pattern.is_matching(text))  # type: ignore[attr-defined]


@cache
def library() -> tuple[Step, ...]:
    """Every step of the shipped library, in the order its modules declare them."""
    found = []
    for name in STEPS:
        module = import_module(name)
        for value in vars(module).values():
            wrapped = getattr(value, "_get_wrapped_function", None)
            context = step_function_context_registry.get(wrapped()) if wrapped else None
            if context is None or context.type is None:
                continue
            does = (context.step_func.__doc__ or "").strip().split("\n\n")[0]
            found.append(Step(KEYWORDS[context.type], readable(context.parser.name),
                              " ".join(does.split()), context.parser))
    return tuple(found)


def readable(pattern: str) -> str:
    """A step's pattern with each value as `{name}`: the regular expressions of a few steps
    read like the others."""
    text = _PLACEHOLDER.sub(lambda m: "{" + (m[1] or m[2]) + "}", pattern)
    text = re.sub(r"\(\?:([^()]*)\)\?", r"[\1]", text)  # optional: [ with the note …]
    text = re.sub(r"\(\?:([^()]*)\)", lambda m: m[1].replace("|", "/"), text)  # either
    text = re.sub(r"(\w)\?", r"(\1)", text)  # clocks? -> clock(s)
    return text.strip("^$").replace("\\", "")


def feature_files(paths: Iterable[Path], workflows: Path) -> list[Path]:
    """The `.feature` files of `paths` (files or folders), by default ./features and each
    brand's own `workflows/BRAND/features`."""
    chosen = list(paths) or [Path("features"), *sorted(workflows.glob("*/features"))]
    return [file for path in chosen
            for file in ([path] if path.is_file() else sorted(path.rglob("*.feature")))]


def examples(features: Iterable[Path]) -> dict[str, str]:
    """For each step of the library (by how it reads), the first line of `features` that says
    it."""
    steps, found = library(), {}
    for file in sorted(features):
        keyword = "Given"
        for line in file.read_text(encoding="utf-8").splitlines():
            written = _STEP_LINE.match(line)
            if written is None:
                continue
            if written[1] in KEYWORDS.values():
                keyword = written[1]
            for step in steps:
                if step.keyword == keyword and step.reads not in found \
                        and step.matches(written[2]):
                    found[step.reads] = f"{written[1]} {written[2]}"
                    break
    return found


def nearest(text: str, most: int = 3) -> list[str]:
    """The steps that read most like `text` (a step the library does not have)."""
    said = [f"{step.keyword} {step.reads}" for step in library()]
    bare = [step.reads for step in library()]
    ranked = process.extract(text, bare, scorer=fuzz.token_set_ratio, limit=most)
    return [said[index] for _choice, _score, index in ranked]
