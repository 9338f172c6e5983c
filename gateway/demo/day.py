"""The demo's scripted business day, driven through the gateway's real HTTP API with signed messages.

Indicators: 浙江省 issues three indicators to 温州市 (pushed to the simulated city, which answers two with a
接收回执 and loses the third by rule); 温州市 issues two to 永嘉县 (a pull party the demo plays), which books
the first as its own BA_BGT_INFO and 签收s the second; 温州市 then adjusts the first down and recalls part of
the second, and 永嘉县 books both changes.

Payments: 永嘉县 sends four 5201 直接支付 vouchers and one 8202 授权支付 voucher to the simulated agency bank,
which pays them (one short), refunds part of one (2252) and asks the simulated PBOC to clear what it paid
(2301) — leaving one voucher out — and returns the refunded amount to the treasury (2302), which the PBOC
clears too. A sixth voucher asks more than the indicator has left: the gateway's 控制 refuses it
(``indicator_exhausted``, ADR 0008) and nothing of it reaches the bank.

:func:`drive_day` waits (bounded) until every answer has arrived, so a reconciliation right after it sees the
whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from gateway.demo import documents as docs
from gateway.demo.client import DemoClient, Inbox

BEIJING = timezone(timedelta(hours=8))
SETTLE_TIMEOUT = 90.0
CLEARING_RECEIPTS = 3
"""The PBOC's 回单s the county gets: the bank's two 2301s (5201 and 8202 accounts) and its 2302 (the
refund going back to the treasury)."""


@dataclass(frozen=True)
class Incidents:
    """What the simulators are told to get wrong (their ``--rule`` values)."""

    lost_indicator: str
    short_voucher: str
    never_cleared_voucher: str
    refunded_voucher: str

    def bank_rules(self) -> tuple[str, ...]:
        return (
            "clear=true",
            f"short={self.short_voucher}",
            f"never_clear={self.never_cleared_voucher}",
            f"refund={self.refunded_voucher}",
        )

    def city_rules(self) -> tuple[str, ...]:
        return (f"lose={self.lost_indicator}",)


def business_day(now: datetime | None = None) -> date:
    """Today in Beijing: the day the vouchers carry and the simulators pay and clear on."""
    return (now or datetime.now(UTC)).astimezone(BEIJING).date()


def incidents(day: date) -> Incidents:
    (lost,) = (i.bgt_id for i in docs.indicators(day) if i.fate == "lost")
    by_fate = {v.fate: v.voucher_no for v in docs.vouchers(day)}
    return Incidents(lost, by_fate["short"], by_fate["never_cleared"], by_fate["refunded"])


@dataclass(frozen=True)
class DayLog:
    """What the day sent and received, for the summary."""

    day: date
    indicators_issued: int
    changes: int
    vouchers: int
    receipts: int
    refunds: int
    clearing_receipts: int
    province_receipts: int
    refused_vouchers: int


def _say(line: str, quiet: bool) -> None:
    if not quiet:
        print(f"  · {line}", flush=True)


def drive_day(
    client: DemoClient, day: date, *, timeout: float = SETTLE_TIMEOUT, quiet: bool = False
) -> DayLog:
    """Run the day; :class:`DemoFailed` names whatever did not arrive within ``timeout`` seconds."""
    year = day.year
    items = docs.indicators(day)
    to_city = tuple(i for i in items if i.issuer == docs.PROVINCE)
    to_county = tuple(i for i in items if i.issuer == docs.CITY)
    county, province = Inbox(docs.COUNTY), Inbox(docs.PROVINCE)

    client.send(docs.PROVINCE, docs.issue_document(to_city, year), "the province's indicators")
    _say(
        f"浙江省 → 温州市 下达指标 {len(to_city)} 条 / province issued {len(to_city)} indicators to the city",
        quiet,
    )
    client.send(docs.CITY, docs.issue_document(to_county, year), "the city's indicators")
    _say(
        f"温州市 → 永嘉县 下达指标 {len(to_county)} 条 / city issued {len(to_county)} to the county",
        quiet,
    )
    client.wait_for(county, {"transfer_indicator": len(to_county)}, timeout, "the city's indicators")
    booked = tuple(i for i in to_county if i.fate == "booked")
    signed = tuple(i for i in to_county if i.fate == "signed")
    client.send(docs.COUNTY, docs.booking_document(booked, year), "the county's booking")
    at = datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    client.send(docs.COUNTY, docs.receipt_document(signed, year, at), "the county's 签收")
    _say("永嘉县 入账 1 条、签收 1 条 / the county booked one and signed for one", quiet)

    changes = docs.changes(day)
    client.send(docs.CITY, docs.change_document(day, changes), "the city's adjustment and recall")
    client.wait_for(
        county,
        {"transfer_indicator": len(to_county) + len(changes)},
        timeout,
        "the city's adjustment and recall",
    )
    client.send(docs.COUNTY, docs.change_document(day, changes, booked_by_lower=True), "the county's booking")
    _say(
        "温州市 调减 1 条、收回 1 条，永嘉县 同步入账 / city adjusted one, recalled one; county booked both",
        quiet,
    )

    vouchers = docs.vouchers(day)
    for body in docs.voucher_documents(day):
        client.send(docs.COUNTY, body, "the county's payment vouchers")
    _say(
        f"永嘉县 发送支付凭证 {len(vouchers)} 笔 / the county sent {len(vouchers)} vouchers to the bank",
        quiet,
    )
    over = docs.overspending_voucher(day)
    refused = client.send_refused(
        docs.COUNTY, docs.overspending_document(day), "indicator_exhausted", "the over-spending voucher"
    )
    (detail,) = refused["detail"]["vouchers"]  # its available balance depends on the bank's answers so far
    _say(
        f"永嘉县 第 6 笔凭证 {over.amount:,} 超出指标可用余额，网关拒收 (indicator_exhausted，"
        f"指标 {detail['bgt_id']}) / the gateway refused a voucher over the indicator's balance",
        quiet,
    )
    client.wait_for(
        county,
        {"payment_receipt": len(vouchers), "refund_notice": 1, "clearing_receipt": CLEARING_RECEIPTS},
        timeout,
        "the bank's 回单 and refund, the PBOC's clearing receipts (2301 and 2302)",
    )
    _say(
        "代理银行 支付、退款、申请清算；人民银行 清算 / the bank paid, refunded and cleared through the PBOC",
        quiet,
    )

    acknowledged = sum(1 for i in to_city if i.fate == "acknowledged")
    client.wait_for(province, {"indicator_receipt": acknowledged}, timeout, "the city's 接收回执")
    _say(
        f"温州市 回执 {acknowledged} 条（1 条在途丢失）/ the city acknowledged {acknowledged} (one was lost)",
        quiet,
    )
    counts = county.counts()
    return DayLog(
        day,
        len(items),
        len(changes),
        len(vouchers),
        counts["payment_receipt"],
        counts["refund_notice"],
        counts["clearing_receipt"],
        province.counts()["indicator_receipt"],
        1,
    )
