"""Intake: ``POST /v1/messages`` as a use case (SPEC §7, issue #4 "Ingest").

Order: headers → size → known sender → timestamp window → certificate valid now → signature → repeat? →
parse and validate every record → look up the stored vouchers a bank's answer names (one read) →
authorize and route every record → ONE transaction (original bytes, canonical records, lifecycle, routes,
outbox rows, audit entry) → the answer, only after commit. A rejected document leaves nothing but an audit
entry. The transaction is a group commit (:mod:`gateway.store.group_commit`, ADR 0009): concurrent
submissions' writes — rejections' audit entries too — share one, each answered once it has committed.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from adapters.base import Document, Record
from adapters.errors import AdapterError
from adapters.limits import Limits
from adapters.preserve import extensions_text
from gateway import audit
from gateway.audit_contents import record_digests
from gateway.errors import DuplicateConflict, MessageExists, ValueNotStorable
from gateway.model import Discard, MessageStatus, NewMessage, NewOutboxItem, NewRecord
from gateway.parties import Party, PartyKind
from gateway.payment_lines import lines_of
from gateway.routing import (
    VOUCHER_BANK_RULE,
    Route,
    RoutedVouchers,
    bound_voucher,
    message_type,
    route,
    voucher_references,
)
from gateway.services import code_checks, control, ledger, profiles
from gateway.services.authentication import SignedRequest, authenticate
from gateway.services.control_rules import NO_RULES
from gateway.services.errors import PayloadTooLarge, ServiceError
from gateway.services.ports import ServiceContext, UnitOfWork
from gateway.services.text import scrubbed
from gateway.statement_lines import statement_lines_of
from schemas.errors import Problem, SchemaError
from signing import sm3_hex

Submission = SignedRequest
"""One inbound HTTP request, as the service sees it."""


@dataclass(frozen=True)
class Answer:
    """The answer to send: ``replayed`` when it is the stored answer to an earlier identical submission."""

    status: int
    body: Mapping[str, Any]
    replayed: bool = False


def receive(gw: ServiceContext, sub: Submission) -> Answer:
    """Accept or reject one submission. Rejections raise (and are audited); see module docstring."""
    now = gw.clock()
    try:
        return _receive(gw, sub, now)
    except (ServiceError, AdapterError, SchemaError, DuplicateConflict, ValueNotStorable) as exc:
        _audit_rejection(gw, sub, now, exc)
        raise


def _receive(gw: ServiceContext, sub: Submission, now: datetime) -> Answer:
    limit = gw.settings.ingest.max_body_bytes
    if len(sub.body) > limit:
        raise PayloadTooLarge(f"body is {len(sub.body)} bytes; the limit is {limit}")
    caller = authenticate(gw, sub, now)
    keys, sender, message_id = caller.keys, caller.party_id, caller.message_id
    timestamp, signature = caller.timestamp, caller.signature

    digest = sm3_hex(sub.body)
    with gw.database.read_unit_of_work() as uow:  # a look-up: on SQLite it does not queue for the write lock
        existing = uow.messages.find(sender, message_id)
    if existing is not None:
        return _repeat(sender, message_id, digest, existing.body_sm3, existing.response)

    document = gw.adapters.identify(sub.body).parse(sub.body, limits=Limits(max_bytes=limit))
    warnings = code_checks.apply_policy(gw.settings.codes, gw.registry, keys.party, document)
    document = profiles.normalise(gw.database, document)  # a CFX 3143/3144 → the clearing receipt
    vouchers = _routed_vouchers(gw, keys.party, document)
    routes = [route(gw.registry, keys.party, record.message, vouchers) for record in document.records]
    origin = profiles.Origin(sender, message_id, now)
    outbound = _render_for_receivers(gw, sub.body, document, routes, origin)
    headers = {
        "X-Sender": sender,
        "X-Message-Id": message_id,
        "X-Timestamp": timestamp,
        "X-Signature": signature,
    }
    accepted = _Accepted(document, routes, warnings, sub.body, digest, headers, now)
    response, first, lifecycle = accepted.build(outbound, set())
    controlled = control.vouchers_of(document.records)  # 控制 (ADR 0008), decided in the transaction
    # Everything that is only computation happens before the transaction, so the write lock (SQLite) and
    # the row locks (PostgreSQL) are held for the SQL alone; the statements are batched (executemany).
    new_records = [
        _record(record, document, warnings.get(record.position, ())) for record in document.records
    ]
    record_sm3 = record_digests(r.canonical for r in new_records)  # the audit entry's and the lines'
    payment = [  # 国库集中支付 reconciliation lines (gateway/store/payment_lines.py)
        line
        for record, stored, sm3 in zip(document.records, new_records, record_sm3, strict=True)
        for line in lines_of(
            record.position,
            record.message,
            stored.canonical,
            _voucher_bank(keys.party, record, vouchers),
            digest=sm3,
        )
    ]
    statement = [  # 凭证对账 statement lines (gateway/store/statement_lines.py)
        line
        for record, stored in zip(document.records, new_records, strict=True)
        for line in statement_lines_of(record.position, record.message, stored.canonical)
    ]
    decisions = [
        (record.position, r.receiver, r.rule)
        for record, record_routes in zip(document.records, routes, strict=True)
        for r in record_routes
    ]

    def store(uow: UnitOfWork) -> Answer:
        """The transaction (run again if its batch is retried: it changes nothing outside ``uow``)."""
        rules, verdicts = NO_RULES, list[control.Verdict]()
        lines, rendered, answer, message, events = payment, outbound, response, first, lifecycle
        if controlled:
            rules = control.current_rules(uow)
            verdicts = control.decide(uow, rules, controlled, gw.registry.mof_div_code)
            if any(v.action == "refuse" for v in verdicts):
                raise control.ControlRefused(verdicts, rules.version)  # rolls the reservations back
            held = {v.position for v in verdicts if v.action == "hold"}
            if held:  # rare: render again without the held vouchers; they join the payment chain on 放行
                lines = [line for line in payment if line.position not in held]
                routable = [
                    [] if r.position in held else rr for r, rr in zip(document.records, routes, strict=True)
                ]
                rendered = _render_for_receivers(gw, sub.body, document, routable, origin)
                answer, message, events = accepted.build(rendered, held, verdicts)
        try:
            pk = uow.messages.add(message)
        except MessageExists as exc:  # a concurrent twin committed first (or is in this batch)
            raise Discard(_repeat(sender, message_id, digest, exc.body_sm3, exc.response)) from None
        # Nothing in the transaction reads these rows: they are written at commit, for the whole batch.
        uow.messages.add_details_at_commit(pk, events, new_records, decisions)
        for receiver, (wire_format, body) in rendered.items():
            party = gw.registry.get(receiver)
            uow.outbox.add_at_commit(
                NewOutboxItem(pk, receiver, party.channel, wire_format, body, sender, message_id, now)
            )
        ledger.post_records(uow, pk, document.records, now)  # 预算指标核算 (ADR 0005)
        uow.payments.add(pk, lines)
        uow.statements.add(pk, statement)
        control.record(uow, pk, verdicts, rules.version, now)
        control.settle_answers(uow, document.records)
        for v in verdicts:
            if v.action == "hold":
                audit.append_at_commit(
                    uow,
                    actor="system",
                    action="control.held",
                    subject=f"{v.voucher.adm_div_code}/{v.voucher.voucher_no}",
                    at=now,
                    detail={
                        "message": f"{sender}/{message_id}",
                        "rule_version": rules.version,
                        **v.as_detail(),
                    },
                )
        audit.append_at_commit(
            uow,
            actor=sender,
            action="message.accepted",
            subject=f"{sender}/{message_id}",
            at=now,
            detail=accepted_detail,
        )
        return Answer(202, answer)

    accepted_detail = {
        "body_sm3": digest,
        "format": document.format,
        "records": len(document.records),
        "record_sm3": record_sm3,
        **_audited_warnings(warnings),
    }
    return gw.database.group_commit.write(store)


@dataclass(frozen=True)
class _Accepted:
    """What the answer, the message row and its lifecycle events are built from (twice when 控制 holds
    vouchers: the held records (positions) are then accepted but not routed, ADR 0008)."""

    document: Document
    routes: list[list[Route]]
    warnings: code_checks.CodeWarnings
    body: bytes
    digest: str
    headers: dict[str, str]
    now: datetime

    def build(
        self,
        outbound: Mapping[str, tuple[str, bytes]],
        held: set[int],
        verdicts: Sequence[control.Verdict] = (),
    ) -> tuple[dict[str, Any], NewMessage, list[tuple[MessageStatus, datetime, str | None]]]:
        sender, message_id = self.headers["X-Sender"], self.headers["X-Message-Id"]
        status = MessageStatus.ROUTED if outbound else MessageStatus.STORED
        by_position = {v.position: v for v in verdicts}
        records: list[dict[str, Any]] = []
        for record, record_routes in zip(self.document.records, self.routes, strict=True):
            entry = _answer(
                record, [r.receiver for r in record_routes], self.warnings.get(record.position, ())
            )
            if record.position in held:
                verdict = by_position[record.position]
                entry.update(result="held", receivers=[], control={"codes": list(verdict.codes)})
            records.append(entry)
        response: dict[str, Any] = {
            "message_id": message_id,
            "sender": sender,
            "format": self.document.format,
            "status": status.value,
            "records": records,
        }
        types = sorted({message_type(r.message) for r in self.document.records})
        message = NewMessage(
            sender=sender,
            message_id=message_id,
            received_at=self.now,
            format=self.document.format,
            msg_type=types[0] if len(types) == 1 else "batch",
            body=self.body,
            body_sm3=self.digest,
            headers=self.headers,
            status=status,
            response=response,
        )
        warned = sum(len(w) for w in self.warnings.values())
        events: list[tuple[MessageStatus, datetime, str | None]] = [
            (MessageStatus.RECEIVED, self.now, None),
            (MessageStatus.VALIDATED, self.now, f"代码校验警告 {warned} 条" if warned else None),
            (MessageStatus.STORED, self.now, None),
        ]
        if outbound:
            events.append((MessageStatus.ROUTED, self.now, ", ".join(sorted(outbound))))
        return response, message, events


def _answer(record: Record, receivers: list[str], warnings: tuple[Problem, ...]) -> dict[str, Any]:
    """One record's entry in the answer; ``code_warnings`` only when the record has any."""
    entry: dict[str, Any] = {
        "position": record.position,
        "message_type": message_type(record.message),
        "result": "accepted",
        "receivers": receivers,
    }
    if warnings:
        entry["code_warnings"] = code_checks.as_json(warnings)
    return entry


_AUDITED_WARNINGS = 20
"""At most this many code warnings are spelled out in an audit entry (all are counted)."""


def _audited_warnings(warnings: code_checks.CodeWarnings) -> dict[str, Any]:
    """The audit entry's ``code_warnings``: the count and the first ones as ``path rule value``."""
    every = [p for position in sorted(warnings) for p in warnings[position]]
    if not every:
        return {}
    shown = [f"{p.path} {p.rule} {p.value}" for p in every[:_AUDITED_WARNINGS]]
    return {"code_warnings": {"count": len(every), "first": shown}}


def _routed_vouchers(gw: ServiceContext, sender: Party, document: Document) -> RoutedVouchers:
    """The stored vouchers a bank's 回单 / refund / clearing request names, with the bank each was routed
    to — one read before the write transaction, and none unless the sender is a bank (any other sender of
    those types is refused by its kind)."""
    if sender.kind is not PartyKind.BANK:
        return {}
    keys = {key for record in document.records for key in voucher_references(record.message)}
    if not keys:
        return {}
    with gw.database.read_unit_of_work() as uow:
        return uow.payments.routed_vouchers(keys, VOUCHER_BANK_RULE)


def _voucher_bank(sender: Party, record: Record, vouchers: RoutedVouchers) -> str | None:
    """A 回单's bound voucher's PayBankCode (see :func:`gateway.payment_lines.lines_of`)."""
    if message_type(record.message) != "payment_receipt":
        return None
    (key,) = voucher_references(record.message)
    return bound_voucher(sender, key, vouchers).pay_bank_code


def _repeat(sender: str, message_id: str, digest: str, stored: str, response: Mapping[str, Any]) -> Answer:
    if not hmac.compare_digest(stored, digest):
        raise DuplicateConflict(sender, message_id)
    return Answer(202, response, replayed=True)


_TRACE_FIELDS = {
    "bgt_id": "bgt_id",
    "ori_bgt_id": "bgt_id",
    "in_bgt_id": "bgt_id",  # BA_BGT_ADJSUB BGT_ID: the 调入 indicator an adjustment changes
    "voucher_no": "voucher_no",
    "original_voucher_no": "voucher_no",
    "pay_voucher_no": "voucher_no",
    "file_no_code": "doc_no",  # a voucher's 指标文号 (FileNoCode): the indicator it spends
    "cor_bgt_doc_no": "doc_no",  # an indicator's 本级指标文号
}


_TRACED_ATTRIBUTES: dict[type[BaseModel], tuple[tuple[str, str], ...]] = {}


def _traced_attributes(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(attribute, trace key) pairs ``model`` has (and ``("details", "")`` if it has details), computed once
    per class: asking a pydantic model for an attribute it lacks raises inside ``__getattr__``, which cost
    more than the rest of the trace keys for a 100-voucher envelope."""
    known = _TRACED_ATTRIBUTES.get(model)
    if known is None:
        names = [*_TRACE_FIELDS.items(), ("details", "")]
        known = tuple((n, k) for n, k in names if n in model.model_fields or hasattr(model, n))
        _TRACED_ATTRIBUTES[model] = known
    return known


def _trace_keys(message: BaseModel) -> set[tuple[str, str]]:
    """(key, value) pairs of a record and of its details (a 2301's details name the vouchers it clears)."""
    keys: set[tuple[str, str]] = set()
    for name, key in _traced_attributes(type(message)):
        value = getattr(message, name)
        if not key:  # details
            for detail in value or ():
                if isinstance(detail, BaseModel):
                    keys |= _trace_keys(detail)
        elif isinstance(value, str) and value:
            keys.add((key, value[:64]))
    return keys


def canonical_text(message: BaseModel) -> str:
    """The stored canonical JSON of a record: compact :func:`schemas.messages.to_canonical_obj` (``None``
    left out, non-ASCII kept), serialised by pydantic's core in one call —
    ``tests/gateway/test_ingest_fast_paths.py`` checks it equals
    ``json.dumps(to_canonical_obj(m), ensure_ascii=False, separators=(",", ":"))`` on every golden sample."""
    return message.model_dump_json(exclude_none=True)


def _record(record: Record, document: Document, warnings: tuple[Problem, ...] = ()) -> NewRecord:
    message = record.message
    fields = type(message).model_fields
    bgt_id = message.bgt_id if "bgt_id" in fields else None  # type: ignore[attr-defined]
    voucher_no = message.voucher_no if "voucher_no" in fields else None  # type: ignore[attr-defined]
    return NewRecord(
        record.position,
        message_type(message),
        canonical_text(message),
        "accepted",
        bgt_id=bgt_id if isinstance(bgt_id, str) else None,
        voucher_no=voucher_no if isinstance(voucher_no, str) else None,
        trace=tuple(sorted(_trace_keys(message))),
        # what the models do not know, kept (issue 12): the envelope's and the record's own
        extensions=extensions_text(record.layout, document.layout),
        code_warnings=warnings,
    )


def _render_for_receivers(
    gw: ServiceContext, raw: bytes, document: Document, routes: list[list[Route]], origin: profiles.Origin
) -> dict[str, tuple[str, bytes]]:
    """Receiver → (wire format, bytes), per the receiver's wire profile (:mod:`gateway.services.profiles`)."""
    by_receiver: dict[str, list[Record]] = {}
    for record, record_routes in zip(document.records, routes, strict=True):
        for r in record_routes:
            by_receiver.setdefault(r.receiver, []).append(record)
    return {
        receiver: profiles.render_for(gw.adapters, gw.registry.get(receiver), document, records, raw, origin)
        for receiver, records in by_receiver.items()
    }


def _audit_rejection(gw: ServiceContext, sub: Submission, now: datetime, exc: Exception) -> None:
    sender = scrubbed((sub.sender or "-")[:32])  # what was refused may hold text no column can store
    detail = {"reason": type(exc).__name__, "detail": scrubbed(str(exc)[:300]), "size": len(sub.body)}
    subject = f"{sender}/{scrubbed((sub.message_id or '-')[:128])}"

    def store(uow: UnitOfWork) -> None:
        audit.append_at_commit(
            uow, actor=sender, action="message.rejected", subject=subject, at=now, detail=detail
        )

    gw.database.group_commit.write(store)  # joins a batch: a flood of refusals is not a commit each
