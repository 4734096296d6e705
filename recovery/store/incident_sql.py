"""The incidents' statements: written inside the writer's transactions (`Tx.run`), read on a
connection of their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, null, select, update

from recovery.clock import as_utc
from recovery.store.records import Incident, IncidentLink, IncidentPost
from recovery.store.tables import cases, incident_cases, incident_posts, incidents

INSERT = insert(incidents).returning(incidents.c.id)
POST = insert(incident_posts)
ADVANCE = (update(incidents).where(incidents.c.id == bindparam("incident_id"),
                                   incidents.c.posts == bindparam("old_posts"))
           .values(posts=bindparam("new_posts"), next_update=bindparam("next")))
RESOLVE = (update(incidents).where(incidents.c.id == bindparam("incident_id"),
                                   incidents.c.posts == bindparam("old_posts"))
           .values(posts=bindparam("new_posts"), status="resolved", next_update=null(),
                   resolved_at=bindparam("at"), root_cause=bindparam("cause"),
                   says=bindparam("says")))
LINKED = select(incident_cases.c.status).where(incident_cases.c.incident_id == bindparam("of"),
                                               incident_cases.c.case_id == bindparam("case"))
OPEN_ON = select(incidents.c.id, incidents.c.channels, incidents.c.keywords).where(
    incidents.c.brand == bindparam("brand"), incidents.c.status == "open",
    incidents.c.opened_at <= bindparam("at"))
"""A brand's incidents open at a moment: their channels and keywords."""
SUGGEST = insert(incident_cases).values(status="suggested")
LINK = insert(incident_cases).values(status="linked")
CONFIRM = (update(incident_cases).where(incident_cases.c.incident_id == bindparam("of"),
                                        incident_cases.c.case_id == bindparam("case"))
           .values(status="linked", linked_at=bindparam("at"), linked_by=bindparam("by")))


def _incident(row: Any) -> Incident:
    data = row._asdict()
    data["keywords"] = data["keywords"] or []
    data["opened_at"] = as_utc(data["opened_at"])
    for name in ("resolved_at", "next_update"):
        data[name] = as_utc(data[name]) if data[name] else None
    return Incident(**data)


def get(conn: Connection, incident_id: int) -> Incident | None:
    """The incident with that id, or None."""
    row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
    return None if row is None else _incident(row)


def listing(conn: Connection, brand: str | None, status: str | None,
            limit: int) -> list[Incident]:
    """Incidents, newest first."""
    query = select(incidents).order_by(incidents.c.id.desc()).limit(limit)
    if brand is not None:
        query = query.where(incidents.c.brand == brand)
    if status is not None:
        query = query.where(incidents.c.status == status)
    return [_incident(row) for row in conn.execute(query)]


def posts(conn: Connection, incident_id: int) -> list[IncidentPost]:
    """Everything the incident posted, in order."""
    query = (select(incident_posts).where(incident_posts.c.incident_id == incident_id)
             .order_by(incident_posts.c.seq, incident_posts.c.id))
    found = []
    for row in conn.execute(query):
        data = row._asdict()
        del data["id"]
        data["at"] = as_utc(data["at"])
        found.append(IncidentPost(**data))
    return found


def links(conn: Connection, *, incident_id: int | None = None,
          case_id: int | None = None) -> list[IncidentLink]:
    """The cases suggested for or linked to an incident (or a case's incidents), in order."""
    query = (select(incident_cases, incidents.c.title)
             .join(incidents, incidents.c.id == incident_cases.c.incident_id)
             .order_by(incident_cases.c.incident_id, incident_cases.c.case_id))
    if incident_id is not None:
        query = query.where(incident_cases.c.incident_id == incident_id)
    if case_id is not None:
        query = query.where(incident_cases.c.case_id == case_id)
    return [IncidentLink(row.incident_id, row.case_id, row.status,
                         as_utc(row.suggested_at) if row.suggested_at else None,
                         as_utc(row.linked_at) if row.linked_at else None, row.linked_by,
                         row.title)
            for row in conn.execute(query)]


def transparency(conn: Connection, brand: str | None, since: datetime,
                 until: datetime) -> list[dict[str, Any]]:
    """Per incident opened in the period: when it was first announced, and how many of its
    linked complaints came after that (announced before N of M complaints)."""
    announced = (select(incident_posts.c.incident_id, func.min(incident_posts.c.at)
                        .label("at")).where(incident_posts.c.kind == "announce")
                 .group_by(incident_posts.c.incident_id).subquery())
    query = (select(incidents.c.id, incidents.c.brand, incidents.c.title, incidents.c.status,
                    announced.c.at,
                    func.count(incident_cases.c.case_id).label("complaints"),
                    func.count(cases.c.id).filter(cases.c.opened_at >= announced.c.at)
                    .label("after"))
             .join(announced, announced.c.incident_id == incidents.c.id, isouter=True)
             .join(incident_cases, and_(incident_cases.c.incident_id == incidents.c.id,
                                        incident_cases.c.status == "linked"), isouter=True)
             .join(cases, cases.c.id == incident_cases.c.case_id, isouter=True)
             .where(incidents.c.opened_at >= since, incidents.c.opened_at < until)
             .group_by(incidents.c.id, incidents.c.brand, incidents.c.title,
                       incidents.c.status, announced.c.at)
             .order_by(incidents.c.id))
    if brand is not None:
        query = query.where(incidents.c.brand == brand)
    return [{"id": row.id, "brand": row.brand, "title": row.title, "status": row.status,
             "announced_at": as_utc(row.at).isoformat() if row.at else None,
             "complaints": int(row.complaints), "announced_before": int(row.after)}
            for row in conn.execute(query)]
