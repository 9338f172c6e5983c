"""The fiscal inter-level gateway: store, ingest, routing, delivery, reconciliation, HTTP API, CLI."""

__version__ = "0.1.0"
