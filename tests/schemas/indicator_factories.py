"""Hypothesis strategies and a fixed example for the indicator models (shared by schema and adapter tests)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from schemas.indicators import IndicatorEvent, IndicatorReceipt, ReceiptStatus, TransferIndicator

# (issuer, receiver) pairs that satisfy the "strictly below, inside the territory" rule.
DIVISION_PAIRS = [
    ("330000000", "330300000"),
    ("330000000", "330324000"),
    ("330300000", "330324000"),
    ("440000000", "440100000"),
    ("100000000", "330000000"),
]
# values valid in both the national list and the Zhejiang 2026 override of BUDGET_LEVEL
BUDGET_LEVELS = ["1", "2", "4", "5", "6"]
FUND_TYPES = ["1", "11", "111", "121", "122", "131", "191"]

_CHARS = st.characters(
    blacklist_categories=["Cs"],
    blacklist_characters="\r\x0b\x0c\x7f\ufffe\uffff",
    min_codepoint=9,
).filter(lambda c: c in "\t\n" or ord(c) >= 0x20)


def texts(max_size: int) -> st.SearchStrategy[str]:
    return st.text(_CHARS, min_size=1, max_size=max_size)


def ids() -> st.SearchStrategy[str]:
    return st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=38)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def money(min_value: str, max_value: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        Decimal(min_value), Decimal(max_value), places=2, allow_nan=False, allow_infinity=False
    )


def whole_second_datetimes() -> st.SearchStrategy[datetime]:
    return st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)).map(lambda d: d.replace(microsecond=0))


@st.composite
def transfer_indicators(draw: st.DrawFn, events: tuple[IndicatorEvent, ...] = tuple(IndicatorEvent)) -> Any:
    event = draw(st.sampled_from(events))
    upper, lower = draw(st.sampled_from(DIVISION_PAIRS))
    is_transfer = draw(st.booleans())
    year = draw(st.integers(2024, 2030))
    bgt_id = draw(ids())
    if event is IndicatorEvent.ISSUE:
        amount = draw(money("0", "999999999999.99"))
        ori = draw(optional(ids().filter(lambda s: s != bgt_id)))
    elif event is IndicatorEvent.ADJUST:
        amount = draw(money("-999999999.99", "999999999.99").filter(lambda d: d != 0))
        ori = draw(ids().filter(lambda s: s != bgt_id))
    else:
        amount = draw(money("0.01", "999999999.99"))
        ori = draw(ids().filter(lambda s: s != bgt_id))
    return TransferIndicator(
        event=event,
        bgt_id=bgt_id,
        mof_div_code=upper,
        mof_div_name=draw(optional(texts(60))),
        rec_div_code=lower if is_transfer else None,
        rec_div_name=draw(optional(texts(60))),
        fiscal_year=year,
        cor_bgt_doc_no=draw(texts(100)),
        sup_bgt_doc_no=draw(optional(texts(100))),
        bgt_doc_title=draw(texts(360)),
        doc_date=draw(st.dates(date(year - 1, 1, 1), date(year + 1, 12, 31))),
        bgt_dec=draw(optional(texts(360))),
        pro_code=draw(optional(texts(21))),
        pro_name=draw(optional(texts(60))),
        fund_type_code=draw(st.sampled_from(FUND_TYPES)),
        fund_type_name=draw(optional(texts(60))),
        exp_func_code=draw(optional(st.from_regex(r"\A2\d{2}(\d{2}){0,2}\Z"))),
        exp_func_name=draw(optional(texts(60))),
        tp_func_code=draw(st.from_regex(r"\A2\d{2}(\d{2}){0,2}\Z"))
        if is_transfer
        else draw(optional(st.from_regex(r"\A2\d{6}\Z"))),
        tp_func_name=draw(optional(texts(60))),
        gov_bgt_eco_code=draw(optional(st.sampled_from(["51301", "513", "50501"]))),
        gov_bgt_eco_name=draw(optional(texts(60))),
        dep_bgt_eco_code=draw(optional(st.sampled_from(["39999", "30101", "312"]))),
        dep_bgt_eco_name=draw(optional(texts(60))),
        bgt_type_code=draw(optional(texts(10))),
        bgt_type_name=draw(optional(texts(30))),
        source_type_code=draw(optional(st.sampled_from(["1", "12212"]))),
        source_type_name=draw(optional(texts(30))),
        budget_level_code=draw(optional(st.sampled_from(BUDGET_LEVELS))),
        distri_type_code=draw(optional(st.sampled_from(["1", "2", "3", "9"]))),
        is_dir=draw(optional(st.sampled_from(["1", "2", "01", "02", "09"]))),
        is_track=draw(optional(st.sampled_from(["1", "2"]))),
        amount=amount,
        ori_bgt_id=ori,
        adj_batch_no=draw(texts(6)) if event is IndicatorEvent.ADJUST else draw(optional(texts(6))),
        is_deleted=draw(optional(st.sampled_from(["1", "2"]))),
        create_time=draw(optional(whole_second_datetimes())),
        # the other BaBgtInfoPO / BaBgtAdjsubPO columns (schemas.indicator_columns), a sample of each kind
        bgt_exe_flag=draw(optional(st.sampled_from(["0", "1"]))),
        agency_code=draw(optional(texts(21))),
        agency_name=draw(optional(texts(60))),
        manage_mof_dep_code=draw(optional(st.from_regex(r"\A[0-9]{3,6}\Z"))),
        update_time=draw(optional(whole_second_datetimes())),
        dis_amt=draw(optional(money("-999999999.99", "999999999.99"))),
        cur_amt=draw(optional(money("0", "999999999.99"))),
        pay_app_amt=draw(optional(money("0", "999999999.99"))),
        bgt_pman_id=draw(optional(ids())),
        task_name=draw(optional(texts(60))),
        pay_type_code=draw(optional(st.sampled_from(["1", "11", "001001", "001002"]))),
        exp_level_code=draw(optional(st.sampled_from(["1", "2", "3"]))),
        param_1=draw(optional(texts(60))),
        param_6=draw(optional(st.from_regex(r"\A-?[1-9][0-9]{0,8}(\.[0-9]{1,4})?\Z"))),
        in_bgt_id=None
        if event is IndicatorEvent.ISSUE
        else draw(optional(ids().filter(lambda s: s != bgt_id))),
        adj_date=None
        if event is IndicatorEvent.ISSUE
        else draw(optional(st.dates(date(year - 1, 1, 1), date(year + 1, 12, 31)))),
    )


@st.composite
def indicator_receipts(draw: st.DrawFn) -> Any:
    upper, lower = draw(st.sampled_from(DIVISION_PAIRS))
    accepted = draw(st.booleans())
    return IndicatorReceipt(
        bgt_id=draw(ids()),
        mof_div_code=upper,
        rec_div_code=lower,
        fiscal_year=draw(st.integers(1990, 2099)),
        cor_bgt_doc_no=draw(optional(texts(100))),
        rec_status=ReceiptStatus.ACCEPTED if accepted else ReceiptStatus.REJECTED,
        rec_bgt_id=draw(ids()) if accepted else draw(optional(ids())),
        reject_reason=None if accepted else draw(texts(200).filter(lambda s: s.strip() != "")),
        rec_time=draw(whole_second_datetimes()),
    )


def example_issue(**changes: Any) -> dict[str, Any]:
    """A valid ISSUE from 浙江省 to 温州市 as canonical JSON data; ``changes`` override fields."""
    data: dict[str, Any] = {
        "message_type": "transfer_indicator",
        "bgt_id": "3300002026ZJ0000000000000000000012",
        "mof_div_code": "330000000",
        "rec_div_code": "330300000",
        "fiscal_year": 2026,
        "cor_bgt_doc_no": "浙财农〔2026〕12号",
        "bgt_doc_title": "关于下达2026年中央财政农业相关转移支付资金的通知",
        "doc_date": "2026-01-20",
        "fund_type_code": "111",
        "tp_func_code": "2130122",
        "gov_bgt_eco_code": "51301",
        "amount": "12345678.90",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
