"""Used request nonces (ADR 0006): the ``X-Message-Id`` of every signed inbox, status and trace request, per
sender, kept while its ``X-Timestamp`` is inside the window — a captured request cannot be sent again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from gateway.store.tables import request_nonces


class RequestNonceRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def use(self, sender: str, nonce: str, signed_at: datetime) -> bool:
        """Record ``nonce`` as used by ``sender``; False if it already was (a concurrent twin included:
        ``INSERT … ON CONFLICT DO NOTHING`` on both dialects, so the loser waits for and sees the winner)."""
        dialect = postgresql if self._c.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(request_nonces)
            .values(sender=sender, nonce=nonce, signed_at=signed_at)
            .on_conflict_do_nothing(index_elements=["sender", "nonce"])
            .returning(request_nonces.c.nonce)
        )
        return self._c.execute(statement).first() is not None

    def prune(self, before: datetime) -> int:
        """Forget nonces signed before ``before`` (their requests are refused as stale anyway)."""
        result = self._c.execute(delete(request_nonces).where(request_nonces.c.signed_at < before))
        return int(result.rowcount)
