"""What a ``message.accepted`` audit entry vouches for, checked against what the store holds now.

The chain (:mod:`gateway.audit`) proves its entries were not edited; this module proves the stored messages
were not edited either. Each ``message.accepted`` entry records, in its hashed detail:

- ``body_sm3``: hex SM3 of the signed original, byte for byte (every entry since the first release);
- ``record_sm3``: hex SM3 of each stored canonical record text (UTF-8), the list index being the record's
  position (entries written since issue 13; older entries carry only the ``records`` count).

Verification compares the stored original with ``body_sm3`` *in the chain* — never with the message's own
``body_sm3`` column, which whoever rewrites a body can rewrite too (a column that no longer matches the
chain is reported as well, since replays are answered from it) — and every stored record with its digest,
or, for entries written before ``record_sm3``, the number of stored records with ``records``.

Entries are checked in batches as the chain streams past (:class:`ContentCheck`); bodies and records are
read with streaming cursors, so memory stays bounded by one batch whatever the size of the store.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from gateway.model import AuditEntry, StoredOriginal
from signing import sm3_hex

ACCEPTED = "message.accepted"
BATCH = 200
"""Accepted entries checked per round of queries."""


def record_digests(canonical_texts: Iterable[str]) -> list[str]:
    """``record_sm3`` of an accepted entry: hex SM3 of each canonical text, in position order."""
    return [sm3_hex(text.encode("utf-8")) for text in canonical_texts]


class ContentStore(Protocol):
    """Read access to the stored messages (``gateway.store.messages.MessageRepository``)."""

    def originals(self, message_ids: Sequence[str]) -> Iterator[StoredOriginal]: ...
    def record_texts(self, pks: Sequence[int]) -> Iterator[tuple[int, int, str]]: ...
    def count(self) -> int: ...


@dataclass(frozen=True)
class Accepted:
    """The part of a ``message.accepted`` entry that describes the stored message."""

    seq: int
    sender: str
    message_id: str
    body_sm3: str
    record_count: int | None
    record_sm3: tuple[str, ...] | None

    @property
    def name(self) -> str:
        return f"message {self.sender}/{self.message_id} (audit entry {self.seq})"

    @classmethod
    def of(cls, entry: AuditEntry) -> Accepted | None:
        """``None`` for other actions; an entry too mangled to read is the chain check's business."""
        if entry.action != ACCEPTED or not entry.subject.startswith(f"{entry.actor}/"):
            return None
        detail = entry.detail
        body_sm3, count, digests = detail.get("body_sm3"), detail.get("records"), detail.get("record_sm3")
        if not isinstance(body_sm3, str):
            return None
        return cls(
            seq=entry.seq,
            sender=entry.actor,
            message_id=entry.subject[len(entry.actor) + 1 :],
            body_sm3=body_sm3,
            record_count=count if isinstance(count, int) else None,
            record_sm3=tuple(str(d) for d in digests) if isinstance(digests, list) else None,
        )


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _record_problems(accepted: Accepted, texts: dict[int, str]) -> Iterator[str]:
    if accepted.record_sm3 is None:  # written before record_sm3: the count is what it vouches for
        if accepted.record_count is not None and accepted.record_count != len(texts):
            yield f"{accepted.name}: {len(texts)} record(s) stored, the chain records {accepted.record_count}"
        return
    expected = dict(enumerate(accepted.record_sm3))
    for position in sorted(expected.keys() | texts.keys()):
        if position not in texts:
            yield f"{accepted.name}: record {position} is missing"
        elif position not in expected:
            yield f"{accepted.name}: record {position} is not in the chain"
        elif not _same(sm3_hex(texts[position].encode("utf-8")), expected[position]):
            yield f"{accepted.name}: record {position} does not match the SM3 recorded in the chain"


def batch_problems(store: ContentStore, batch: Sequence[Accepted]) -> tuple[list[str], int]:
    """Every difference between the stored messages of ``batch`` and what their entries recorded, and the
    number of stored messages the batch vouches for."""
    wanted = {(a.sender, a.message_id): a for a in batch}
    found: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for original in store.originals(sorted({a.message_id for a in batch})):
        accepted = wanted.get((original.sender, original.message_id))
        if accepted is None:
            continue
        problems: list[str] = []
        if not _same(sm3_hex(original.body), accepted.body_sm3):
            problems.append(
                f"{accepted.name}: the stored original body does not match the SM3 recorded in the chain"
            )
        if not _same(original.body_sm3, accepted.body_sm3):
            problems.append(
                f"{accepted.name}: the body_sm3 column does not match the SM3 recorded in the chain"
            )
        found[(original.sender, original.message_id)] = (original.pk, problems)
    texts: dict[int, dict[int, str]] = {pk: {} for pk, _ in found.values()}
    for pk, position, text in store.record_texts(sorted(texts)):
        texts[pk][position] = text
    out: list[str] = []
    for key, accepted in sorted(wanted.items(), key=lambda item: item[1].seq):
        if key not in found:
            out.append(f"{accepted.name}: accepted in the chain but not stored")
            continue
        pk, problems = found[key]
        out.extend(problems)
        out.extend(_record_problems(accepted, texts[pk]))
    return out, len(found)


class ContentCheck:
    """Fed every chain entry in order (:meth:`see`); checks the accepted ones a batch at a time."""

    def __init__(self, store: ContentStore, batch: int = BATCH) -> None:
        self._store = store
        self._batch_size = batch
        self._pending: list[Accepted] = []
        self.vouched = 0
        """Stored messages found for an accepted entry."""
        self.problems: list[str] = []

    def see(self, entry: AuditEntry) -> None:
        accepted = Accepted.of(entry)
        if accepted is None:
            return
        self._pending.append(accepted)
        if len(self._pending) >= self._batch_size:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            problems, vouched = batch_problems(self._store, self._pending)
            self._pending = []
            self.problems.extend(problems)
            self.vouched += vouched

    def finish(self) -> list[str]:
        """The problems found, plus the count of stored messages no accepted entry vouches for."""
        self._flush()
        unvouched = self._store.count() - self.vouched
        if unvouched > 0:
            self.problems.append(f"{unvouched} stored message(s) have no message.accepted entry in the chain")
        return self.problems
