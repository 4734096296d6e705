"""What every command shares: global settings, reusable options, output, and error exits."""

from __future__ import annotations

import inspect
import io
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from recovery import limits
from recovery.cli.layout import say, warn
from recovery.clock import format_duration, system_clock
from recovery.errors import (
    ConcurrentUpdate,
    FlowError,
    GuardRefused,
    InvalidInput,
    NotFound,
    PolicyViolation,
    RecoveryError,
    StorageError,
    TriggerNotAllowed,
    UnknownTrigger,
)

try:  # typer vendors click from 0.2x on; before, it used click itself
    from typer._click import exceptions as _click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as _click_errors  # type: ignore[no-redef]

if TYPE_CHECKING:

    from recovery.engine import Engine

EXIT_CODES: dict[type[RecoveryError], int] = {
    UnknownTrigger: 2, InvalidInput: 2, NotFound: 3, TriggerNotAllowed: 4, GuardRefused: 4,
    PolicyViolation: 4, ConcurrentUpdate: 5, StorageError: 6, FlowError: 7,
}
"""Exit codes by error: 2 bad input (an unknown trigger too), 3 not found, 4 refused by the
flow or policy, 5 changed meanwhile, 6 database, 7 bad flow files; 1 anything else (8: a tick
in which some timers failed, `cli/timers.py`)."""


Json = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document on stdout.")]
By = Annotated[str, typer.Option("--by", envvar="RECOVERY_AGENT",
                                 help="Who acts: the agent's name.")]
Note = Annotated[str | None, typer.Option("--note", help="A note kept in the case history.")]
BrandFilter = Annotated[str | None, typer.Option("--brand", help="Only this brand.")]
Since = Annotated[str | None, typer.Option("--since", help="Cases opened from (ISO 8601); "
                                                          "default 30 days ago.")]
Until = Annotated[str | None, typer.Option("--until", help="…until (ISO 8601); default now.")]
Csv = Annotated[bool, typer.Option("--csv", help="Print it as CSV, one figure a row.")]
Page = Annotated[Path | None, typer.Option("--html", help="Write it as one self-contained HTML "
                                                          "page.", dir_okay=False)]


GLOBAL_OPTIONS = ("--db", "--workflows", "--now", "--schema")
"""Options of the whole command line, also accepted after the subcommand."""
GLOBAL_FLAGS = ("--drill",)
"""Flags (no value) of the whole command line, also accepted after the subcommand."""


class Group(TyperGroup):
    """A command group that ends every error as one line on stderr and an exit code: a
    `RecoveryError` with its own code, a usage mistake (missing or unknown option, bad value)
    with 2 and a pointer to the command's help."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; usage errors become `error: … (try '… --help')`, exit 2."""
        for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a customer's
            if isinstance(stream, io.TextIOWrapper):  # text gets escapes, not a failure after
                stream.reconfigure(errors="backslashreplace")  # the change was saved
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except _click_errors.ClickException as exc:
            if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help
                where = getattr(exc, "ctx", None)
                hint = f" (try '{where.command_path} --help')" if where is not None else ""
                message = " ".join(exc.format_message().split())
                sys.stderr.write(f"error: {message}{hint}\n")
            sys.exit(exc.exit_code)
        except typer.Abort:
            sys.stderr.write("error: aborted\n")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse the words; at the top, global options written after the subcommand count."""
        if ctx.parent is not None:
            return super().parse_args(ctx, args)
        try:
            hoisted = hoist(args)
        except ValueError as exc:
            raise _click_errors.UsageError(str(exc), ctx) from None
        return super().parse_args(ctx, hoisted)

    def get_command(self, ctx: Any, name: str) -> Any:
        """The subcommand `name`; its line in the group's help is its docstring's first
        paragraph as one flowing text (typer's rich help keeps the docstring's line breaks)."""
        command = super().get_command(ctx, name)
        if command is not None and command.short_help is None and command.help:
            first = inspect.cleandoc(command.help).partition("\n\n")[0]
            command.short_help = " ".join(first.split())
        if command is not None:
            _flags_take_no_value(command.get_params(ctx))
        return command

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's own options (its flags shown taking no value)."""
        return _flags_take_no_value(super().get_params(ctx))

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a RecoveryError becomes `error: …` on stderr, no traceback."""
        try:
            return super().invoke(ctx)
        except RecoveryError as exc:
            fail(exc)


def _flags_take_no_value(params: list[Any]) -> list[Any]:
    """`params` with each flag's value shown as nothing in the help (typer shows `<bool>`,
    which reads as if `--json true` were the way to write it)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


OWN = {"what-if": frozenset({"--workflows"})}
"""Options a subcommand takes itself, written after it, though a global option has the name."""


def hoist(args: list[str]) -> list[str]:
    """The words with the global options (`--now X`, `--db=URL`, `--drill`, …) moved to the
    front, so
    `recovery case list --now X` means `recovery --now X case list`; and a `--json` written
    before the subcommand moved after it, where every command that prints data takes it.
    Raises ValueError for a global option without its value. A subcommand's own option of a
    global option's name (`what-if --workflows PROPOSED`) stays its own after it."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            rest.extend(args[index:])
            break
        subcommand = next((said for said in rest if not said.startswith("-")), "")
        if word.split("=", 1)[0] in OWN.get(subcommand, ()):
            rest.append(word)
            index += 1
            continue
        if word in GLOBAL_FLAGS:
            front.append(word)
            index += 1
            continue
        if word.split("=", 1)[0] in GLOBAL_OPTIONS:
            if "=" not in word and (index + 1 == len(args) or args[index + 1].startswith("-")):
                raise ValueError(f"Option '{word}' requires an argument.")
            width = 1 if "=" in word else 2
            front.extend(args[index:index + width])
            index += width
            continue
        rest.append(word)
        index += 1
    command = next((at for at, word in enumerate(rest) if not word.startswith("-")), len(rest))
    if "--json" in rest[:command]:
        rest.remove("--json")
        end = rest.index("--") if "--" in rest else len(rest)
        rest.insert(end, "--json")
    return front + rest


@dataclass
class Settings:
    """The global options, and the engine built from them on first use."""

    db: str
    workflows: Path
    now: datetime | None = None
    schema: str | None = None
    drill: bool = False
    """The database is a copy to drill on: commands may act ahead of the clock."""
    command: str = ""
    """The command running, as typed: `case fire`."""
    _engine: Engine | None = field(default=None, repr=False)

    def clock(self) -> datetime:
        """The time the command acts at: `--now`, or the wall clock."""
        return self.now if self.now is not None else system_clock()

    def engine(self, create: bool = False) -> Engine:
        """The engine over `db` and `workflows`, built on first use (flow commands need none).

        Only commands that `create` (opening a case, the demo, `db init`) make a SQLite file
        that is not there; the others say it is missing instead of showing an empty board."""
        if self._engine is None:
            from recovery.engine import Engine  # here: commands that need no engine skip it
            from recovery.store.db import missing_file

            missing = None if create else missing_file(self.db)
            if missing is not None:
                fail(NotFound(f"no database at {missing}; `recovery db init` or "
                              "`recovery case open` creates it"))
            self._refuse_the_future()

            self._engine = Engine(self.db, workflows=self.workflows, clock=self.clock,
                                  schema=self.schema)
            for brand, problems in self._engine.broken.items():
                warn(f"warning: {brand}'s flow does not load, so its cases wait: "
                     f"{problems[0]} (`recovery flow validate` lists all)")
        return self._engine


    def _refuse_the_future(self) -> None:
        """A command that writes may not act at a --now ahead of the clock on a live database:
        its cases would be left in the future, and every change made at the real time would
        be refused (history is never out of order). A drill runs on a copy (`--drill`)."""
        ahead = None if self.now is None else self.now - system_clock()
        if self.drill or ahead is None or ahead <= AHEAD or _reads(self.command):
            return
        fail(InvalidInput(f"--now is {format_duration(ahead)} ahead of the clock: acting then on "
                          "this database would leave its cases in the future, and every "
                          "change made now would be refused; drill on a copy: `recovery db "
                          "copy drill.db`, then `recovery --db sqlite:///drill.db --drill "
                          "--now …`"))


AHEAD = timedelta(minutes=5)
"""How far ahead of this machine's clock --now may be on a live database (another machine's
clock may run a little fast)."""
READS = frozenset({"case show", "case list", "events", "notices", "hours", "report", "timers",
                   "outbox list", "outbox stats", "remedy list", "incident list",
                   "incident show", "audit verify", "lint", "handbook", "flow"})
"""The commands that only read: they may look at any moment."""


def _reads(command: str) -> bool:
    """Whether `command` only reads the database."""
    words = command.split()
    return any(" ".join(words[:size]) in READS for size in (1, 2))


def settings(ctx: typer.Context) -> Settings:
    """The global settings of this invocation (and which command asks for them)."""
    found: Settings = ctx.find_root().obj
    found.command = " ".join(ctx.command_path.split()[1:])
    return found


def zones(engine: Engine) -> dict[str, str]:
    """Each brand's time zone, for tables that show times as the brand's team reads them."""
    return {name: flow.settings.timezone for name, flow in engine.flows.items()}


def parse_time(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time from the command line; without an offset it is read as UTC, and a note
    on stderr says so."""
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(InvalidInput(f"{option}: '{text}' is not a time; write it like 2026-12-04T09:00Z "
                          "(UTC) or 2026-12-04T10:00+01:00"))
    try:
        checked = limits.instant(when)
    except InvalidInput as exc:
        fail(InvalidInput(f"{option}: {exc}"))
    if when.tzinfo is None:
        sys.stderr.write(f"note: {option} {text} has no offset; read as UTC\n")
    return checked


CALLS = {"offer_remedy()": "`recovery remedy offer`", "record_answer()": "`recovery case answer`",
         "tick()": "`recovery tick`", "validate_flows()": "`recovery flow validate`",
         "audit()": "`recovery audit verify`", "incidents.link()": "`recovery incident link`",
         "mapping=": "--map"}
"""The library's calls (and parameters of another name) that its messages name, and the
command line's words for them."""
PARAMETER = re.compile(r"\b([a-z][a-z_]*)=(?=[\s),;:]|$)")
"""A parameter a library message names, `by=` (not a value given, which is quoted)."""


def in_commands(message: str) -> str:
    """A library message in the command line's words: `by=` becomes `--by`, `root_cause=`
    `--root-cause`, `offer_remedy()` the command that offers one."""
    for call, command in CALLS.items():
        message = message.replace(call, command)
    return PARAMETER.sub(lambda found: "--" + found[1].replace("_", "-"), message)


def with_specs(module: str) -> Any:
    """Import `module`, which runs the policy scenarios; where pytest or pytest-bdd is not
    installed, end the command with one line saying how to get them."""
    from importlib import import_module

    try:
        return import_module(module)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("pytest", "_pytest", "pytest_bdd", "gherkin"):
            raise
        from recovery.handbook import SPECS_MISSING

        fail(RecoveryError(SPECS_MISSING))


def one_output(json: bool, csv: bool, html: Path | None) -> None:
    """Refuse more than one of `--json`, `--csv` and `--html`."""
    if json + csv + (html is not None) > 1:
        fail(InvalidInput("choose one of --json, --csv and --html"))


def write_page(html: Path, text: str) -> None:
    """Write the `--html` page and say so; a one-line error where it cannot be written."""
    try:
        html.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(InvalidInput(f"--html: cannot write {html}: {exc.strerror}"))
    say(f"wrote {html}")


def fail(error: RecoveryError) -> NoReturn:
    """Stop the command: print `error: <message>` on stderr, in the command line's words, and
    exit with the error's code."""
    sys.stderr.write(f"error: {in_commands(str(error))}\n")
    raise typer.Exit(next((code for kind, code in EXIT_CODES.items()
                           if isinstance(error, kind)), 1))
