"""The column type of every moment the engine's tables keep, and the field that declares one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field


class Moment(TypeDecorator[datetime]):
    """A moment in time (`DateTime(timezone=True)`), read back whether the driver hands over
    text (SQLite, as SQLAlchemy writes it) or already a datetime (a host's sqlite3 connection
    that parses declared types, as Django's does, joined by `Engine.joined`)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        parse = super().result_processor(dialect, coltype)
        if parse is None:
            return None

        def read(value: Any) -> Any:
            return value if value is None or isinstance(value, datetime) else parse(value)
        return read


def moment(nullable: bool = False, index: bool = False) -> Any:
    """A table's field holding a moment (`Moment`)."""
    return Field(default=None, sa_column=Column(Moment(), nullable=nullable, index=index))
