"""Building blocks of the 控制 tests: the county books an indicator, sends vouchers that spend it.

The voucher is the 5201 sample (tests/adapters/payments_samples.py, field set of ITFE
``Voucher5201MsgServer``: FileNoCode 指标文号, ExpFuncCode, ExpEcoCode, DepProCode, FundTypeCode, PayAmt);
the indicator is the county's own BA_BGT_INFO booking (DOMAIN.md §1.3 field list) whose COR_BGT_DOC_NO is
the voucher's FileNoCode.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from gateway.services import control_review
from gateway.store.tables import indicator_spends, ledger_indicators
from schemas.payments import PaymentVoucher
from tests.adapters.payments_samples import PAYMENT_5201
from tests.gateway import payment_flows
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import booking, document
from tests.gateway.indicator_flows import send as send_indicator

COUNTY, BANK = payment_flows.COUNTY, payment_flows.BANK
DOC = str(PAYMENT_5201["file_no_code"])
FUNC = str(PAYMENT_5201["exp_func_code"])
PROJECT = "330324260000000000101"
DAY = date(2026, 3, 2)

RULES = f"""
[divisions."{COUNTY}"]
policy = "{{policy}}"
func_subject = true
project = true
sangong = {{{{ "30217" = "50206" }}}}
revenue_fund_types = ["2"]
large_payment = {{{{ threshold = "1000000.00", action = "hold" }}}}
"""


def rules(policy: str) -> str:
    return RULES.format(policy=policy)


def load(h: Harness, policy: str = "refuse", text: str | None = None) -> int:
    return control_review.load_rules(h.gateway, text if text is not None else rules(policy), "ops-a").version


def book(h: Harness, bgt_id: str, amount: str, mid: str, **extra: str) -> None:
    """The county books an indicator of its own ledger (side received) under 指标文号 ``DOC``."""
    fields = {
        "COR_BGT_DOC_NO": DOC,
        "TP_FUNC_CODE": FUNC[:5],
        "PRO_CODE": PROJECT,
        "FUND_TYPE_CODE": "1",
        "GOV_BGT_ECO_CODE": "50201",
        **extra,
    }
    send_indicator(
        h, COUNTY, document("BA_BGT_INFO", booking(bgt_id, None, amount, lower=COUNTY, **fields)), mid
    )


def voucher(no: str, fen: int, **fields: Any) -> PaymentVoucher:
    base = payment_flows.voucher(no, fen, DAY)
    data = base.model_dump()
    data.update({"dep_pro_code": PROJECT, **fields})
    return PaymentVoucher.model_validate(data)


def indicator(h: Harness, bgt_id: str) -> tuple[int, int]:
    """(amount_fen, spent_fen) of the county's live row ``bgt_id``."""
    t = ledger_indicators.c
    with h.gateway.database.engine.connect() as c:
        row = c.execute(
            sa.select(t.amount_fen, t.spent_fen).where(
                t.division == COUNTY, t.bgt_id == bgt_id, t.is_deleted.is_(False)
            )
        ).one()
    return int(row[0]), int(row[1])


def spends(h: Harness) -> list[tuple[str, str, int, int, str]]:
    """(voucher no, state, in flight, paid, codes) of every spend, in arrival order."""
    s = indicator_spends.c
    with h.gateway.database.engine.connect() as c:
        rows = c.execute(
            sa.select(s.voucher_no, s.state, s.in_flight_fen, s.paid_fen, s.codes).order_by(s.id)
        ).all()
    return [(str(a), str(b), int(x), int(y), str(z)) for a, b, x, y, z in rows]
