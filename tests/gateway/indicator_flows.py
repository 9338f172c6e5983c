"""Indicator documents in the ``mof`` JSON exchange (issue, adjust, recall, delete, 签收, the lower's booking)
and a helper that posts them signed through the in-process gateway."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
UPPER_DOC = "浙财农〔2026〕12号"


def issue(bgt_id: str, amount: str, *, to: str = CITY, deleted: bool = False, **extra: str) -> dict[str, Any]:
    row = indicator_row(PROVINCE, to, bgt_id, Decimal(amount))
    if deleted:
        row["IS_DELETED"] = "1"
    row.update(extra)
    return row


def change(adj_id: str, ori: str, delta: str, *, recall: bool = False, to: str = CITY) -> dict[str, Any]:
    """A BA_BGT_ADJSUB row: ``delta`` signed for 调整; for 收回 the positive amount taken back."""
    row = indicator_row(PROVINCE, to, adj_id, Decimal("0"))
    for name in ("BGT_ID", "AMOUNT"):
        row.pop(name)
    row.update(
        {
            "ADJ_SUB_ID": adj_id,
            "ADJ_TYPE_CODE": "2" if recall else "1",
            "ORI_BGT_ID": ori,
            "ADD_AMOUNT": f"-{delta}" if recall else delta,
            "BAT_NUM": "1",
        }
    )
    return row


def booking(
    lower_id: str, ori: str | None, amount: str, *, lower: str = CITY, **extra: str
) -> dict[str, Any]:
    """The lower level's own BA_BGT_INFO row for an indicator it received (no REC_DIV_CODE)."""
    row = indicator_row(lower, None, lower_id, Decimal(amount))
    row["COR_BGT_DOC_NO"] = "温财农〔2026〕3号"
    row["SUP_BGT_DOC_NO"] = UPPER_DOC
    if ori is not None:
        row["ORI_BGT_ID"] = ori
    row.update(extra)
    return row


def receipt(upper_id: str, lower_id: str, *, lower: str = CITY, accepted: bool = True) -> dict[str, Any]:
    row: dict[str, Any] = {
        "BGT_ID": upper_id,
        "MOF_DIV_CODE": PROVINCE,
        "REC_DIV_CODE": lower,
        "FISCAL_YEAR": "2026",
        "COR_BGT_DOC_NO": UPPER_DOC,
        "REC_STATUS": "1" if accepted else "2",
        "REC_TIME": "2026-03-02 17:30:00",
    }
    if accepted:
        row["REC_BGT_ID"] = lower_id
    else:
        row["REJECT_REASON"] = "金额有误"
    return row


def document(table: str, *rows: dict[str, Any]) -> bytes:
    return json.dumps({table: list(rows)}, ensure_ascii=False).encode("utf-8")


def send(h: Harness, sender: str, body: bytes, message_id: str) -> httpx.Response:
    headers = signed_headers(h.config_dir, sender, body, message_id, h.clock.now)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 202, response.text
    return response
