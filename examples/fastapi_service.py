"""A small FastAPI service embedding `recovery` over SQLAlchemy: a complaint posted to it
becomes a ticket of its own and a case, in one transaction (`engine.joined`), and a ticket's
actions are its case's truthful listing.

    CARE_DATABASE_URL=sqlite:///care.db uvicorn examples.fastapi_service:app

`tests/test_examples.py` runs it through FastAPI's test client, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

from recovery import Engine, RecoveryError

HOST = MetaData()
tickets = Table("tickets", HOST, Column("id", Integer, primary_key=True),
                Column("subject", String(200)), Column("case_id", Integer))
"""The service's own table, beside the engine's."""

db = create_engine(os.environ.get("CARE_DATABASE_URL", "sqlite:///care.db"))
HOST.create_all(db)
engine = Engine(db, workflows=os.environ.get(
    "RECOVERY_WORKFLOWS", Path(__file__).resolve().parent.parent / "workflows"))


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    engine.warm()  # before the first request, not during it
    yield
    engine.close()


app = FastAPI(lifespan=lifespan)


class Complaint(BaseModel):
    brand: str
    channel: str
    author: str
    text: str
    post: str


@app.post("/complaints", status_code=201)
def complain(complaint: Complaint) -> dict[str, int]:
    """A ticket and its case, kept or lost together."""
    try:
        with db.begin() as conn, engine.joined(conn) as joined:
            case = engine.open_case(complaint.brand, channel=complaint.channel,
                                    author=complaint.author, text=complaint.text,
                                    external_id=complaint.post)
            ticket = conn.execute(tickets.insert().values(
                subject=f"{complaint.channel}: {complaint.author}", case_id=case.id)
            ).inserted_primary_key[0]
    except RecoveryError as exc:
        raise HTTPException(422, str(exc)) from exc
    joined.tell()  # committed: the subscribers hear of it now
    return {"ticket": int(ticket), "case": case.id}


@app.get("/tickets/{ticket}/actions")
def actions(ticket: int) -> list[str]:
    """What an agent may do on the ticket now: what `fire` takes."""
    return engine.allowed_triggers(_case_of(ticket))


@app.post("/tickets/{ticket}/actions/{trigger}")
def act(ticket: int, trigger: str, by: str) -> dict[str, str]:
    """Fire one of the ticket's actions on its case."""
    try:
        with db.begin() as conn, engine.joined(conn) as joined:
            event = engine.fire(_case_of(ticket), trigger, by=by)
    except RecoveryError as exc:
        raise HTTPException(409, str(exc)) from exc
    joined.tell()
    return {"state": event.dest}


def _case_of(ticket: int) -> int:
    with db.connect() as own:
        found = own.execute(select(tickets.c.case_id).where(tickets.c.id == ticket)).scalar()
    if found is None:
        raise HTTPException(404, f"no ticket {ticket}")
    return int(found)
