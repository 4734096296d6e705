"""A brand's reply templates: found most specific first, rendered in a Jinja2 sandbox.

Templates are files under `<brand>/templates/`, written by brand owners, so they run in Jinja2's
immutable sandbox (no reaching into Python internals; `sandbox.py` bounds includes, loops and
rendering) and every variable they use must be given (`StrictUndefined`). For a template
`name` in language `lang` on `channel`, the first file found wins, trying the customer's
language first, then the brand's languages, then English; and within a language, the brand's
folder before the folders of the flows it extends:

    templates/<voice>/<lang>/<name>.<channel>.j2     voice and channel specific
    templates/<voice>/<lang>/<name>.j2
    templates/<lang>/<name>.<channel>.j2
    templates/<lang>/<name>.j2                       any voice, any channel

A variant for the customer's mood comes before the plain template at each of those places:
`acknowledge.angry.j2` answers an angry customer, `acknowledge.j2` everyone else. A file whose
name starts with `_` is a partial that templates include (`{% include "casual/en/_about.j2" %}`
says a sentence on what the case is about, `case.about`).

Dates, times and money are formatted with `babel` for the language in the brand's country
(`formats.py`), in the brand's time zone:
`{{ back_at | weekday }}`, `{{ back_at | time }}`, `{{ back_at | date }}`,
`{{ remedy.value | money(remedy.unit) }}` (a currency code), `{{ 20 | percent }}`, and
`{{ remedy | amount }}` (money, a percentage or "1 meal" as the unit says).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from babel.dates import format_date, format_time
from jinja2 import TemplateError, TemplateSyntaxError, pass_context
from jinja2.runtime import Context

from recovery.errors import FlowError, InvalidInput, NotFound, Problem
from recovery.flows.sandbox import Sandbox, render
from recovery.formats import amount, locale_of, money, percent

SUFFIX = ".j2"
PARTIAL = "_"
"""How a partial's name starts (`_about.j2`): a piece other templates include, never a reply
of its own."""


class Absent:
    """Case data a template may use that the case has not got (no remedy agreed, no incident
    linked): false in `{% if remedy %}`, and any other use stops the reply with `why`, which
    says what to do, instead of blaming the template."""

    def __init__(self, why: str) -> None:
        self._why = why

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # Python's and Jinja's own probes
            raise AttributeError(name)
        raise InvalidInput(self._why)

    def _stop(self, *_: Any) -> Any:
        raise InvalidInput(self._why)

    __getitem__ = __iter__ = __len__ = __str__ = _stop


@dataclass(frozen=True)
class Rendered:
    """A rendered template: its text, the language it is in, and the file it came from."""

    text: str
    language: str
    template: str


def _locale(context: Context) -> str:
    """The locale a template writes numbers in: its language, in the brand's country."""
    return locale_of(str(context.get("language", "en")), context.get("country"))


def _local(context: Context, when: datetime) -> datetime:
    zone = context.get("zone")
    return when.astimezone(zone) if zone is not None else when


@pass_context
def _time(context: Context, when: datetime) -> str:
    return format_time(_local(context, when), "short", locale=_locale(context))


@pass_context
def _weekday(context: Context, when: datetime) -> str:
    return format_date(_local(context, when), "EEEE", locale=_locale(context))


@pass_context
def _date(context: Context, when: datetime) -> str:
    return format_date(_local(context, when), "long", locale=_locale(context))


@pass_context
def _money(context: Context, value: Decimal | float | str, currency: str) -> str:
    return money(value, currency, _locale(context))


@pass_context
def _percent(context: Context, value: Decimal | float | str) -> str:
    return percent(value, _locale(context))


@pass_context
def _amount(context: Context, remedy: dict[str, Any]) -> str:
    """A remedy's amount in the template's language (`formats.amount`): money for a currency
    code, a percentage for `percent`, the brand's own words where it declares them for the
    language (`says`: "one free meal", "2 jídla zdarma"), else the number and the unit."""
    return amount(remedy["value"], str(remedy["unit"]), _locale(context), remedy.get("says"))


class _Found(NamedTuple):
    """The template file that answers a lookup: its language, its path, its name in the
    brand's sandbox and as shown (relative to the workflows folder)."""

    language: str
    path: Path
    inside: str
    shown: str


_PARSER = Sandbox([])
"""Reads a template's syntax (no folder: it loads nothing)."""


class Templates:
    """The templates of every brand under one workflows folder."""

    def __init__(self, workflows: Path) -> None:
        self.root = workflows.resolve()
        self._envs: dict[tuple[Path, ...], Sandbox] = {}
        self._files: frozenset[Path] | None = None
        self._found: dict[tuple[Any, ...], _Found | None] = {}
        """Each lookup's answer, found once (the files there are are read once too)."""

    def env(self, folders: tuple[Path, ...]) -> Sandbox:
        """The sandbox a brand's templates render in: it sees the templates of the brand and
        of the flows it extends, and nothing else."""
        env = self._envs.get(folders)
        if env is None:
            env = self._envs[folders] = Sandbox([folder / "templates" for folder in folders])
            env.filters.update(time=_time, weekday=_weekday, date=_date, money=_money,
                               percent=_percent, amount=_amount)
        return env

    def candidates(self, folders: tuple[Path, ...], voice: str, languages: list[str], name: str,
                   channel: str, variant: str | None = None) -> Iterator[tuple[str, Path]]:
        """Every file that could hold template `name`, most specific first, with its language."""
        names = [f"{name}.{variant}", name] if variant else [name]
        for language in dict.fromkeys([*languages, "en"]):
            for folder in folders:
                base = folder / "templates"
                for place in (base / voice / language, base / language):
                    for stem in names:
                        yield language, place / f"{stem}.{channel}{SUFFIX}"
                        yield language, place / f"{stem}{SUFFIX}"

    def find(self, folders: tuple[Path, ...], voice: str, languages: list[str], name: str,
             channel: str, variant: str | None = None) -> tuple[str, Path] | None:
        """The template file that answers, and its language; None when there is none."""
        found = self._lookup(folders, voice, languages, name, channel, variant)
        return None if found is None else (found.language, found.path)

    def _lookup(self, folders: tuple[Path, ...], voice: str, languages: list[str], name: str,
                channel: str, variant: str | None) -> _Found | None:
        """`find`'s answer with the file's name in the brand's sandbox, looked up once."""
        key = (folders, voice, tuple(languages), name, channel, variant)
        if key in self._found:
            return self._found[key]
        if self._files is None:  # the templates there are, read once like the flow files
            self._files = frozenset(self.root.rglob(f"*{SUFFIX}"))
        found = next(((language, path) for language, path
                      in self.candidates(folders, voice, languages, name, channel, variant)
                      if path in self._files), None)
        answer = None
        if found is not None:
            language, path = found
            home = next(folder / "templates" for folder in folders
                        if path.is_relative_to(folder / "templates"))
            answer = _Found(language, path, path.relative_to(home).as_posix(),
                            str(path.relative_to(self.root)))
        self._found[key] = answer
        return answer

    def render(self, folders: tuple[Path, ...], voice: str, languages: list[str], name: str,
               channel: str, variant: str | None = None, **context: Any) -> Rendered:
        """Render template `name` (its `variant` first, if any) for the first of `languages`
        that has one."""
        found = self._lookup(folders, voice, languages, name, channel, variant)
        if found is None:
            tried = ", ".join(dict.fromkeys([*languages, "en"]))
            known = ", ".join(self.names(folders)) or "none"
            raise NotFound(f"no '{name}' template in {tried} (known: {known}); add "
                           f"{folders[0] / 'templates' / languages[0] / (name + SUFFIX)}")
        try:
            template = self.env(folders).get_template(found.inside)
            text = render(template, {"language": found.language, "channel": channel,
                                     **context})
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            raise FlowError([Problem(found.path, line, f"template {name}: {exc.message}",
                                     "fix the template")]) from exc
        except (ArithmeticError, RecursionError, MemoryError, TypeError, ValueError) as exc:
            raise FlowError([Problem(found.path, None, f"template {name} fails: {exc}",
                                     "fix the template")]) from exc
        text = text.strip()
        return Rendered(text, found.language, found.shown)

    @staticmethod
    def names(folders: tuple[Path, ...]) -> list[str]:
        """The template names these brand folders offer (`acknowledge`, `after_hours`, …)."""
        return sorted({path.name.split(".")[0] for folder in folders
                       for path in (folder / "templates").rglob(f"*{SUFFIX}")
                       if not path.name.startswith(PARTIAL)})

    def check(self, folder: Path) -> list[Problem]:
        """Syntax problems of every template in a brand's folder, with file and line."""
        problems = []
        for path in sorted((folder / "templates").rglob(f"*{SUFFIX}")):
            try:
                problem = _syntax(path, path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                problem = Problem(path, None, "not UTF-8 text", "save it as UTF-8")
            if problem is not None:
                problems.append(problem)
        return problems


@lru_cache(maxsize=4096)
def _syntax(path: Path, text: str) -> Problem | None:
    """The syntax problem of a template's text, if any. Kept per text: an engine opened again
    in the same process (a test, a host's second engine, each CLI command in a test run) does
    not parse the same templates again."""
    try:
        _PARSER.parse(text)
    except TemplateSyntaxError as exc:
        return Problem(path, exc.lineno, f"template syntax: {exc.message}")
    return None
