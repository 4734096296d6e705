"""Alembic's environment: migrate the connection that `recovery.store.db.migrate` hands over."""

from alembic import context
from sqlmodel import SQLModel

from recovery.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from recovery.store.db import VERSIONS

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata,
                  render_as_batch=True,
                  version_table=context.config.attributes.get("version_table", VERSIONS),
                  version_table_schema=context.config.attributes.get("version_table_schema"))
with context.begin_transaction():
    context.run_migrations()
