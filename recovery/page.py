"""Self-contained HTML pages (the handbook, the care report): escaping, tables and one style,
inline, so a page opens from a file with nothing fetched. Every text put in is escaped: names,
root causes and reasons come from outside."""

from __future__ import annotations

import html
from collections.abc import Sequence

STYLE = ("body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;"
         "padding:0 1rem;color:#222;overflow-wrap:break-word}"
         ".scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}"
         "table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;"
         "vertical-align:top}.headline td:first-child{font-weight:bold}"
         ".headline thead{display:none}.pass{color:#17692b}"
         ".fail{color:#b00020;font-weight:bold}.skip{color:#8a6d00}"
         ".step{font-family:monospace;margin-left:2rem}"
         "figure{overflow:auto;max-width:100%;margin:1rem 0}"
         "figure svg{max-width:100%;height:auto}"
         "figure.zoom svg{max-width:none}figure.flow{cursor:zoom-in}"
         "figure.flow.zoom{cursor:zoom-out}svg text{font-family:system-ui,sans-serif}"
         "@media (max-width:40rem){body{margin:1rem auto}.step{margin-left:.5rem}}")
"""One style for every page: tables and pictures scroll inside their own box where they are
wider than a phone, never the page; a flow picture fits the page and zooms on a click."""
ZOOM = "this.classList.toggle('zoom')"
"""What a click on a flow picture does: show it full size (scrolling in its box), or fit."""


def e(text: object) -> str:
    """`text` as HTML text or an attribute value: nothing in it is read as markup."""
    return html.escape(str(text), quote=True)


def table(columns: Sequence[str], rows: Sequence[Sequence[object]],
          ids: Sequence[str | None] | None = None, css: str = "") -> str:
    """An HTML table in a box that scrolls on a narrow screen; `ids` gives each row its
    anchor (None: no anchor)."""
    head = "".join(f"<th>{e(column)}</th>" for column in columns)
    body = "".join((f'<tr id="{e(ids[index])}">' if ids and ids[index] else "<tr>")
                   + "".join(f"<td>{e(item)}</td>" for item in row) + "</tr>"
                   for index, row in enumerate(rows))
    kind = f' class="{e(css)}"' if css else ""
    return (f'<div class="scroll"><table{kind}><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def document(title: str, body: Sequence[str]) -> str:
    """A whole page: `body` is HTML already escaped where it holds text."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title><style>{STYLE}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
