"""Wire documents and signed requests for gateway tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from gateway.wire_signature import rfc3339, signing_string
from signing import DEFAULT_PROFILE, load_private_key

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def indicator_row(issuer: str, receiver: str | None, bgt_id: str, amount: Decimal) -> dict[str, Any]:
    """One BA_BGT_INFO row (下达) as the 一体化 JSON exchange spells it."""
    row: dict[str, Any] = {
        "BGT_ID": bgt_id,
        "MOF_DIV_CODE": issuer,
        "FISCAL_YEAR": "2026",
        "COR_BGT_DOC_NO": "浙财农〔2026〕12号",
        "SUP_BGT_DOC_NO": "财农〔2025〕128号",
        "BGT_DOC_TITLE": "关于下达2026年农业相关转移支付资金的通知",
        "DOC_DATE": "2026-01-20",
        "BGT_DEC": "耕地地力保护补贴",
        "PRO_CODE": "330000260000000012345",
        "FUND_TYPE_CODE": "111",
        "TP_FUNC_CODE": "2130122",
        "GOV_BGT_ECO_CODE": "51301",
        "SOURCE_TYPE_CODE": "12212",
        "BUDGET_LEVEL_CODE": "2",
        "DISTRI_TYPE_CODE": "1",
        "IS_DIR": "1",
        "IS_TRACK": "1",
        "AMOUNT": str(amount),
        "IS_DELETED": "2",
    }
    if receiver is not None:
        row["REC_DIV_CODE"] = receiver
    return row


def indicator_document(*rows: dict[str, Any]) -> bytes:
    return json.dumps({"BA_BGT_INFO": list(rows)}, ensure_ascii=False).encode("utf-8")


def signed_headers(
    config_dir: Path,
    party_id: str,
    body: bytes,
    message_id: str,
    at: datetime,
    *,
    path: str = "/v1/messages",
    method: str = "POST",
    key_of: str | None = None,
) -> dict[str, str]:
    """Headers of a request signed with ``key_of`` (default: the party's own key from the demo dir)."""
    key = load_private_key((config_dir / "keys" / f"{key_of or party_id}.key.pem").read_bytes())
    timestamp = rfc3339(at)
    text = signing_string(method, path, party_id, message_id, timestamp, body)
    return {
        "X-Sender": party_id,
        "X-Message-Id": message_id,
        "X-Timestamp": timestamp,
        "X-Signature": DEFAULT_PROFILE.sign(key, text),
        "Content-Type": "application/json",
    }
