"""Intake: ``POST /v1/messages`` as a use case (SPEC §7, issue #4 "Ingest").

Order: headers → size → known sender → timestamp window → certificate valid now → signature → repeat? →
parse and validate every record → authorize and route every record → ONE transaction (original bytes,
canonical records, lifecycle, routes, outbox rows, audit entry) → the answer, only after commit.
A rejected document leaves nothing but an audit entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from adapters.base import Document, Record
from adapters.errors import AdapterError
from adapters.limits import Limits
from gateway import audit
from gateway.bootstrap import Gateway
from gateway.errors import DuplicateConflict, MessageExists
from gateway.model import MessageStatus, NewMessage, NewOutboxItem, NewRecord
from gateway.routing import Route, message_type, route
from gateway.services.authentication import SignedRequest, authenticate
from gateway.services.errors import PayloadTooLarge, ServiceError
from schemas.errors import SchemaError
from schemas.messages import to_canonical_obj
from signing import sm3_hex

Submission = SignedRequest
"""One inbound HTTP request, as the service sees it."""


@dataclass(frozen=True)
class Answer:
    """The answer to send: ``replayed`` when it is the stored answer to an earlier identical submission."""

    status: int
    body: Mapping[str, Any]
    replayed: bool = False


def receive(gw: Gateway, sub: Submission) -> Answer:
    """Accept or reject one submission. Rejections raise (and are audited); see module docstring."""
    now = gw.clock()
    try:
        return _receive(gw, sub, now)
    except (ServiceError, AdapterError, SchemaError, DuplicateConflict) as exc:
        _audit_rejection(gw, sub, now, exc)
        raise


def _receive(gw: Gateway, sub: Submission, now: datetime) -> Answer:
    limit = gw.settings.ingest.max_body_bytes
    if len(sub.body) > limit:
        raise PayloadTooLarge(f"body is {len(sub.body)} bytes; the limit is {limit}")
    caller = authenticate(gw, sub, now)
    keys, sender, message_id = caller.keys, caller.party_id, caller.message_id
    timestamp, signature = caller.timestamp, caller.signature

    digest = sm3_hex(sub.body)
    with gw.database.unit_of_work() as uow:
        existing = uow.messages.find(sender, message_id)
    if existing is not None:
        return _repeat(sender, message_id, digest, existing.body_sm3, existing.response)

    document = gw.adapters.identify(sub.body).parse(sub.body, limits=Limits(max_bytes=limit))
    routes = [route(gw.registry, keys.party, record.message) for record in document.records]
    outbound = _render_for_receivers(gw, sub.body, document, routes)
    types = sorted({message_type(r.message) for r in document.records})
    response: dict[str, Any] = {
        "message_id": message_id,
        "sender": sender,
        "format": document.format,
        "status": MessageStatus.ROUTED.value if outbound else MessageStatus.STORED.value,
        "records": [
            {
                "position": record.position,
                "message_type": message_type(record.message),
                "result": "accepted",
                "receivers": [r.receiver for r in record_routes],
            }
            for record, record_routes in zip(document.records, routes, strict=True)
        ],
    }
    message = NewMessage(
        sender=sender,
        message_id=message_id,
        received_at=now,
        format=document.format,
        msg_type=types[0] if len(types) == 1 else "batch",
        body=sub.body,
        body_sm3=digest,
        headers={
            "X-Sender": sender,
            "X-Message-Id": message_id,
            "X-Timestamp": timestamp,
            "X-Signature": signature,
        },
        status=MessageStatus.ROUTED if outbound else MessageStatus.STORED,
        response=response,
    )
    with gw.database.unit_of_work() as uow:
        try:
            pk = uow.messages.add(message)
        except MessageExists as exc:  # a concurrent twin committed first
            return _repeat(sender, message_id, digest, exc.body_sm3, exc.response)
        for status in (MessageStatus.RECEIVED, MessageStatus.VALIDATED, MessageStatus.STORED):
            uow.messages.add_event(pk, status, now)
        uow.messages.add_records(pk, [_record(record) for record in document.records])
        for record, record_routes in zip(document.records, routes, strict=True):
            for r in record_routes:
                uow.messages.add_route(pk, record.position, r.receiver, r.rule)
        for receiver, (wire_format, body) in outbound.items():
            party = gw.registry.get(receiver)
            uow.outbox.add(
                NewOutboxItem(pk, receiver, party.channel, wire_format, body, sender, message_id, now)
            )
        if outbound:
            uow.messages.add_event(pk, MessageStatus.ROUTED, now, ", ".join(sorted(outbound)))
        audit.append(
            uow.audit,
            actor=sender,
            action="message.accepted",
            subject=f"{sender}/{message_id}",
            at=now,
            detail={"body_sm3": digest, "format": document.format, "records": len(document.records)},
        )
        uow.commit()
    return Answer(202, response)


def _repeat(sender: str, message_id: str, digest: str, stored: str, response: Mapping[str, Any]) -> Answer:
    if stored != digest:
        raise DuplicateConflict(sender, message_id)
    return Answer(202, response, replayed=True)


_TRACE_FIELDS = {
    "bgt_id": "bgt_id",
    "ori_bgt_id": "bgt_id",
    "voucher_no": "voucher_no",
    "original_voucher_no": "voucher_no",
    "pay_voucher_no": "voucher_no",
}


def _trace_keys(message: BaseModel) -> set[tuple[str, str]]:
    """(key, value) pairs of a record and of its details (a 2301's details name the vouchers it clears)."""
    keys: set[tuple[str, str]] = set()
    for name, key in _TRACE_FIELDS.items():
        value = getattr(message, name, None)
        if isinstance(value, str) and value:
            keys.add((key, value[:64]))
    for detail in getattr(message, "details", None) or ():
        if isinstance(detail, BaseModel):
            keys |= _trace_keys(detail)
    return keys


def _record(record: Record) -> NewRecord:
    message = record.message
    bgt_id = getattr(message, "bgt_id", None)
    voucher_no = getattr(message, "voucher_no", None)
    canonical = json.dumps(to_canonical_obj(message), ensure_ascii=False, separators=(",", ":"))
    return NewRecord(
        record.position,
        message_type(message),
        canonical,
        "accepted",
        bgt_id=bgt_id if isinstance(bgt_id, str) else None,
        voucher_no=voucher_no if isinstance(voucher_no, str) else None,
        trace=tuple(sorted(_trace_keys(message))),
    )


def _render_for_receivers(
    gw: Gateway, raw: bytes, document: Document, routes: list[list[Route]]
) -> dict[str, tuple[str, bytes]]:
    """Receiver → (wire format, bytes). A receiver of the whole document in its own format gets the original
    bytes unchanged; otherwise its records are rendered in its wire format."""
    by_receiver: dict[str, list[Record]] = {}
    for record, record_routes in zip(document.records, routes, strict=True):
        for r in record_routes:
            by_receiver.setdefault(r.receiver, []).append(record)
    outbound: dict[str, tuple[str, bytes]] = {}
    for receiver, records in by_receiver.items():
        wire_format = gw.registry.get(receiver).delivery_format(document.format)
        if wire_format == document.format and len(records) == len(document.records):
            outbound[receiver] = (wire_format, raw)
            continue
        envelope = document.envelope if wire_format == document.format else {}
        subset = Document(wire_format, tuple(records), envelope)
        outbound[receiver] = (wire_format, gw.adapters.get(wire_format).render(subset))
    return outbound


def _audit_rejection(gw: Gateway, sub: Submission, now: datetime, exc: Exception) -> None:
    sender = (sub.sender or "-")[:32]
    detail = {"reason": type(exc).__name__, "detail": str(exc)[:300], "size": len(sub.body)}
    with gw.database.unit_of_work() as uow:
        audit.append(
            uow.audit,
            actor=sender,
            action="message.rejected",
            subject=f"{sender}/{(sub.message_id or '-')[:128]}",
            at=now,
            detail=detail,
        )
        uow.commit()
