"""Which canonical model each e-voucher VtCode parses to, for a voucher (``VoucherFlag=0``) and for its
回单 (``VoucherFlag=1``). Types without a separate receipt model parse both flags to the same model and
keep a ``1`` flag in ``Record.meta`` (so nothing is lost)."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.base import CanonicalModel
from schemas.clearing import ClearingReceipt, ClearingRequest, QuotaNotice
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from schemas.statements import QuotaReconciliationStatement, VoucherReconciliationStatement


@dataclass(frozen=True)
class VtSpec:
    voucher: type[CanonicalModel]
    receipt: type[CanonicalModel] | None = None


VT_SPECS: dict[str, VtSpec] = {
    "5201": VtSpec(PaymentVoucher, PaymentReceipt),
    "8202": VtSpec(PaymentVoucher, PaymentReceipt),
    "2301": VtSpec(ClearingRequest, ClearingReceipt),
    "2302": VtSpec(ClearingRequest, ClearingReceipt),
    "5108": VtSpec(QuotaNotice),
    "5106": VtSpec(QuotaNotice),
    "2252": VtSpec(RefundNotice),
    "3501": VtSpec(VoucherReconciliationStatement),
    "3502": VtSpec(VoucherReconciliationStatement),
    "3510": VtSpec(QuotaReconciliationStatement),
    "5510": VtSpec(QuotaReconciliationStatement),
}

RECEIPT_MODELS: frozenset[type[CanonicalModel]] = frozenset(
    spec.receipt for spec in VT_SPECS.values() if spec.receipt is not None
)
MODELS: frozenset[type[CanonicalModel]] = (
    frozenset(spec.voucher for spec in VT_SPECS.values()) | RECEIPT_MODELS
)
