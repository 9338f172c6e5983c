"""Alembic environment: always run from :mod:`gateway.store.schema` with a connection handed over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from gateway.store.tables import metadata

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `fiscalgw db upgrade` (gateway.store.schema.upgrade)")

context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
