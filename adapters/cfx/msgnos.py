"""The layout of each supported CFX message (DOMAIN.md §3.3): batch-head element and its fields in wire
order, the repeated record element, and its detail element. Element names carry the MsgNo suffix
(``BatchHead2201``, ``Bill2201``, ``Detail2201``).

Sources: 2201 and 5102 from DOMAIN.md §3.3; 3144 from ITFE ``itfe_3144_java2xml.ftl``; 3133 from ITFE's 3133
receive handler; 9120 from ``itfe_9120_java2xml.ftl``. *Inferred*: 2202 ≡ 2201, 3143 ≡ 3144, 5103 ≡ 5102,
3134 ≡ 3133 (same layouts, own suffix), ``AllNum``/``AllAmt`` in the 3133 head (as in 3131), and an empty
``MSG`` for 9005 (its body was NOT FOUND).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.base import CanonicalModel
from schemas.clearing import (
    ConnectivityTest,
    GeneralReply,
    PbocClearingApply,
    PbocClearingReceipt,
    PbocQuota,
    PbocQuotaReceipt,
)

ALL_NUM = "AllNum"
ALL_AMT = "AllAmt"


@dataclass(frozen=True)
class MsgSpec:
    model: type[CanonicalModel]
    head: tuple[str, ...] = ()
    """Batch-head elements in wire order (``AllNum``/``AllAmt`` are computed control totals)."""
    record: str | None = None
    """Record element name prefix (the MsgNo is appended), or None for a body-less message."""
    has_details: bool = False
    amount: str | None = None
    """The record field that ``AllAmt`` sums."""
    key: str | None = None
    """The record field that must be unique inside one package."""
    single: bool = False
    """Exactly one record (no batch head)."""


_CLEARING_HEAD = ("AgentBnkCode", "FinOrgCode", "TreCode", "EntrustDate", "PackNo", ALL_NUM, ALL_AMT)
_CLEARING_APPLY = MsgSpec(
    PbocClearingApply,
    head=(*_CLEARING_HEAD, "PayoutVouType", "PayMode"),
    record="Bill",
    has_details=True,
    amount="amt",
    key="tra_no",
)
_CLEARING_RECEIPT = MsgSpec(
    PbocClearingReceipt,
    head=(
        "AgentBnkCode",
        "FinOrgCode",
        "TreCode",
        "EntrustDate",
        "PackNo",
        "OriEntrustDate",
        "OriPackNo",
        ALL_NUM,
        ALL_AMT,
        "PayoutVouType",
        "PayMode",
    ),
    record="BatchReturn",
    amount="amt",
    key="ori_tra_no",
)
_QUOTA = MsgSpec(
    PbocQuota,
    head=("TreCode", "BillOrg", "TransBankNo", "EntrustDate", "PackNo", ALL_NUM, ALL_AMT, "PayoutVouType"),
    record="Bill",
    has_details=True,
    amount="sum_amt",
    key="tra_no",
)
_QUOTA_RECEIPT = MsgSpec(
    PbocQuotaReceipt,
    head=(
        "TreCode",
        "EntrustDate",
        "PackNo",
        "BillOrg",
        "OriEntrustDate",
        "OriPackNo",
        ALL_NUM,
        ALL_AMT,
        "PayoutVouType",
    ),
    record="BatchReturn",
    amount="sum_amt",
    key="ori_tra_no",
)

MSG_SPECS: dict[str, MsgSpec] = {
    "2201": _CLEARING_APPLY,
    "2202": _CLEARING_APPLY,
    "3143": _CLEARING_RECEIPT,
    "3144": _CLEARING_RECEIPT,
    "5102": _QUOTA,
    "5103": _QUOTA,
    "3133": _QUOTA_RECEIPT,
    "3134": _QUOTA_RECEIPT,
    "9120": MsgSpec(GeneralReply, record="MsgReturn", single=True),
    "9005": MsgSpec(ConnectivityTest, single=True),
}

FIXED_MSG_NO: dict[type[CanonicalModel], str] = {GeneralReply: "9120", ConnectivityTest: "9005"}
"""Models whose MsgNo is not a field (one MsgNo per model)."""
