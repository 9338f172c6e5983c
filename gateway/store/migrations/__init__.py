"""Alembic migration scripts, shipped as package data and run programmatically (``fiscalgw db upgrade``)."""
