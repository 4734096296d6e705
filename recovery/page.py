"""Self-contained HTML pages (the handbook, the care report): escaping, tables and one style,
inline, so a page opens from a file with nothing fetched. Every text put in is escaped: names,
root causes and reasons come from outside."""

from __future__ import annotations

import html
from collections.abc import Sequence

STYLE = ("body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;"
         "padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0}"
         "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;"
         "vertical-align:top}.pass{color:#17692b}.fail{color:#b00020;font-weight:bold}"
         ".skip{color:#8a6d00}.step{font-family:monospace;margin-left:2rem}"
         "figure{overflow-x:auto;margin:1rem 0}svg text{font-family:system-ui,sans-serif}")


def e(text: object) -> str:
    """`text` as HTML text or an attribute value: nothing in it is read as markup."""
    return html.escape(str(text), quote=True)


def table(columns: Sequence[str], rows: Sequence[Sequence[object]],
          ids: Sequence[str | None] | None = None) -> str:
    """An HTML table; `ids` gives each row its anchor (None: no anchor)."""
    head = "".join(f"<th>{e(column)}</th>" for column in columns)
    body = "".join((f'<tr id="{e(ids[index])}">' if ids and ids[index] else "<tr>")
                   + "".join(f"<td>{e(item)}</td>" for item in row) + "</tr>"
                   for index, row in enumerate(rows))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def document(title: str, body: Sequence[str]) -> str:
    """A whole page: `body` is HTML already escaped where it holds text."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{STYLE}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
