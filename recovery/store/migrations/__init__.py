"""Alembic migrations of the schema; `recovery.store.db.connect` runs them up to the head."""
