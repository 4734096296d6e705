"""Read a flow file as plain data while remembering the file and line of every value.

A `Document` is the parsed YAML plus `marks`, a map from a value's path (the keys and list
indexes leading to it) to where it was written. Merging a brand over its base keeps the marks
of whichever file each surviving value came from, so every problem can point at a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recovery.errors import Problem

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    """Where a value was declared."""

    file: Path
    line: int


@dataclass
class Document:
    """A parsed flow file: its data and the mark of every value in it."""

    data: dict[str, Any]
    marks: dict[Path_, Mark] = field(default_factory=dict)

    def where(self, path: Path_) -> Mark | None:
        """The mark of `path`, or of its nearest declared parent."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return mark
        return None

    def problem(self, path: Path_, message: str, hint: str = "", *, file: Path) -> Problem:
        """A Problem located at `path` (falling back to the file itself)."""
        mark = self.where(path)
        return Problem(mark.file if mark else file, mark.line if mark else None, message, hint)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader where PyYAML was built with it (about eight times faster), with the same
marks."""


def read_document(file: Path) -> tuple[Document | None, list[Problem]]:
    """Parse `file`; on bad YAML return no document and the problems found."""
    try:
        if file.stat().st_size > LARGEST:
            return None, [Problem(file, None, f"the file is over {LARGEST // 1024} KB; a flow "
                                  "file is a few hundred lines", "split it or trim it")]
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, None, f"cannot read the file: {exc}")]
    if "\x00" in text:
        return None, [Problem(file, text[: text.index("\x00")].count("\n") + 1,
                              "the file holds a NUL byte", "save it as plain UTF-8 text")]
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # a control character the YAML reader refuses
        return None, [_unreadable(file, text, exc)]
    try:
        node = loader.get_single_node()
        if node is not None:
            _bounded(file, node)
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(file, exc)]
    except yaml.YAMLError as exc:
        return None, [_unreadable(file, text, exc)]
    except _Unbounded as exc:
        return None, [exc.problem]
    except RecursionError:
        return None, [Problem(file, None, f"nested deeper than {DEEPEST} levels", "flatten it")]
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        return None, [Problem(file, 1, "a flow file must be a mapping of settings",
                              "start with lines like `name: My Brand`")]
    problems: list[Problem] = []
    marks: dict[Path_, Mark] = {}
    _mark(node, (), file, marks, problems)
    return Document(data, marks), problems


_OPENERS = {"while scanning a quoted scalar": "quoted text",
            "while parsing a flow sequence": "[ list",
            "while parsing a flow mapping": "{ mapping"}
"""What a YAML parser was inside of when it failed, for errors that belong to where it opened."""


LARGEST = 256 * 1024
"""Bytes a flow file may have."""
DEEPEST = 32
"""Levels of nesting a flow file may have (the deepest setting is about six)."""
MOST_NODES = 20_000
"""Values a flow file may have once its aliases are expanded (a billion laughs has 10^9)."""


class _Unbounded(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _bounded(file: Path, root: yaml.Node) -> None:
    """Refuse a document nested too deep, referring to itself, or expanding (through aliases)
    to more values than any flow has, before anything walks it."""
    count = 0

    def walk(node: yaml.Node, depth: int) -> None:
        nonlocal count
        count += 1
        line = node.start_mark.line + 1
        if depth > DEEPEST:
            raise _Unbounded(Problem(file, line, f"nested deeper than {DEEPEST} levels (or an "
                                     "alias refers to itself)", "flatten it"))
        if count > MOST_NODES:
            raise _Unbounded(Problem(file, line, f"more than {MOST_NODES:,} values once its "
                                     "aliases are expanded", "write the values out, without "
                                     "aliases that repeat aliases"))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key, depth + 1)
                walk(value, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, depth + 1)

    walk(root, 0)


def _unreadable(file: Path, text: str, exc: yaml.YAMLError) -> Problem:
    """A character YAML does not take (a control character), at its line."""
    position = getattr(exc, "position", None)
    line = text[:position].count("\n") + 1 if isinstance(position, int) else None
    reason = str(getattr(exc, "reason", "") or exc).splitlines()[0]
    return Problem(file, line, f"not valid YAML: {reason}", "remove the character")


def _yaml_problem(file: Path, exc: yaml.MarkedYAMLError) -> Problem:
    """Bad YAML at its own line: an unclosed quote or bracket where it opens, anything else
    (indentation, a stray colon) where the parser stumbled."""
    problem, context = exc.problem_mark, exc.context_mark
    opened = _OPENERS.get(exc.context or "")
    if opened and context is not None and problem is not None and context.line < problem.line:
        return Problem(file, context.line + 1, f"not valid YAML: the {opened} opened on this "
                       f"line is not closed (noticed at line {problem.line + 1}: {exc.problem})",
                       "close it on this line")
    mark = problem or context
    return Problem(file, mark.line + 1 if mark else None,
                   f"not valid YAML: {exc.problem or exc.context}",
                   "check indentation and quoting on that line")


def _mark(node: yaml.Node, path: Path_, file: Path, marks: dict[Path_, Mark],
          problems: list[Problem]) -> None:
    marks[path] = Mark(file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                problems.append(Problem(file, key.start_mark.line + 1,
                                        f"'{name}' is declared twice in the same mapping",
                                        "keep one of them"))
            seen.add(name)
            _mark(value, (*path, name), file, marks, problems)
            marks[(*path, name)] = Mark(file, key.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _mark(item, (*path, index), file, marks, problems)


def merge(base: Document, override: Document, whole: frozenset[Path_] = frozenset()) -> Document:
    """Deep-merge `override` over `base`: mappings merge, anything else replaces, null removes.

    Mappings at the paths in `whole` are replaced as a whole instead of merged.
    """
    marks = dict(base.marks)
    data = _merge(base.data, override.data, (), marks, whole)
    marks.update({p: m for p, m in override.marks.items() if p and _present(data, p)})
    return Document(data, marks)


def _merge(base: dict[str, Any], over: dict[str, Any], path: Path_,
           marks: dict[Path_, Mark], whole: frozenset[Path_]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and here not in whole:
            merged[key] = _merge(merged[key], value, here, marks, whole)
            continue
        for stale in [p for p in marks if p[: len(here)] == here]:
            del marks[stale]
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _present(data: Any, path: Path_) -> bool:
    for step in path:
        in_dict = isinstance(data, dict) and step in data
        if in_dict or (isinstance(data, list) and isinstance(step, int) and step < len(data)):
            data = data[step]
        else:
            return False
    return True
