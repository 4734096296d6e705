"""`recovery reply` and `recovery lint`: write a reply from a template or text, lint it, send it.

Findings are printed one per line (`blocking blame: …`). A blocking finding refuses the reply
(exit 4) unless `--override "reason"` is given; the reason is recorded with the reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from recovery.cli.common import By, Json, Note, settings
from recovery.cli.layout import emit_json, indented, say, warn
from recovery.errors import InvalidInput

if TYPE_CHECKING:
    from recovery.replies import Finding, Linted

Private = Annotated[bool, typer.Option("--private", help="A private message, not a public "
                                       "reply (personal data is allowed there).")]


def reply(ctx: typer.Context,
          case_id: Annotated[int, typer.Argument(help="The case id.", min=1)],
          by: By,
          template: Annotated[str | None, typer.Option(
              help="A template of the brand: acknowledge, move_private, remedy_offer, "
                   "resolution, follow_up.")] = None,
          text: Annotated[str | None, typer.Option(help="The reply's own text.")] = None,
          private: Private = False,
          fire: Annotated[str | None, typer.Option(
              help="Also fire this trigger with the reply (e.g. acknowledge).")] = None,
          override: Annotated[str | None, typer.Option(
              help="Send despite blocking findings; the reason is recorded.")] = None,
          dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the reply and its "
                                                "findings; record nothing.")] = False,
          note: Note = None, json: Json = False) -> None:
    """Write a reply (template or text), lint it and record it for the helpdesk to post."""
    engine = settings(ctx).engine()
    draft = engine.draft(case_id, by=by, template=template, text=text, public=not private)
    if dry_run:
        if json:
            emit_json({"text": draft.text, "language": draft.language,
                       "template": draft.template, **_linted(draft.linted)})
            return
        where = "public" if not private else "private"
        say(f"preview of a {where} reply to case {case_id} ({draft.language or '?'}, "
            f"{len(draft.text)} characters); nothing is sent or recorded:", style="bold")
        indented(draft.text)
        _print(draft.linted.findings)
        return
    _print(tuple(item for item in draft.linted.findings if item not in draft.linted.blocking),
           to_err=True)  # the blocking ones are in the refusal, or overridden
    event = engine.send(draft, fire=fire, override=override, note=note)
    if json:
        emit_json(event.as_dict())
    else:
        where = "privately" if private else "publicly"
        say(f"case {case_id}: replied {where} ({draft.language or '?'}, "
            f"{len(draft.text)} characters)" + (f"; {fire} fired" if fire else ""))


def lint(ctx: typer.Context,
         text: Annotated[str, typer.Argument(help="The reply to check.")],
         brand: Annotated[str, typer.Option(help="The brand replying.")],
         channel: Annotated[str, typer.Option(help="Where it goes (twitter, facebook, …).")],
         private: Private = False,
         language: Annotated[str | None, typer.Option(
             help="The customer's language (ISO 639-1), to check the reply matches it.")] = None,
         json: Json = False) -> None:
    """Check a reply against the brand's rules; exit 4 when a finding blocks it."""
    if not text.strip():
        raise InvalidInput("give the reply's text to lint")
    linted = settings(ctx).engine(create=True).lint(brand, channel, text, public=not private,
                                                    language=language)
    if json:
        emit_json(_linted(linted))
    elif linted.findings:
        _print(linted.findings)
    else:
        say("no findings")
    if linted.blocking:
        raise typer.Exit(4)


def _linted(linted: Linted) -> dict[str, object]:
    return {"language": linted.language, "redirect_only": linted.redirect_only,
            "findings": linted.as_payload()}


def _print(findings: tuple[Finding, ...], to_err: bool = False) -> None:
    for finding in findings:
        (warn if to_err else say)(str(finding))
