"""Find the brands in a workflows folder, merge each over the flow it extends, validate it all.

A brand is a folder holding `flow.yaml`. `validate_flows` returns every problem of every file;
`load_flows` raises `FlowError` with all of them, or returns the compiled flows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from recovery.clock import parse_duration
from recovery.errors import FlowError, Problem
from recovery.flows.compile import Flow, compile_flow
from recovery.flows.schema import BrandFile, FlowDecl
from recovery.flows.source import Document, merge, read_document
from recovery.flows.templates import Templates
from recovery.flows.validate import check_flow, check_follow_up

FLOW_FILE = "flow.yaml"

WHOLE = frozenset({("hours",)})
"""Settings a brand replaces as a whole rather than key by key: its week is its own."""


def flow_files(workflows: Path) -> dict[str, Path]:
    """Map each brand (folder name) under `workflows` to its flow file."""
    if not workflows.is_dir():
        return {}
    return {folder.name: folder / FLOW_FILE
            for folder in sorted(workflows.iterdir()) if (folder / FLOW_FILE).is_file()}


def validate_flows(workflows: Path | str) -> tuple[dict[str, Flow], list[Problem]]:
    """Load every flow under `workflows`; return the good ones and all problems found."""
    root = Path(workflows)
    files = flow_files(root)
    if not files:
        return {}, [Problem(root, None, f"no brand flows found in {root}",
                            f"create {root}/<brand>/{FLOW_FILE} or pass workflows=")]
    documents: dict[str, Document] = {}
    problems: list[Problem] = []
    for brand, file in files.items():
        if len(brand) > 64:
            problems.append(Problem(file.parent, None, "a brand's folder name is at most 64 "
                                    "characters", "rename the folder"))
            continue
        document, found = read_document(file)
        problems += found
        if document is not None:
            documents[brand] = document
    templates = Templates(root)
    for file in files.values():
        problems += templates.check(file.parent)
    flows: dict[str, Flow] = {}
    for brand in documents:
        merged, found = _resolve(brand, documents, files, ())
        problems += found
        if merged is None:
            continue
        settings, found = _check(files[brand], merged)
        problems += found
        if settings is None or found:
            continue
        folders = tuple(files[name].parent.resolve() for name in _lineage(brand, documents))
        found = _missing_templates(files[brand], merged, settings, folders, templates)
        problems += found
        if not found:
            flows[brand] = compile_flow(brand, files[brand], settings, folders, templates,
                                        merged.data)
    return flows, list(dict.fromkeys(problems))  # a broken base is reported once


def load_brands(workflows: Path | str) -> tuple[dict[str, Flow], dict[str, list[Problem]]]:
    """The flows that load, and each broken flow with its problems (a brand whose own file is
    sound but whose base is broken gets the base's): one broken brand does not stop the others.
    Raises `FlowError` when no brand loads at all."""
    root = Path(workflows)
    flows, problems = validate_flows(root)
    if not any(not flow.settings.abstract for flow in flows.values()):
        raise FlowError(problems or [Problem(root, None, "every flow here is a base flow",
                                             "add a brand that extends one")])
    broken: dict[str, list[Problem]] = {}
    for brand, file in flow_files(root).items():
        if brand not in flows:
            folder = file.parent.resolve()
            own = [p for p in problems if folder in (p.file.resolve(), *p.file.resolve().parents)]
            broken[brand] = own or problems
    return flows, broken


def load_flows(workflows: Path | str) -> dict[str, Flow]:
    """Load and compile every flow under `workflows`, or raise `FlowError` listing all problems."""
    flows, problems = validate_flows(workflows)
    if problems:
        raise FlowError(problems)
    return flows


def _resolve(brand: str, documents: dict[str, Document], files: dict[str, Path],
             chain: tuple[str, ...]) -> tuple[Document | None, list[Problem]]:
    """The brand's document merged over the one it extends (recursively)."""
    document = documents[brand]
    base = document.data.get("extends")
    if base is None:
        return document, []
    if not isinstance(base, str) or base not in files:
        known = ", ".join(name for name in files if name != brand)
        return None, [document.problem(("extends",), f"'{brand}' extends unknown flow '{base}'",
                                       f"known: {known}", file=files[brand])]
    if base in chain or base == brand:
        return None, [document.problem(("extends",), f"'{brand}' extends itself through "
                                       f"{' -> '.join((*chain, brand, base))}",
                                       "break the cycle", file=files[brand])]
    if base not in documents:
        return None, []  # the base file itself is broken and already reported
    parent, problems = _resolve(base, documents, files, (*chain, brand))
    if parent is None:
        return None, problems
    child = Document({"abstract": False, **document.data}, document.marks)
    return merge(parent, _over_targets(parent, child), WHOLE), problems


TARGETS = ("first_response", "resolution")


def _over_targets(parent: Document, child: Document) -> Document:
    """`child` with each single SLA target it writes over a per-priority one it inherits
    (`first_response: 30m` over `{urgent: 15m, high: 30m, default: 1h}`) written as the
    default only, so the inherited tighter targets stay: a brand loosens urgent cases only by
    saying so. An inherited level looser than the new target takes it (`10m` over the same:
    every level 10m)."""
    inherited = parent.data.get("channels")
    channels = child.data.get("channels")
    if not isinstance(inherited, dict) or not isinstance(channels, dict):
        return child
    data, marks = dict(child.data), dict(child.marks)
    data["channels"] = dict(channels)
    for name, policy in channels.items():
        above = inherited.get(name)
        if not isinstance(policy, dict) or not isinstance(above, dict):
            continue
        policy = data["channels"][name] = dict(policy)
        for key in TARGETS:
            if isinstance(above.get(key), dict) and isinstance(policy.get(key), str | int):
                policy[key] = {"default": policy[key], **_capped(above[key], policy[key])}
                mark = marks.get(("channels", name, key))
                if mark is not None:
                    marks[("channels", name, key, "default")] = mark
    return Document(data, marks)


def _capped(inherited: dict[str, Any], written: object) -> dict[str, Any]:
    """The inherited per-priority levels slower than the target `written`, set to it."""
    try:
        target = parse_duration(str(written))
        return {level: written for level, value in inherited.items()
                if level != "default" and parse_duration(str(value)) > target}
    except ValueError:
        return {}  # validation names the bad duration on its line


def _lineage(brand: str, documents: dict[str, Document]) -> list[str]:
    """The brand, then the flow it extends, and so on (the chain is known to be sound)."""
    chain = [brand]
    while (base := documents[chain[-1]].data.get("extends")) is not None:
        chain.append(base)
    return chain


POSTED = ("outage", "outage_resolved")
"""Templates every brand's incidents post, beside those its channels and follow-up ask for."""


def _missing_templates(file: Path, document: Document, settings: BrandFile,
                       folders: tuple[Path, ...], templates: Templates) -> list[Problem]:
    """The posts the engine makes for the brand (its channels' notices, its follow-up, its
    incidents' posts) that some served language has no template for: every served language
    gets every post in its own words."""
    if settings.abstract:
        return []
    needed: dict[tuple[str, str], tuple[Any, ...]] = {}
    for channel, policy in settings.channels.items():
        for name in (["after_hours"] if policy.after_hours_notice else []) + (
                ["hello", "goodbye"] if policy.greetings else []) + list(POSTED):
            needed.setdefault((name, channel), ("channels", channel))
    declared = settings.follow_up
    for name in (declared.template, declared.reminder) if declared else ():
        needed.setdefault((name, next(iter(settings.channels))), ("follow_up",))
    problems, told = [], set()
    for (name, channel), where in needed.items():
        for language in settings.languages:
            found = templates.find(folders, settings.voice, [language], name, channel)
            if (found is None or found[0] != language) and (name, language) not in told:
                told.add((name, language))
                problems.append(document.problem(
                    where, f"no '{name}' template in {language}, which {settings.name} serves: "
                    f"its {language} customers would get none, or another language's",
                    f"add templates/{language}/{name}.j2 to the brand's folder", file=file))
    return problems


def _check(file: Path, document: Document) -> tuple[BrandFile | None, list[Problem]]:
    """The brand's settings and every problem: of the settings field by field and, whenever
    its `flow:` part is sound on its own, of the graph too (one run of `flow validate` tells
    all)."""
    try:
        settings = BrandFile.model_validate(document.data)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [_from_pydantic(file, document, error) for error in errors]
        if any(error["loc"][:1] == ("flow",) for error in errors):
            return None, problems
        try:
            flow = FlowDecl.model_validate(document.data.get("flow"))
        except ValidationError:
            return None, problems
        return None, problems + _graph(file, document, flow)
    return settings, _graph(file, document, settings.flow) + [
        document.problem(path, message, hint, file=file)
        for path, message, hint in check_follow_up(settings.flow, settings.follow_up)]


def _graph(file: Path, document: Document, flow: FlowDecl) -> list[Problem]:
    return [document.problem(path, message, hint, file=file)
            for path, message, hint in check_flow(flow)]


def _from_pydantic(file: Path, document: Document, error: object) -> Problem:
    err: dict[str, object] = error  # type: ignore[assignment]
    loc = tuple(part for part in err["loc"] if isinstance(part, str | int))  # type: ignore[attr-defined]
    # pydantic locates errors by alias (`from`, `in`): the keys as written, as the marks are
    field = ".".join(str(part) for part in loc) or "the file"
    kind = err["type"]
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        return document.problem(loc[:-1], f"'{field}' is missing",
                                "add it here or in the flow this one extends", file=file)
    if kind == "extra_forbidden":
        return document.problem(loc, f"unknown setting '{field}'",
                                "check the spelling; see workflows/default/flow.yaml", file=file)
    return document.problem(loc, f"{field}: {message}", file=file)
