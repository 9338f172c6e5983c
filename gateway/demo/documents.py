"""The demo day's business documents: 浙江省 → 温州市 → 永嘉县 indicators (BA_BGT_INFO / BA_BGT_ADJSUB in the
``mof`` JSON exchange) and 永嘉县's payment vouchers (5201 / 8202 e-vouchers). The bank's answers — 回单,
2252 refund, 2301 / 2302 clearing requests — come from the simulated bank
(:mod:`gateway.simulators.behaviour`).

Every id is derived from the business day, so two demo runs on one day send the same documents (and a
re-run against the same database is idempotent). Amounts are ``Decimal`` yuan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.base import Document, Record
from adapters.registry import default_registry
from schemas.payments import PaymentVoucher

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
BANK, PBOC = "102333300018", "3303240000"
COUNTY_ADM = "330324"

PROVINCE_DOC = "浙财农〔{year}〕12号"
CITY_DOC = "温财农〔{year}〕3号"
COUNTY_DOC = "永财农〔{year}〕7号"


@dataclass(frozen=True)
class Indicator:
    """One indicator the demo issues: who to whom, its id and amount, and what happens to it."""

    issuer: str
    receiver: str
    bgt_id: str
    amount: Decimal
    title: str
    pro_code: str
    fate: str
    """``acknowledged`` (the simulated city's 接收回执), ``lost`` (rule lose), ``booked`` (the county's own
    booking), ``signed`` (the county's 签收)."""


@dataclass(frozen=True)
class Change:
    """An adjustment (signed delta) or recall (positive amount taken back) of an issued indicator."""

    issuer: str
    receiver: str
    change_id: str
    ori_bgt_id: str
    amount: Decimal
    recall: bool


@dataclass(frozen=True)
class Voucher:
    voucher_no: str
    vt_code: str
    amount: Decimal
    details: tuple[tuple[str, Decimal], ...]
    payee: str
    payee_account: str
    purpose: str
    fate: str
    """``paid``, ``short`` (paid short), ``never_cleared``, ``refunded``."""


def _id(prefix: str, day: date, n: int) -> str:
    return f"{prefix}{day:%Y%m%d}{n:04d}"


def indicators(day: date) -> tuple[Indicator, ...]:
    y = day.year
    return (
        Indicator(PROVINCE, CITY, _id(f"{PROVINCE}ZJ", day, 1), Decimal("1200000.00"),
                  f"关于下达{y}年耕地地力保护补贴资金的通知", f"3300002600000000{y}1", "acknowledged"),
        Indicator(PROVINCE, CITY, _id(f"{PROVINCE}ZJ", day, 2), Decimal("2000000.00"),
                  f"关于下达{y}年农村公路养护资金的通知", f"3300002600000000{y}2", "lost"),
        Indicator(PROVINCE, CITY, _id(f"{PROVINCE}ZJ", day, 3), Decimal("650000.00"),
                  f"关于下达{y}年农田水利建设资金的通知", f"3300002600000000{y}3", "acknowledged"),
        Indicator(CITY, COUNTY, _id(f"{CITY}WZ", day, 1), Decimal("500000.00"),
                  f"关于下达{y}年义务教育公用经费的通知", f"3303002600000000{y}1", "booked"),
        Indicator(CITY, COUNTY, _id(f"{CITY}WZ", day, 2), Decimal("300000.00"),
                  f"关于下达{y}年基层医疗卫生补助资金的通知", f"3303002600000000{y}2", "signed"),
    )  # fmt: skip


def changes(day: date) -> tuple[Change, ...]:
    """温州市 adjusts its first indicator to 永嘉县 down by 50,000 and recalls 100,000 of the second."""
    first, second = (i for i in indicators(day) if i.issuer == CITY)
    return (
        Change(CITY, COUNTY, _id(f"{CITY}TZ", day, 1), first.bgt_id, Decimal("-50000.00"), recall=False),
        Change(CITY, COUNTY, _id(f"{CITY}SH", day, 1), second.bgt_id, Decimal("100000.00"), recall=True),
    )


def county_id(upper_bgt_id: str) -> str:
    """The id 永嘉县 books an indicator from 温州市 under (its own BGT_ID; ORI_BGT_ID names the city's)."""
    return f"{COUNTY}YJ{upper_bgt_id[-12:]}"


def _row(issuer: str, receiver: str | None, fiscal_year: int, title: str, pro_code: str) -> dict[str, Any]:
    cor = {PROVINCE: PROVINCE_DOC, CITY: CITY_DOC, COUNTY: COUNTY_DOC}[issuer].format(year=fiscal_year)
    sup = {PROVINCE: f"财农〔{fiscal_year - 1}〕128号", CITY: PROVINCE_DOC, COUNTY: CITY_DOC}[issuer]
    row: dict[str, Any] = {
        "MOF_DIV_CODE": issuer,
        "FISCAL_YEAR": str(fiscal_year),
        "COR_BGT_DOC_NO": cor,
        "SUP_BGT_DOC_NO": sup.format(year=fiscal_year),
        "BGT_DOC_TITLE": title,
        "DOC_DATE": f"{fiscal_year}-01-20",
        "BGT_DEC": title.removeprefix("关于下达").removesuffix("的通知"),
        "PRO_CODE": pro_code,
        "FUND_TYPE_CODE": "111",
        "TP_FUNC_CODE": "2130122",
        "GOV_BGT_ECO_CODE": "51301",
        "SOURCE_TYPE_CODE": "12212",
        "BUDGET_LEVEL_CODE": "2",
        "DISTRI_TYPE_CODE": "1",
        "IS_DIR": "1",
        "IS_TRACK": "1",
        "IS_DELETED": "2",
    }
    if receiver is not None:
        row["REC_DIV_CODE"] = receiver
    return row


def _json(table: str, rows: list[dict[str, Any]]) -> bytes:
    return json.dumps({table: rows}, ensure_ascii=False).encode("utf-8")


def issue_document(items: tuple[Indicator, ...], fiscal_year: int) -> bytes:
    """One BA_BGT_INFO document (下达) of ``items``, all from one issuer."""
    rows = []
    for item in items:
        row = _row(item.issuer, item.receiver, fiscal_year, item.title, item.pro_code)
        rows.append({"BGT_ID": item.bgt_id, **row, "AMOUNT": str(item.amount)})
    return _json("BA_BGT_INFO", rows)


def _of(day: date, bgt_id: str) -> Indicator:
    return next(i for i in indicators(day) if i.bgt_id == bgt_id)


def change_document(day: date, items: tuple[Change, ...], *, booked_by_lower: bool = False) -> bytes:
    """BA_BGT_ADJSUB rows: the issuer's 调整 / 收回 of its indicator, or (``booked_by_lower``) the lower's
    booking of the same change against its own BGT_ID."""
    rows = []
    for item in items:
        base = _of(day, item.ori_bgt_id)
        if booked_by_lower:
            row = _row(item.receiver, None, day.year, base.title, base.pro_code)
            change_id, ori = (
                f"{item.receiver}{item.change_id[len(item.issuer) :]}",
                county_id(item.ori_bgt_id),
            )
        else:
            row = _row(item.issuer, item.receiver, day.year, base.title, base.pro_code)
            change_id, ori = item.change_id, item.ori_bgt_id
        amount = -item.amount if item.recall else item.amount
        row.update(
            {
                "ADJ_SUB_ID": change_id,
                "ADJ_TYPE_CODE": "2" if item.recall else "1",
                "ORI_BGT_ID": ori,
                "ADD_AMOUNT": str(amount),
                "BAT_NUM": "1",
            }
        )
        rows.append(row)
    return _json("BA_BGT_ADJSUB", rows)


def booking_document(items: tuple[Indicator, ...], fiscal_year: int) -> bytes:
    """永嘉县's own BA_BGT_INFO rows for indicators it received (ORI_BGT_ID = the city's id, no REC_DIV)."""
    rows = []
    for item in items:
        row = _row(item.receiver, None, fiscal_year, item.title, item.pro_code)
        rows.append(
            {"BGT_ID": county_id(item.bgt_id), **row, "ORI_BGT_ID": item.bgt_id, "AMOUNT": str(item.amount)}
        )
    return _json("BA_BGT_INFO", rows)


def receipt_document(items: tuple[Indicator, ...], fiscal_year: int, at: str) -> bytes:
    """永嘉县's 签收 (BA_BGT_RECEIPT) of 温州市's indicators; ``at``: Beijing ``YYYY-MM-DD HH:MM:SS``."""
    rows = [
        {
            "BGT_ID": item.bgt_id,
            "MOF_DIV_CODE": item.issuer,
            "REC_DIV_CODE": item.receiver,
            "FISCAL_YEAR": str(fiscal_year),
            "COR_BGT_DOC_NO": CITY_DOC.format(year=fiscal_year),
            "REC_STATUS": "1",
            "REC_BGT_ID": county_id(item.bgt_id),
            "REC_TIME": at,
        }
        for item in items
    ]
    return _json("BA_BGT_RECEIPT", rows)


# ---- payments --------------------------------------------------------------------------------------------


def vouchers(day: date) -> tuple[Voucher, ...]:
    y = day.strftime("%y")
    n = f"{day:%m%d}"

    def no(vt: str, i: int) -> str:
        return f"{COUNTY_ADM}{vt}{y}{n}{i:04d}"

    return (
        Voucher(no("5201", 1), "5201", Decimal("12345.67"),
                (("一季度办公用品", Decimal("10000.00")), ("教学耗材", Decimal("2345.67"))),
                "温州市瓯江文具有限公司", "33050162682700000123", "购买办公用品", "paid"),
        Voucher(no("5201", 2), "5201", Decimal("860.00"), (("三月水电费", Decimal("860.00")),),
                "国网浙江永嘉县供电公司", "33050162682700000456", "水电费", "short"),
        Voucher(no("5201", 3), "5201", Decimal("3200.00"), (("校舍维修", Decimal("3200.00")),),
                "永嘉县瓯北建筑工程有限公司", "33050162682700000789", "维修费", "never_cleared"),
        Voucher(no("5201", 4), "5201", Decimal("5600.00"),
                (("图书采购", Decimal("5000.00")), ("运费", Decimal("600.00"))),
                "浙江新华书店温州分公司", "33050162682700000999", "购买图书", "refunded"),
        Voucher(no("8202", 1), "8202", Decimal("1980.00"), (("网络服务费", Decimal("1980.00")),),
                "中国电信永嘉分公司", "33050162682700001111", "网络服务费", "paid"),
    )  # fmt: skip


def spent_indicator(day: date) -> Indicator:
    """The city's indicator whose county booking every voucher of the day spends (资金追踪 follows it)."""
    return next(i for i in indicators(day) if i.fate == "booked")


def overspending_voucher(day: date) -> Voucher:
    """A sixth 5201 against the same indicator for more than it has left (450,000.00 booked after the
    city's adjustment, less the day's five vouchers): the gateway refuses it ``indicator_exhausted``."""
    return Voucher(f"{COUNTY_ADM}5201{day:%y%m%d}0005", "5201", Decimal("500000.00"),
                   (("教学楼改造工程款", Decimal("500000.00")),),
                   "永嘉县瓯北建筑工程有限公司", "33050162682700000789", "工程款", "refused")  # fmt: skip


CONTROL_RULES = f"""# 控制 rules of the demo (docs/control-rules.example.toml explains every key)
[divisions."{COUNTY}"]
policy = "refuse"
indicator_balance = true
func_subject = false   # the demo's indicators all carry TP_FUNC_CODE 2130122; its vouchers 2050202
large_payment = {{ threshold = "1000000.00", action = "hold" }}
"""
"""The rule file ``fiscalgw demo`` loads (version 1) before the day: 永嘉县's vouchers are controlled."""


def _voucher(day: date, v: Voucher) -> PaymentVoucher:
    direct = v.vt_code == "5201"
    spent = spent_indicator(day)
    return PaymentVoucher.model_validate(
        {
            "adm_div_code": COUNTY_ADM,
            # 指标文号: the 本级指标文号 (COR_BGT_DOC_NO) of the county's booking of ``spent``
            "file_no_code": COUNTY_DOC.format(year=day.year),
            "file_no_name": spent.title,
            "st_year": day.year,
            "vt_code": v.vt_code,
            "vou_date": day.strftime("%Y%m%d"),
            "voucher_no": v.voucher_no,
            "fund_type_code": "1",
            "fund_type_name": "一般公共预算",
            "pay_type_code": "11" if direct else "12",
            "pay_type_name": "直接支付" if direct else "授权支付",
            "sup_dep_code": "101",
            "sup_dep_name": "永嘉县教育局",
            "agency_code": "101001",
            "agency_name": "永嘉县瓯北第一小学",
            "exp_func_code": "2050202",
            "exp_func_name": "小学教育",
            "pay_bank_code": "102",
            "pay_bank_name": "中国工商银行永嘉支行",
            "clear_bank_code": "001",
            "clear_bank_name": "中国人民银行永嘉县支行",
            "payee_acct_no": v.payee_account,
            "payee_acct_name": v.payee,
            "payee_acct_bank_name": "中国建设银行温州永嘉支行",
            "pay_acct_no": "1203280129000001234" if direct else "1203280129000005678",
            "pay_acct_name": "永嘉县财政局零余额账户" if direct else "永嘉县瓯北第一小学零余额账户",
            "pay_acct_bank_name": "中国工商银行永嘉支行",
            "pay_summary_name": v.purpose,
            "pay_amt": str(v.amount),
            "details": [
                {"id": f"D{i + 1:04d}", "agency_code": "101001", "pay_amt": str(amount), "remark": remark}
                for i, (remark, amount) in enumerate(v.details)
            ],
        }
    )


def voucher_documents(day: date) -> list[bytes]:
    """The county's e-voucher packages: one per VtCode (5201 直接支付, 8202 授权支付)."""
    adapter = default_registry().get("evoucher")
    out = []
    for vt in ("5201", "8202"):
        records = tuple(
            Record(i, _voucher(day, v)) for i, v in enumerate(v for v in vouchers(day) if v.vt_code == vt)
        )
        out.append(adapter.render(Document("evoucher", records)))
    return out


def overspending_document(day: date) -> bytes:
    """The refused voucher alone (a refusal refuses its whole document)."""
    record = Record(0, _voucher(day, overspending_voucher(day)))
    return default_registry().get("evoucher").render(Document("evoucher", (record,)))
