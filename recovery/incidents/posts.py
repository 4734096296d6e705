"""What an incident posts, and in which words: each served language gets every post, in its own
words. The team's title and root cause stay internal; what the public reads is given per
language (`Wording`) or written by the brand's templates, which say the problem, what works
again and its cause only as the team gave them in that language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from recovery import limits
from recovery.errors import InvalidInput, NotFound
from recovery.flows import Flow
from recovery.flows.templates import Absent
from recovery.store.records import Incident

Wording = Mapping[str, str]
"""Text for the public in each language the brand serves: `{"cs": "…", "en": "…"}`."""
SAID = ("problem", "fixed", "explained")
"""What an incident's public wording holds: the problem, what works again, its cause as told."""
TITLE = Absent("an incident's title is the team's and stays internal; its public wording is "
               "incident.says (the problem), incident.fixed and incident.explained, given per "
               "language (says=, fixed=, explained=)")
CAUSE = Absent("an incident's root cause is the team's and stays internal; tell its cause in "
               "each language with explained=")


def wording(flow: Flow, given: Wording | str | None, what: str, param: str,
            most: int = limits.NOTE) -> dict[str, str] | None:
    """`given` as one text per language the brand serves (a plain text only where it serves
    one); None when not given. Refused when a served language is missing, or one is given
    the brand does not serve."""
    if given is None:
        return None
    served = flow.settings.languages
    if isinstance(given, str):
        if len(served) > 1:
            raise InvalidInput(f"give {what} in each language {flow.brand} serves "
                               f"({', '.join(served)}), one text each ({param}=)")
        given = {served[0]: given}
    if not isinstance(given, Mapping):
        raise InvalidInput(f"give {what} as one text per language code ({param}=)")
    texts = {str(code): limits.text(text, what, most).strip() for code, text in given.items()}
    unserved = [code for code in texts if code not in served]
    if unserved:
        raise InvalidInput(f"{flow.brand} does not serve {', '.join(unserved)}; give {what} in "
                           f"{', '.join(served)}")
    missing = [code for code in served if not texts.get(code)]
    if missing:
        raise InvalidInput(f"give {what} in each language {flow.brand} serves: {param}= has "
                           f"no {', '.join(missing)}")
    return texts


def context(incident: Incident, next_update: datetime | None, language: str) -> dict[str, Any]:
    """What a template may say of the incident, in `language`: the problem (`says`), what
    works again (`fixed`) and its cause as told (`explained`) where the team gave them, its
    status and times; never its title or root cause."""
    said = incident.says or {}
    return {"incident": {"id": incident.id, "status": incident.status,
                         "opened_at": incident.opened_at, "next_update": next_update,
                         "says": _clause(said.get("problem", {}).get(language)),
                         "fixed": _clause(said.get("fixed", {}).get(language)),
                         "explained": _clause(said.get("explained", {}).get(language)),
                         "title": TITLE, "root_cause": CAUSE}}


def _clause(text: str | None) -> str | None:
    """What the team wrote, as a clause the template ends itself: without its full stop."""
    if text is None:
        return None
    return text.rstrip().rstrip(".").rstrip() or None


def texts(flow: Flow, channel: str, template: str | None, given: Mapping[str, str] | None,
          incident: Incident, next_update: datetime | None
          ) -> Iterator[tuple[str, str, str | None]]:
    """(language, text, template file) of a post on `channel` in each language the brand
    serves: the text given for it, or `template` rendered in it. A language the template has
    no file in is refused, naming the file to add: every served language gets every post."""
    for language in flow.settings.languages:
        if given is not None:
            yield language, given[language], None
            continue
        assert template is not None
        rendered = flow.render(template, channel, [language], None,
                               **context(incident, next_update, language))
        if rendered.language != language:
            raise NotFound(f"no '{template}' template in {language}, so {flow.brand}'s "
                           f"{language} customers would read {rendered.language}: add "
                           f"{flow.folders[0] / 'templates' / language / (template + '.j2')}")
        yield language, rendered.text, rendered.template
