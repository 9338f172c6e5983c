"""The append-only, SM3 hash-chained audit log (SPEC §7).

Each entry's ``hash`` is ``hex(SM3(bytes.fromhex(prev_hash) ‖ canonical entry bytes))`` where the canonical
bytes are the UTF-8 JSON (sorted keys, no spaces, non-ASCII kept) of ``seq``, ``at`` (RFC 3339 UTC with
microseconds), ``actor``, ``action``, ``subject`` and ``detail``. The first entry's ``prev_hash`` is 64 zeros.
A one-row head (newest seq and hash) is updated in the same transaction, so removing the newest entries is
detected too. :func:`verify` names every edited, removed or reordered entry and, given the stored messages,
every stored original or canonical record that no longer matches the digests its ``message.accepted`` entry
recorded (:mod:`gateway.audit_contents`).

:func:`append_at_commit` chains an entry when its unit of work commits instead of at once: every entry of
a group commit (:mod:`gateway.store.group_commit`) is then appended with one head lock, one multi-row
``INSERT`` and one head update, and each is still hashed onto the one before it, so :func:`verify` checks
it entry by entry like any other.
"""

from __future__ import annotations

import enum
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from gateway.audit_contents import ContentCheck, ContentStore
from gateway.errors import AuditChainBroken
from gateway.model import AuditEntry
from signing import sm3_hex


class DeferringUnitOfWork(Protocol):
    """What :func:`append_at_commit` needs of a unit of work (``gateway.store.unit_of_work.UnitOfWork``)."""

    @property
    def audit(self) -> AuditStore: ...
    def deferred(self, key: str, make: Callable[[], _AtCommit]) -> _AtCommit: ...


GENESIS = "0" * 64


class AuditStore(Protocol):
    """Where the chain lives (``gateway.store.audit_log.AuditLogRepository``)."""

    def lock_head(self) -> tuple[int, str]: ...
    def head(self) -> tuple[int, str]: ...
    def append(self, entry: AuditEntry, canonical_detail: str) -> None: ...
    def append_many(self, entries: list[tuple[AuditEntry, str]]) -> None: ...
    def entries(self, batch: int = 1000) -> Iterator[AuditEntry]: ...


def _jsonable(value: object) -> Any:
    if isinstance(value, Decimal | enum.Enum):
        return str(value.value if isinstance(value, enum.Enum) else value)
    if isinstance(value, datetime):
        return _timestamp(value)
    raise TypeError(f"audit detail values must be JSON data, Decimal, datetime or enum, not {type(value)!r}")


def _timestamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def canonical_detail(detail: Mapping[str, Any]) -> str:
    """The detail as canonical JSON text (what is stored and what is hashed)."""
    return json.dumps(
        dict(detail), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable
    )


def canonical_bytes(entry: AuditEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": _timestamp(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "detail": json.loads(canonical_detail(entry.detail)),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return sm3_hex(bytes.fromhex(prev_hash) + canonical_bytes(entry))


def append(
    repo: AuditStore,
    *,
    actor: str,
    action: str,
    subject: str,
    at: datetime,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Chain a new entry onto the log inside the caller's transaction (the head row is locked)."""
    seq, prev_hash = repo.lock_head()
    text = canonical_detail(detail or {})
    draft = AuditEntry(seq + 1, at, actor, action, subject, json.loads(text), prev_hash)
    entry = AuditEntry(
        draft.seq, at, actor, action, subject, draft.detail, prev_hash, entry_hash(prev_hash, draft)
    )
    repo.append(entry, text)
    return entry


def append_at_commit(
    uow: DeferringUnitOfWork,
    *,
    actor: str,
    action: str,
    subject: str,
    at: datetime,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Like :func:`append`, but the entry is chained when ``uow`` commits, with the others deferred so
    (a savepoint that rolls back drops those made inside it)."""
    _timestamp(at)  # refuse a naive timestamp now, not at commit
    drafts = uow.deferred("audit", lambda: _AtCommit(uow.audit))
    drafts.add(actor, action, subject, at, canonical_detail(detail or {}))


class _AtCommit:
    """The entries one unit of work appends at commit (see :func:`append_at_commit`)."""

    def __init__(self, repo: AuditStore) -> None:
        self._repo = repo
        self._drafts: list[tuple[str, str, str, datetime, str]] = []

    def add(self, actor: str, action: str, subject: str, at: datetime, text: str) -> None:
        self._drafts.append((actor, action, subject, at, text))

    def mark(self) -> int:
        return len(self._drafts)

    def rewind(self, mark: int) -> None:
        del self._drafts[mark:]

    def flush(self) -> None:
        if not self._drafts:
            return
        seq, prev_hash = self._repo.lock_head()
        chained: list[tuple[AuditEntry, str]] = []
        for actor, action, subject, at, text in self._drafts:
            seq += 1
            detail = json.loads(text)
            hashed = entry_hash(prev_hash, AuditEntry(seq, at, actor, action, subject, detail, prev_hash))
            chained.append((AuditEntry(seq, at, actor, action, subject, detail, prev_hash, hashed), text))
            prev_hash = hashed
        self._repo.append_many(chained)
        self._drafts.clear()


def chain_problems(entries: Iterable[AuditEntry], head: tuple[int, str]) -> list[str]:
    """Every break in ``entries`` (in seq order) against the recorded ``head``; empty when intact."""
    problems: list[str] = []
    last_seq, last_hash = 0, GENESIS
    for entry in entries:
        expected = last_seq + 1
        if entry.seq > expected:
            gap = f"{expected}" if entry.seq == expected + 1 else f"{expected}–{entry.seq - 1}"
            problems.append(f"entry {gap} removed (sequence jumps from {last_seq} to {entry.seq})")
        if not hmac.compare_digest(entry.prev_hash, last_hash):
            problems.append(
                f"entry {entry.seq}: does not follow entry {last_seq} (an entry was removed, reordered or "
                "re-hashed before it)"
            )
        if not hmac.compare_digest(entry_hash(entry.prev_hash, entry), entry.hash):
            problems.append(f"entry {entry.seq}: edited (its content does not match its hash)")
        last_seq, last_hash = entry.seq, entry.hash
    head_seq, head_hash = head
    if head_seq > last_seq:
        problems.append(f"entries {last_seq + 1}–{head_seq} removed (the head records {head_seq} entries)")
    elif head_seq != last_seq or not hmac.compare_digest(head_hash, last_hash):
        problems.append(f"the head (entry {head_seq}) does not match the newest entry {last_seq}")
    return problems


def verify(repo: AuditStore, contents: ContentStore | None = None) -> int:
    """Check the whole chain — and, given ``contents``, the stored messages against it; returns the number
    of entries, or raises :class:`AuditChainBroken` listing the chain's problems, then the messages'."""
    count = 0
    check = None if contents is None else ContentCheck(contents)

    def counted() -> Iterable[AuditEntry]:
        nonlocal count
        for entry in repo.entries():
            count += 1
            if check is not None:
                check.see(entry)
            yield entry

    problems = chain_problems(counted(), repo.head())
    if check is not None:
        problems.extend(check.finish())
    if problems:
        raise AuditChainBroken(problems)
    return count
