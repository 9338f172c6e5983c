"""Wire profiles on the delivery path: what bytes a receiver gets, and how a PBOC CFX answer comes back.

Outbound (:func:`render_for`): a receiver that takes the document's own format as a whole gets the signed
original byte for byte; a part of it in the same format is rendered in the source's shape (element order,
original texts, the extensions the models do not know: docs/adr/0007-preserve-extensions.md); otherwise its
records are rendered in its ``wire_format``, falling back to the
formats it ``also_accepts`` when the wire format has no form for them (a finance party on ``mof.json`` gets
回单 and clearing receipts as e-vouchers). A PBOC party whose wire format is ``cfx`` gets 2301 / 2302
clearing requests as a TIPS 2201 / 2202 package (:func:`adapters.translate.clearing_requests_to_cfx`) even
when it also accepts e-vouchers (a treasury on TIPS that takes 5108/5106 quota notices through its e-voucher
library lists ``also_accepts = ["evoucher"]``; without it a quota notice for it is ``untranslatable``):
``SRC`` and ``AgentBnkCode`` are the requesting bank's 12-digit 行号, ``DES`` the TIPS centre node, and
``MsgID`` / ``PackNo`` derive from the original (sender, message id), so a re-render is identical. A 2302's
amounts are negative (ITFE's rule) and go to TIPS as the positive refund of a 2202 (``<Head2202>``; see
:mod:`adapters.translate`).

Inbound (:func:`normalise`): a CFX 3143 / 3144 from the PBOC answers a 2301 / 2302 the gateway stored
earlier; each ``Bill3143`` / ``BatchReturn3144`` becomes the e-voucher clearing receipt of that request
(:func:`adapters.translate.pboc_receipt_to_clearing_receipt`), which then routes back to finance and the bank
like any 回单. A return for a request the gateway never saw is ``unroutable``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from adapters.base import Document, Record
from adapters.errors import TranslationError
from adapters.registry import AdapterRegistry
from adapters.translate import RECEIPT_MSG_NO, clearing_requests_to_cfx, pboc_receipt_to_clearing_receipt
from gateway.parties import Party
from gateway.services.errors import Unroutable
from gateway.services.ports import Store, UnitOfWork
from schemas.clearing import ClearingRequest, PbocClearingReceipt
from schemas.messages import parse_canonical
from signing import sm3_hex

CFX = "cfx"
TIPS_NODE = "100000000000"
"""The TIPS centre's CFX node code (SPEC §3): clearing packages are addressed to it."""
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Origin:
    """Where a document came from: the wire context a translation needs."""

    sender: str
    message_id: str
    at: datetime
    """When the gateway received it."""

    @property
    def today(self) -> date:
        """The business day in Beijing (TIPS ``WorkDate`` / ``EntrustDate``)."""
        return self.at.astimezone(BEIJING).date()

    def digest(self) -> str:
        return sm3_hex(f"{self.sender}\n{self.message_id}".encode())

    @property
    def cfx_msg_id(self) -> str:
        """20 letters or digits, stable for one original message."""
        return self.digest()[:20].upper()

    @property
    def pack_no(self) -> str:
        return f"{int(self.digest()[20:28], 16) % 100_000_000:08d}"


def _cfx_clearing(records: Sequence[Record], origin: Origin) -> Document:
    requests = [r.message for r in records]
    if not all(isinstance(m, ClearingRequest) for m in requests):
        raise TranslationError("a CFX treasury takes clearing requests (2301/2302) only")
    typed = [m for m in requests if isinstance(m, ClearingRequest)]
    bank = typed[0].pay_bank_no or origin.sender
    envelope = {
        "SRC": bank,
        "DES": TIPS_NODE,
        "MsgID": origin.cfx_msg_id,
        "WorkDate": origin.today.strftime("%Y%m%d"),
    }
    return clearing_requests_to_cfx(
        typed, envelope, agent_bnk_code=bank, entrust_date=origin.today, pack_no=origin.pack_no
    )


def _is_clearing_request(record: Record) -> bool:
    return isinstance(record.message, ClearingRequest)


def render_for(
    adapters: AdapterRegistry,
    receiver: Party,
    document: Document,
    records: Sequence[Record],
    raw: bytes,
    origin: Origin,
) -> tuple[str, bytes]:
    """(wire format, bytes) of ``records`` (all or part of ``document``) for ``receiver``."""
    if (
        receiver.wire_format == CFX
        and document.format != CFX
        and all(_is_clearing_request(r) for r in records)
    ):
        return CFX, adapters.get(CFX).render(_cfx_clearing(records, origin))
    wire_format = receiver.delivery_format(document.format)
    if wire_format == document.format and len(records) == len(document.records):
        return wire_format, raw
    candidates = [wire_format, *(f for f in receiver.also_accepts if f != wire_format)]
    first_error: TranslationError | None = None
    for candidate in candidates:
        same = candidate == document.format  # the same format: the source's envelope, layout, extensions
        envelope = document.envelope if same else {}
        subset = Document(candidate, tuple(records), envelope, document.layout if same else None)
        try:
            return candidate, adapters.get(candidate).render(subset)
        except TranslationError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def _stored_request(uow: UnitOfWork, voucher_no: str, vt_code: str) -> ClearingRequest | None:
    """The newest stored 2301/2302 with this voucher number."""
    for hit in reversed(uow.messages.trace("voucher_no", voucher_no)):
        if hit.msg_type != "clearing_request":
            continue
        for stored in uow.messages.records(hit.message_pk):
            if stored.position != hit.position:
                continue
            message = parse_canonical(json.loads(stored.canonical), stored=True)
            if (
                isinstance(message, ClearingRequest)
                and message.voucher_no == voucher_no
                and message.vt_code == vt_code
            ):
                return message
    return None


_REQUEST_OF_RECEIPT = {receipt: request for request, receipt in RECEIPT_MSG_NO.items()}


def normalise(store: Store, document: Document) -> Document:
    """``document`` with every CFX clearing return replaced by the e-voucher receipt of its request (reads
    the store only when there is one)."""
    if not any(isinstance(r.message, PbocClearingReceipt) for r in document.records):
        return document
    with store.unit_of_work() as uow:
        return _normalised(uow, document)


def _normalised(uow: UnitOfWork, document: Document) -> Document:
    converted: list[Record] = []
    for record in document.records:
        message = record.message
        if not isinstance(message, PbocClearingReceipt):
            converted.append(record)
            continue
        vt_code = _REQUEST_OF_RECEIPT[message.msg_no]
        request = _stored_request(uow, message.vou_no, vt_code)
        if request is None:
            raise Unroutable(
                f"{message.msg_no} answers {vt_code} {message.vou_no}, which the gateway never received"
            )
        receipt = pboc_receipt_to_clearing_receipt(message, request, pay_snd_bnk_no=message.agent_bnk_code)
        converted.append(Record(record.position, receipt, record.meta))
    return Document(document.format, tuple(converted), document.envelope)
