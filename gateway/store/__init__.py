"""Durable state: SQLAlchemy 2 Core tables, the engine factory, the unit of work, repositories and Alembic
migrations. SQLAlchemy is imported only under this package."""
