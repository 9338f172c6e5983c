"""The layout of each supported CFX message: batch-head element and its fields in wire order, the repeated
record element and its fields in wire order, and its detail element and fields. Element names carry the MsgNo
suffix (``BatchHead2201``, ``Bill2201``, ``Detail2201``; ``Head2202`` for the 2202).

Every layout is read from the PBOC treasury front end ITFE (repository ``caoyanguo/ITFE``, commit 61f7b12):
the FreeMarker templates that write the message, ``itfeesb/conf/transconfig/itfe_<MsgNo>_java2xml.ftl``, and
the Smooks bindings that read it, ``itfe_<MsgNo>_xml2java.xml``:

=====  =====================================  ===========================================================
MsgNo  source (itfe_<MsgNo>_…)                notes
=====  =====================================  ===========================================================
2201   java2xml.ftl, xml2java.xml             ``AddWord`` is written only when present (``<#if>``)
2202   java2xml.ftl, xml2java.xml             ``<Head2202>`` (not BatchHead), head order FinOrgCode first;
                                              the bill names the original payment (Ori*) and 支付 keys
3143   java2xml.ftl, xml2java.xml             ``<Bill3143>`` with OriMsgNo, Pay*, PayResult, AddWord; head
                                              TreCode, FinOrgCode, AgentBnkCode …, OriPackNo first
3144   java2xml.ftl, xml2java.xml             ``<BatchReturn3144>`` with Result / Description
5102   java2xml.ftl, xml2java.xml             ``TransBankNo`` optional (``<#if>``)
5103   java2xml.ftl, xml2java.xml             bill adds ``BdgOrgCode`` and ``OfMonth``; the detail has no
                                              BdgOrgCode and adds ``AcctProp``
3133   xml2java.xml, RecvDirectMsgServer      no ftl (ITFE only receives it); the binding has no
3134   xml2java.xml, RecvGrantMsgServer       AllNum/AllAmt, so they are optional here (checked if sent)
9120   java2xml.ftl, xml2java.xml             ``MsgReturn9120``
9005   java2xml.ftl, xml2java.xml             HEAD only: no ``<MSG>`` at all
=====  =====================================  ===========================================================

Only the 2201 and 2202 templates write ``<Reserve>`` in the HEAD (``MsgConstant.CFCCHL``); the others end
the HEAD at ``WorkDate``. Which message answers which is in ITFE's receive handlers: ``Recv3143MsgServer``
matches a 3143 to the 2201 it answers (``MsgConstant.APPLYPAY_DAORU``) and to its 2301 voucher,
``Recv3144MsgServer`` a 3144 划款申请退回回执 to its 2202 (``APPLYPAY_BACK_DAORU``) and 2302 voucher;
``RecvDirectMsgServer`` reads 3133 for a 5102, ``RecvGrantMsgServer`` 3134 for a 5103; ``Recv9005MsgServer``
reads the HEAD only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from adapters._fields import FieldMap, field_map
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
    head_tag: str = "BatchHead"
    """Batch-head element name prefix (``Head`` for the 2202)."""
    fields: tuple[str, ...] = ()
    """The record's elements in wire order (empty: every leaf field of the model, in declaration order)."""
    detail_fields: tuple[str, ...] = ()
    """The detail's elements in wire order (empty: every leaf field of the detail model)."""
    totals: Literal["required", "optional"] = "required"
    """``optional``: ``AllNum``/``AllAmt`` are checked when sent and not rendered (3133/3134)."""
    reserve: bool = False
    """The HEAD carries ``<Reserve>`` even when the envelope has none (the 2201/2202 templates write it)."""
    has_msg: bool = True
    """False for a HEAD-only message (9005)."""

    @property
    def head_totals(self) -> tuple[str, ...]:
        """The batch-head elements as rendered (without optional control totals)."""
        if self.totals == "optional":
            return tuple(n for n in self.head if n not in (ALL_NUM, ALL_AMT))
        return self.head


_2201_BILL = (
    "TraNo",
    "VouNo",
    "VouDate",
    "PayerAcct",
    "PayerName",
    "PayerAddr",
    "PayeeAcct",
    "PayeeName",
    "PayeeAddr",
    "PayeeOpnBnkNo",
    "AddWord",
    "BudgetType",
    "TrimSign",
    "OfYear",
    "Amt",
    "StatInfNum",
)
_2202_BILL = (
    "TraNo",
    "VouNo",
    "VouDate",
    "OriTraNo",
    "OriEntrustDate",
    "OriVouNo",
    "OriVouDate",
    "OriPayerAcct",
    "OriPayerName",
    "OriPayeeAcct",
    "OriPayeeName",
    "PayDictateNo",
    "PayMsgNo",
    "PayEntrustDate",
    "PaySndBnkNo",
    "BudgetType",
    "TrimSign",
    "OfYear",
    "Amt",
    "StatInfNum",
)
_CLEARING_DETAIL = ("SeqNo", "BdgOrgCode", "FuncSbtCode", "EcnomicSubjectCode", "Amt", "AcctProp")
_CLEARING_APPLY = MsgSpec(
    PbocClearingApply,
    head=(
        "AgentBnkCode",
        "FinOrgCode",
        "TreCode",
        "EntrustDate",
        "PackNo",
        ALL_NUM,
        ALL_AMT,
        "PayoutVouType",
        "PayMode",
    ),
    record="Bill",
    has_details=True,
    amount="amt",
    key="tra_no",
    fields=_2201_BILL,
    detail_fields=_CLEARING_DETAIL,
    reserve=True,
)
_CLEARING_REFUND = MsgSpec(
    PbocClearingApply,
    head=(
        "FinOrgCode",
        "TreCode",
        "AgentBnkCode",
        "EntrustDate",
        "PackNo",
        ALL_NUM,
        ALL_AMT,
        "PayoutVouType",
        "PayMode",
    ),
    record="Bill",
    has_details=True,
    amount="amt",
    key="tra_no",
    head_tag="Head",
    fields=_2202_BILL,
    detail_fields=_CLEARING_DETAIL,
    reserve=True,
)
_CLEARING_RECEIPT_3143 = MsgSpec(
    PbocClearingReceipt,
    head=(
        "TreCode",
        "FinOrgCode",
        "AgentBnkCode",
        "EntrustDate",
        "PackNo",
        "OriPackNo",
        "OriEntrustDate",
        ALL_NUM,
        ALL_AMT,
        "PayoutVouType",
        "PayMode",
    ),
    record="Bill",
    amount="amt",
    key="ori_tra_no",
    fields=(
        "VouNo",
        "OriMsgNo",
        "VouDate",
        "OriTraNo",
        "PayDictateNo",
        "PayMsgNo",
        "PayEntrustDate",
        "PaySndBnkNo",
        "PayResult",
        "AddWord",
        "AcctDate",
        "Amt",
    ),
)
_CLEARING_RECEIPT_3144 = MsgSpec(
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
    fields=(
        "VouNo",
        "VouDate",
        "OriVouNo",
        "OriVouDate",
        "OriTraNo",
        "AcctDate",
        "Amt",
        "Result",
        "Description",
    ),
)
_QUOTA_HEAD = (
    "TreCode",
    "BillOrg",
    "TransBankNo",
    "EntrustDate",
    "PackNo",
    ALL_NUM,
    ALL_AMT,
    "PayoutVouType",
)
_QUOTA_DIRECT = MsgSpec(
    PbocQuota,
    head=_QUOTA_HEAD,
    record="Bill",
    has_details=True,
    amount="sum_amt",
    key="tra_no",
    fields=(
        "TraNo",
        "VouNo",
        "VouDate",
        "SumAmt",
        "BudgetType",
        "OfYear",
        "RransactOrg",
        "AmtKind",
        "StatInfNum",
    ),
    detail_fields=("SeqNo", "BdgOrgCode", "FuncBdgSbtCode", "EcnomicSubjectCode", "Amt"),
)
_QUOTA_GRANT = MsgSpec(
    PbocQuota,
    head=_QUOTA_HEAD,
    record="Bill",
    has_details=True,
    amount="sum_amt",
    key="tra_no",
    fields=(
        "TraNo",
        "VouNo",
        "VouDate",
        "SumAmt",
        "BdgOrgCode",
        "BudgetType",
        "OfYear",
        "OfMonth",
        "RransactOrg",
        "AmtKind",
        "StatInfNum",
    ),
    detail_fields=("SeqNo", "FuncBdgSbtCode", "EcnomicSubjectCode", "Amt", "AcctProp"),
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
    fields=("VouNo", "VouDate", "OriTraNo", "SumAmt", "AcctDate", "Result", "Description"),
    totals="optional",
)

MSG_SPECS: dict[str, MsgSpec] = {
    "2201": _CLEARING_APPLY,
    "2202": _CLEARING_REFUND,
    "3143": _CLEARING_RECEIPT_3143,
    "3144": _CLEARING_RECEIPT_3144,
    "5102": _QUOTA_DIRECT,
    "5103": _QUOTA_GRANT,
    "3133": _QUOTA_RECEIPT,
    "3134": _QUOTA_RECEIPT,
    "9120": MsgSpec(GeneralReply, record="MsgReturn", single=True),
    "9005": MsgSpec(ConnectivityTest, single=True, has_msg=False),
}

FIXED_MSG_NO: dict[type[CanonicalModel], str] = {GeneralReply: "9120", ConnectivityTest: "9005"}
"""Models whose MsgNo is not a field (one MsgNo per model)."""


def _restricted(fields: FieldMap, elements: tuple[str, ...], where: str) -> FieldMap:
    if not elements:
        return fields
    leaves = {element: name for name, element in fields.leaves}
    missing = [e for e in elements if e not in leaves]
    if missing:  # pragma: no cover - a layout/model mismatch is a programming error caught by the tests
        raise LookupError(f"{where}: the model has no field for {', '.join(missing)}")
    ordered = tuple((leaves[e], e) for e in elements)
    return FieldMap(ordered, {e: f for f, e in ordered}, fields.list_field, fields.item_model, dict(ordered))


@cache
def record_fields(spec: MsgSpec) -> FieldMap:
    """The record's leaf fields in the spec's wire order (batch-head fields are looked up separately)."""
    return _restricted(field_map(spec.model), spec.fields, spec.model.__name__)


@cache
def detail_fields(spec: MsgSpec) -> FieldMap | None:
    """The detail's leaf fields in the spec's wire order, or None without details."""
    item_model = field_map(spec.model).item_model
    if not spec.has_details or item_model is None:
        return None
    return _restricted(field_map(item_model), spec.detail_fields, item_model.__name__)
