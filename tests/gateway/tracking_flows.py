"""A hand-checked 资金追踪 scenario sent through the in-process gateway: province → city → county with an
adjustment, recalls at two levels, vouchers at the city and the county (cited three ways), 回单, a refund
and a clearing request with its 回单.

Field lists: BA_BGT_INFO / BA_BGT_ADJSUB as DOMAIN.md §1 lists them (from the FASP3 ``BaBgtInfoPO`` /
``BaBgtAdjsubPO`` field sets) and the 5201 / 2252 / 2301 field set of ITFE ``Voucher5201MsgServer`` /
``Voucher2252MsgServer`` (DOMAIN.md §2.3; repo ``caoyanguo/ITFE``), through the sample builders of
``tests/gateway/samples.py`` and ``tests/gateway/payment_flows.py``.

Expected figures (yuan), worked by hand (已支付 = 回单 XPayAmt less refunds, as 控制 counts it;
在途 = sent, no 回单):

====  =========================  ==========  ======  ======  ==========  ========  ======  ======  ======
node  row                        issued      adjust  recall  net         allocated paid    在途     total
====  =========================  ==========  ======  ======  ==========  ========  ======  ======  ======
P1    province → city (issued)   1000000.00  200000  100000  1100000.00  1100000   0       0       190000
C1    city booking of P1         1000000.00  200000  100000  1100000.00  550000    0       100000  190000
K1    city → county (issued)     600000.00   0       50000   550000.00   550000    0       0       190000
Y1    county booking of K1       550000.00   0       0       550000.00   0         190000  0       190000
====  =========================  ==========  ======  ======  ==========  ========  ======  ======  ======

Vouchers cite the 本级指标文号 (COR_BGT_DOC_NO) of the booking they spend; 控制 (no rules loaded: policy off,
still linked) links them at intake and the report reads that link. Y1's: V1 150,000 and V2 50,000 (Y1's
文号); 回单 V1 150,000 + V2 50,000 = 200,000; refund of V1 10,000 → 已支付 190,000; cleared (2301 回单)
200,000. V9 20,000 cites K1's 文号 — the city's document, on no county row — so 控制 links it to nothing
(``indicator_unknown``): it is listed as 未关联指标的凭证 of the county. City: V3 100,000 cites C1's 文号, no
回单 yet: 在途. A county voucher VX cites the county's own indicator Y2 and counts for Y2 only (在途).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport
from schemas.payments import PaymentVoucher
from tests.gateway import payment_flows as pay
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import document
from tests.gateway.samples import indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
BANK, PBC = "102333300018", "3303240000"
P1, C1, K1, Y1, Y2 = (
    "3300002026ZD0001",
    "3303002026ZD0001",
    "3303002026XF0001",
    "3303242026ZD0001",
    "3303242026BJ0002",
)
P1_DOC, C1_DOC, K1_DOC, Y1_DOC = (
    "浙财农〔2026〕12号",
    "温财农〔2026〕3号",
    "温财农〔2026〕7号",
    "嘉财农〔2026〕5号",
)
Y2_DOC = "嘉财预〔2026〕1号"
DAY = date(2026, 3, 16)


def _row(issuer: str, receiver: str | None, bgt_id: str, amount: str, **fields: str) -> dict[str, Any]:
    row = indicator_row(issuer, receiver, bgt_id, Decimal(amount))
    row.update(fields)
    return row


def _change(
    issuer: str, receiver: str | None, adj_id: str, ori: str, amount: str, *, recall: bool
) -> dict[str, Any]:
    """A BA_BGT_ADJSUB row of ``issuer``'s ledger: ADD_AMOUNT signed (a 收回 is the negative amount)."""
    row = indicator_row(issuer, receiver, adj_id, Decimal("0"))
    for name in ("BGT_ID", "AMOUNT"):
        row.pop(name)
    row.update(
        {
            "ADJ_SUB_ID": adj_id,
            "ADJ_TYPE_CODE": "2" if recall else "1",
            "ORI_BGT_ID": ori,
            "ADD_AMOUNT": f"-{amount}" if recall else amount,
            "BAT_NUM": "1",
        }
    )
    return row


def post(h: Harness, sender: str, body: bytes) -> None:
    h.clock.now += timedelta(minutes=1)
    headers = signed_headers(h.config_dir, sender, body, uuid.uuid4().hex, h.clock.now)
    response = h.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 202, response.text


def _voucher(no: str, fen: int, file_no: str, adm: str = "330324") -> PaymentVoucher:
    return pay.voucher(no, fen, DAY).model_copy(update={"file_no_code": file_no, "adm_div_code": adm})


@dataclass(frozen=True)
class Vouchers:
    v1: str = "3303245201260000101"
    v2: str = "3303245201260000102"
    v9: str = "3303245201260000109"
    vx: str = "3303245201260000199"
    v3: str = "3303005201260000103"


V = Vouchers()


def build(h: Harness) -> None:
    """Send the whole scenario (see the module docstring)."""
    # province issues P1 to the city, adjusts it +200,000 and recalls 100,000
    post(h, PROVINCE, document("BA_BGT_INFO", _row(PROVINCE, CITY, P1, "1000000.00", COR_BGT_DOC_NO=P1_DOC)))
    post(
        h,
        PROVINCE,
        document("BA_BGT_ADJSUB", _change(PROVINCE, CITY, "ADJ-P1-1", P1, "200000.00", recall=False)),
    )
    post(
        h,
        PROVINCE,
        document("BA_BGT_ADJSUB", _change(PROVINCE, CITY, "ADJ-P1-2", P1, "100000.00", recall=True)),
    )
    # the city books it (ORI_BGT_ID = P1) and books the same changes on its row
    booking = _row(CITY, None, C1, "1000000.00", COR_BGT_DOC_NO=C1_DOC, SUP_BGT_DOC_NO=P1_DOC, ORI_BGT_ID=P1)
    post(h, CITY, document("BA_BGT_INFO", booking))
    post(h, CITY, document("BA_BGT_ADJSUB", _change(CITY, None, "ADJ-C1-1", C1, "200000.00", recall=False)))
    post(h, CITY, document("BA_BGT_ADJSUB", _change(CITY, None, "ADJ-C1-2", C1, "100000.00", recall=True)))
    # the city re-allocates 600,000 of C1 to the county, then recalls 50,000
    onward = _row(CITY, COUNTY, K1, "600000.00", COR_BGT_DOC_NO=K1_DOC, SUP_BGT_DOC_NO=P1_DOC, ORI_BGT_ID=C1)
    post(h, CITY, document("BA_BGT_INFO", onward))
    post(h, CITY, document("BA_BGT_ADJSUB", _change(CITY, COUNTY, "ADJ-K1-1", K1, "50000.00", recall=True)))
    # the county books K1 at its current amount, and has an own indicator Y2
    county = _row(COUNTY, None, Y1, "550000.00", COR_BGT_DOC_NO=Y1_DOC, SUP_BGT_DOC_NO=K1_DOC, ORI_BGT_ID=K1)
    own = _row(COUNTY, None, Y2, "80000.00", COR_BGT_DOC_NO=Y2_DOC, IS_TRACK="2")
    own.pop("SUP_BGT_DOC_NO")
    post(h, COUNTY, document("BA_BGT_INFO", county, own))
    # vouchers: the county's two against Y1 (its 文号), one citing the city's 文号, one against Y2
    post(
        h,
        COUNTY,
        pay.render(
            _voucher(V.v1, 15_000_000, Y1_DOC),
            _voucher(V.v2, 5_000_000, Y1_DOC),
            _voucher(V.v9, 2_000_000, K1_DOC),
            _voucher(V.vx, 3_000_000, Y2_DOC),
        ),
    )
    post(h, CITY, pay.render(_voucher(V.v3, 10_000_000, C1_DOC, adm="330300")))
    Relay(h.gateway, MockTransport(lambda _push: None)).run_once()
    post(
        h,
        BANK,
        pay.render(
            pay.receipt(V.v1, 15_000_000, 15_000_000, DAY), pay.receipt(V.v2, 5_000_000, 5_000_000, DAY)
        ),
    )
    post(h, BANK, pay.render(pay.refund("3303242252260000001", V.v1, 1_000_000, DAY)))
    lines = [(V.v1, 15_000_000), (V.v2, 5_000_000)]
    post(h, BANK, pay.render(pay.clearing("3303242301260000001", lines, DAY)))
    post(h, PBC, pay.render(pay.clearing_receipt("3303242301260000001", lines, DAY)))


def party_get(h: Harness, party: str, path: str, query: str = "") -> httpx.Response:
    target = f"{path}?{query}" if query else path
    headers = signed_headers(
        h.config_dir, party, b"", uuid.uuid4().hex, h.clock.now, path=target, method="GET"
    )
    response: httpx.Response = h.client.get(target, headers=headers)
    return response
