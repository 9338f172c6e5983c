"""Hypothesis strategies for every payment-family message: the golden samples with their free-text fields,
dates, amounts and number of details drawn at random, and the control totals recomputed so the messages
stay valid."""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from adapters._fields import field_map
from adapters.cfx.msgnos import MSG_SPECS
from schemas.base import CanonicalModel
from schemas.clearing import (
    ClearingReceipt,
    ClearingRequest,
    PbocClearingApply,
    PbocQuota,
    QuotaNotice,
)
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from schemas.statements import QuotaReconciliationStatement, VoucherReconciliationStatement

ALPHABET = (
    string.ascii_letters
    + string.digits
    + " -_.,()/&<>'\"#%"
    + "永嘉县温州市浙江省财政局教育小学办公费中国建设工商银行"
    + "支付零余额账户〔〕号有限公司附言退款清算额度对账瓯北"
)
TEXT = st.text(alphabet=ALPHABET, min_size=1, max_size=30)
AMOUNT = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("99999999999.99"), places=2)
DATE = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
_MONEY = re.compile(r"^-?\d+\.\d\d$")
_FIXED = {"voucher_no", "begin_date", "end_date", "vt_code", "msg_no", "tra_no", "ori_tra_no", "seq_no"} | {
    # optional in the model, required for their MsgNo (2201 payer/payee, 2202 the original payment's)
    "payer_acct",
    "payee_acct",
    "ori_payer_acct",
    "ori_payee_acct",
}


def _is_free_text(model: type[CanonicalModel], name: str) -> tuple[bool, bool]:
    """(free text?, optional?) for a field: plain ``str | None`` or a length-limited ``str``."""
    info = model.model_fields[name]
    if info.annotation == (str | None) and not info.metadata:
        return True, True
    if (
        info.annotation is str
        and info.metadata
        and all(type(m).__name__ in ("MinLen", "MaxLen") for m in info.metadata)
    ):
        return True, False
    return False, False


@st.composite
def _mutated(draw: st.DrawFn, model: type[CanonicalModel], sample: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in sample.items():
        if name in _FIXED or name not in model.model_fields or isinstance(value, list):
            out[name] = value
            continue
        free, optional = _is_free_text(model, name)
        if isinstance(value, str) and _MONEY.match(value):
            out[name] = draw(AMOUNT)
        elif isinstance(value, str) and name.endswith("date") and re.match(r"^\d{8}$", value):
            out[name] = draw(DATE)
        elif free:
            out[name] = draw(st.none() | TEXT) if optional else draw(TEXT)
        else:
            out[name] = value
    return out


def _fix_totals(model: type[CanonicalModel], data: dict[str, Any]) -> dict[str, Any]:
    details = data.get("details", [])
    if model is RefundNotice or (model in (ClearingRequest, ClearingReceipt) and data["vt_code"] == "2302"):
        for d in details:  # refunds are negative by rule (ITFE VoucherVerify.java)
            d["pay_amt"] = -(d["pay_amt"] + Decimal("0.01"))
    if model in (PaymentVoucher, PaymentReceipt, ClearingRequest, ClearingReceipt):
        data["pay_amt"] = sum((d["pay_amt"] for d in details), Decimal("0.00"))
    if model is PaymentReceipt:
        data["x_pay_amt"] = data["pay_amt"]
        for d in details:
            d["x_pay_amt"] = d["pay_amt"]
    if model in (ClearingRequest, ClearingReceipt):
        data["all_num"] = len(details)
    if model in (ClearingRequest, ClearingReceipt) and data["vt_code"] == "2302" and "x_pay_amt" in data:
        data["x_pay_amt"] = data["pay_amt"]  # never positive on a 2302
    if model is RefundNotice:
        if details:
            data["pay_amt"] = sum((d["pay_amt"] for d in details), Decimal("0.00"))
        else:
            data["pay_amt"] = -(data["pay_amt"] + Decimal("0.01"))
    if model is QuotaNotice:
        key = "pay_amt" if data["vt_code"] == "5108" else "plan_amt"  # headers and details alike
        data[key] = sum((d[key] for d in details), Decimal("0.00"))
    if model is VoucherReconciliationStatement:
        data["all_num"] = len(details)
        data["all_amt"] = sum((d["amt"] for d in details), Decimal("0.00"))
    if model is QuotaReconciliationStatement:
        data["all_num"] = len(details)
    if model in (PbocClearingApply, PbocQuota):
        total = sum((d["amt"] for d in details), Decimal("0.00"))
        data["amt" if model is PbocClearingApply else "sum_amt"] = total
        data["stat_inf_num"] = len(details)
        for index, d in enumerate(details, start=1):
            d["seq_no"] = index
    return data


@st.composite
def message_data(draw: st.DrawFn, model: type[CanonicalModel], sample: dict[str, Any]) -> dict[str, Any]:
    """A valid random variant of ``sample`` for ``model`` (as field data)."""
    data = draw(_mutated(model, {k: v for k, v in sample.items() if v is not None}))
    fields = field_map(model)
    if "details" in sample and fields.item_model is not None:
        item_model: Any = fields.item_model
        template = sample["details"][0]
        count = draw(st.integers(min_value=0 if not _needs_details(model) else 1, max_value=4))
        data["details"] = [draw(_mutated(item_model, template)) for _ in range(count)]
    return _fix_totals(model, data)


def _needs_details(model: type[CanonicalModel]) -> bool:
    return model not in (VoucherReconciliationStatement, QuotaReconciliationStatement)


def messages(model: type[CanonicalModel], sample: dict[str, Any]) -> st.SearchStrategy[CanonicalModel]:
    return message_data(model, sample).map(model.model_validate)


EVOUCHER_META = st.fixed_dictionaries(
    {},
    optional={
        "TimeStamp": st.text(alphabet=string.digits, min_size=14, max_size=17),
        "Attach": TEXT,
        "Return_Reason": st.just("") | TEXT,
    },
)

CFX_HEAD = st.fixed_dictionaries(
    {
        "VER": st.just("1.0"),
        "SRC": st.text(alphabet=string.digits, min_size=12, max_size=12),
        "DES": st.text(alphabet=string.digits, min_size=12, max_size=12),
        "APP": st.sampled_from(["TIPS", "ITFE"]),
        "MsgID": st.text(alphabet=string.digits + string.ascii_uppercase, min_size=20, max_size=20),
        "MsgRef": st.text(alphabet=string.digits, min_size=20, max_size=20),
        "WorkDate": DATE.map(lambda d: d.strftime("%Y%m%d")),
        "Reserve": st.just("") | TEXT,
    }
)


def with_cfx_batch_head(msg_no: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy the batch-head fields of the first record into all, and number the records uniquely."""
    spec = MSG_SPECS[msg_no]
    fields = field_map(spec.model)
    head_fields = [fields.by_element[n] for n in spec.head if n in fields.by_element]
    for index, record in enumerate(records):
        for name in head_fields:
            if name in records[0]:
                record[name] = records[0][name]
            else:
                record.pop(name, None)
        if spec.key:
            record[spec.key] = f"{index + 1:08d}"
    return records
