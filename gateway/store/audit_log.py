"""Storage of the audit chain: append-only rows plus a one-row head that appenders lock.

The hashing itself lives in :mod:`gateway.audit`; this module only reads and writes rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import Connection, bindparam, insert, select, update

from gateway.model import AuditEntry
from gateway.store.tables import audit_head, audit_log

_LOCK_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
_INSERT = insert(audit_log)
_MOVE_HEAD = (
    update(audit_head).where(audit_head.c.id == 1).values(seq=bindparam("h_seq"), hash=bindparam("h_hash"))
)


class AuditLogRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def lock_head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry, locked until the transaction ends (serialises appenders)."""
        row = self._c.execute(_LOCK_HEAD).one()
        return int(row.seq), str(row.hash)

    def head(self) -> tuple[int, str]:
        row = self._c.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
        return int(row.seq), str(row.hash)

    def append(self, entry: AuditEntry, canonical_detail: str) -> None:
        """Insert ``entry`` (already hashed) and move the head to it."""
        self._c.execute(
            insert(audit_log).values(
                seq=entry.seq,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                subject=entry.subject,
                detail=canonical_detail,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )
        self._c.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=entry.seq, hash=entry.hash))

    def append_many(self, entries: list[tuple[AuditEntry, str]]) -> None:
        """Insert ``entries`` (already hashed, in chain order; with their canonical detail texts) in one
        multi-row ``INSERT`` and move the head to the last."""
        if not entries:
            return
        self._c.execute(  # executemany of one statement built once: one round trip, no per-batch compile
            _INSERT,
            [
                {
                    "seq": entry.seq,
                    "at": entry.at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "subject": entry.subject,
                    "detail": text,
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                }
                for entry, text in entries
            ],
        )
        last = entries[-1][0]
        self._c.execute(_MOVE_HEAD, {"h_seq": last.seq, "h_hash": last.hash})

    def entries(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in ``seq`` order, read in batches."""
        after = -1
        while True:
            rows = self._c.execute(
                select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(batch)
            ).all()
            if not rows:
                return
            for r in rows:
                yield AuditEntry(
                    seq=r.seq,
                    at=r.at,
                    actor=r.actor,
                    action=r.action,
                    subject=r.subject,
                    detail=json.loads(r.detail),
                    prev_hash=r.prev_hash,
                    hash=r.hash,
                )
            after = rows[-1].seq
