"""Use cases (intake, delivery, ops actions). No FastAPI and no SQLAlchemy here: the HTTP layer, the CLI and
the tests call the same functions with the same unit of work."""
