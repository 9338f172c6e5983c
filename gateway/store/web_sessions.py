"""People's web sessions: one row per signed-in browser, keyed by the SM3 of the session id its signed
cookie carries (the id itself is never stored). Signing out deletes the row; expired rows are purged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, select

from gateway.store.tables import web_sessions

_LIVE = select(web_sessions.c.person, web_sessions.c.role).where(
    web_sessions.c.id == bindparam("s_id"), web_sessions.c.expires_at > bindparam("s_now")
)

_END = delete(web_sessions).where(web_sessions.c.id == bindparam("s_id"))
"""Statements bound by key (a primary-key look-up in the database, not a comparison of secrets in Python:
without the cookie secret nobody can present a session id the server did not issue)."""


class WebSessionRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, digest: str, person: str, role: str, created_at: datetime, expires_at: datetime) -> None:
        self._c.execute(
            insert(web_sessions).values(
                id=digest, person=person, role=role, created_at=created_at, expires_at=expires_at
            )
        )

    def live(self, digest: str, now: datetime) -> tuple[str, str] | None:
        """(person, role) of the session, or ``None`` when it was signed out, expired or never existed."""
        row = self._c.execute(_LIVE, {"s_id": digest, "s_now": now}).one_or_none()
        return None if row is None else (str(row.person), str(row.role))

    def end(self, digest: str) -> bool:
        """Sign the session out; ``False`` when it had already ended."""
        return self._c.execute(_END, {"s_id": digest}).rowcount > 0

    def purge_expired(self, now: datetime) -> int:
        return self._c.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now)).rowcount
