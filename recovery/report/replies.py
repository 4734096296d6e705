"""The care report's reply figures per brand: replies sent (public and private), the linter's
findings per code and severity, and the blocking findings agents overrode, with their reasons.

The findings are counted in the database: each reply event's `findings` list is unnested with
the dialect's own JSON function (SQLite `json_each`, PostgreSQL `json_array_elements`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Integer, cast, func, select, true
from sqlalchemy.sql.elements import ColumnElement

from recovery.clock import as_utc
from recovery.store.tables import cases, events

OVERRIDES = 10
"""Overrides listed per brand, the latest first (all are counted)."""


def replies(conn: Connection, where: ColumnElement[bool], found: dict[str, Any]) -> None:
    """Add each brand's `replies` figures to `found`."""
    public = cast(events.c.payload["public"].as_boolean(), Integer)
    overridden = cast(events.c.payload["override"].as_string().is_not(None), Integer)
    query = (select(cases.c.brand, func.count(), func.sum(public), func.sum(overridden))
             .join(cases, cases.c.id == events.c.case_id)
             .where(where, events.c.trigger == "reply").group_by(cases.c.brand))
    for name, sent, shown, overrides in conn.execute(query):
        found[name]["replies"] = {"sent": int(sent), "public": int(shown or 0),
                                  "overridden": int(overrides or 0), "findings": {},
                                  "overrides": []}
    _findings(conn, where, found)
    _overrides(conn, where, found)


def _findings(conn: Connection, where: ColumnElement[bool], found: dict[str, Any]) -> None:
    """How often each code was found, by severity; a blocking one was overridden each time
    (a reply it blocked was never sent)."""
    code: ColumnElement[Any]
    severity: ColumnElement[Any]
    if conn.dialect.name == "postgresql":
        each = func.json_array_elements(events.c.payload["findings"]).table_valued("value")
        code = each.c.value.op("->>")("code")
        severity = each.c.value.op("->>")("severity")
    else:
        each = func.json_each(events.c.payload, "$.findings").table_valued("value")
        code = func.json_extract(each.c.value, "$.code")
        severity = func.json_extract(each.c.value, "$.severity")
    query = (select(cases.c.brand, code.label("code"), severity.label("severity"), func.count())
             .select_from(events.join(cases, cases.c.id == events.c.case_id).join(each, true()))
             .where(where, events.c.trigger == "reply")
             .group_by(cases.c.brand, code, severity).order_by(func.count().desc(), code))
    per: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for name, found_code, found_severity, count in conn.execute(query):
        per[name][found_severity][found_code] = int(count)
    for name, severities in per.items():
        found[name]["replies"]["findings"] = {severity: dict(codes)
                                              for severity, codes in sorted(severities.items())}


def _overrides(conn: Connection, where: ColumnElement[bool], found: dict[str, Any]) -> None:
    """The latest overrides of each brand: who, when, which case, the codes and the reason."""
    reason = events.c.payload["override"].as_string()
    for name, figures in found.items():
        if not figures.get("replies", {}).get("overridden"):
            continue
        query = (select(events.c.case_id, events.c.at, events.c.by, events.c.payload)
                 .join(cases, cases.c.id == events.c.case_id)
                 .where(where, cases.c.brand == name, events.c.trigger == "reply",
                        reason.is_not(None))
                 .order_by(events.c.at.desc(), events.c.case_id.desc()).limit(OVERRIDES))
        figures["replies"]["overrides"] = [
            {"case": int(case_id), "at": as_utc(at).isoformat(), "by": by,
             "codes": [item["code"] for item in payload.get("findings") or []
                       if item.get("severity") == "blocking"],
             "reason": payload["override"]}
            for case_id, at, by, payload in conn.execute(query)]
