"""Hostile and broken CFX packages: every case fails with its own specific code or rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from adapters.cfx import CfxAdapter
from adapters.errors import MalformedDocument
from adapters.limits import Limits
from schemas.errors import ValidationFailed

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "cfx"
ADAPTER = CfxAdapter()


def _golden(name: str = "2201") -> bytes:
    return (GOLDEN / f"{name}.xml").read_bytes()


def _edit(old: str, new: str, name: str = "2201", count: int = 1) -> bytes:
    raw = _golden(name)
    old_b, new_b = old.encode("gbk"), new.encode("gbk")
    assert old_b in raw, old
    return raw.replace(old_b, new_b, count)


def _malformed(raw: bytes, limits: Limits | None = None) -> MalformedDocument:
    with pytest.raises(MalformedDocument) as info:
        ADAPTER.parse(raw, limits=limits or Limits())
    return info.value


def _problems(raw: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as info:
        ADAPTER.parse(raw)
    return [(p.path, p.rule) for p in info.value.problems]


def _bills(count: int) -> bytes:
    raw = _golden()
    start = raw.index(b"<Bill2201>")
    end = raw.index(b"</Bill2201>") + len(b"</Bill2201>")
    bill = raw[start:end]
    bills = b"".join(bill.replace(b"<TraNo>00000001<", b"<TraNo>%08d<" % (i + 1)) for i in range(count))
    tail = raw[raw.rindex(b"</Bill2201>") + len(b"</Bill2201>") :]
    head = raw[:start].replace(b"<AllNum>2<", b"<AllNum>%d<" % count)
    head = head.replace(b"<AllAmt>18205.67<", b"<AllAmt>%s<" % str(Decimal("13205.67") * count).encode())
    return head + bills + tail


def test_xxe() -> None:
    raw = b'<?xml version="1.0" encoding="GBK"?><!DOCTYPE CFX [<!ENTITY x SYSTEM "file:///etc/passwd">]><CFX>&x;</CFX>'
    assert _malformed(raw).code == "dtd_forbidden"


def test_external_dtd() -> None:
    raw = _golden().replace(b"<CFX>", b'<!DOCTYPE CFX SYSTEM "http://127.0.0.1:9/cfx.dtd"><CFX>', 1)
    assert _malformed(raw).code == "dtd_forbidden"


def test_billion_laughs() -> None:
    lol = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;">' % (i, i - 1, i - 1, i - 1, i - 1) for i in range(1, 9)
    )
    raw = (
        b'<?xml version="1.0" encoding="GBK"?><!DOCTYPE CFX [<!ENTITY l0 "lol">' + lol + b"]><CFX>&l8;</CFX>"
    )
    assert _malformed(raw).code == "dtd_forbidden"


def test_deep_nesting() -> None:
    raw = _edit("<AddWord>", "<AddWord>" + "<x>" * 40 + "</x>" * 40)
    assert _malformed(raw).code == "too_deep"


def test_oversize() -> None:
    raw = _golden()
    assert _malformed(raw, Limits(max_bytes=len(raw) - 1)).code == "document_too_large"


def test_utf8_is_not_accepted() -> None:
    raw = _golden().replace(b'encoding="GBK"', b'encoding="UTF-8"', 1)
    assert _malformed(raw).code == "encoding_not_allowed"


def test_lying_encoding_declaration() -> None:
    raw = _golden().decode("gbk").encode("utf-8")  # still declares GBK
    assert _malformed(raw).code == "invalid_encoding"


def test_invalid_gbk_bytes() -> None:
    raw = _golden().replace("国家金库".encode("gbk"), b"\x81\x20\xff", 1)
    assert _malformed(raw).code == "invalid_encoding"


def test_unknown_msgno() -> None:
    assert _malformed(_edit("<MsgNo>2201</MsgNo>", "<MsgNo>2299</MsgNo>")).code == "unknown_msgno"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<SRC>202057100007</SRC>", "<SRC>2020571</SRC>"),
        ("<DES>100000000000</DES>", "<DES>10000000000X</DES>"),
        ("<MsgID>20260317220100000031</MsgID>", "<MsgID>2026031722010000003</MsgID>"),
        ("<WorkDate>20260317</WorkDate>", "<WorkDate>20260230</WorkDate>"),
    ],
)
def test_bad_head_fields(old: str, new: str) -> None:
    assert _malformed(_edit(old, new)).code == "bad_header"


def test_missing_head_field() -> None:
    assert _malformed(_edit("<MsgID>20260317220100000031</MsgID>", "")).code == "missing_element"


def test_all_num_differs_from_the_bills() -> None:
    assert _malformed(_edit("<AllNum>2</AllNum>", "<AllNum>3</AllNum>")).code == "batch_count_mismatch"


def test_all_amt_differs_from_the_bills() -> None:
    assert (
        _malformed(_edit("<AllAmt>18205.67</AllAmt>", "<AllAmt>18205.66</AllAmt>")).code
        == "batch_amount_mismatch"
    )


def test_duplicate_transaction_numbers() -> None:
    error = _malformed(_edit("<TraNo>00000002</TraNo>", "<TraNo>00000001</TraNo>"))
    assert (error.code, error.position) == ("duplicate_record", 1)


def test_more_than_1000_records() -> None:
    assert _malformed(_bills(1001)).code == "too_many_records"


def test_1000_records_are_accepted() -> None:
    assert len(ADAPTER.parse(_bills(1000)).records) == 1000


def test_record_limit_is_configurable() -> None:
    assert _malformed(_bills(3), Limits(max_records=2)).code == "too_many_records"


def test_unknown_element_in_a_bill_is_kept_not_refused() -> None:
    """Issue 12 "preserve, don't refuse": an element we do not model is an extension of the record (this
    test used to assert ``unexpected_element``); it renders back in place."""
    raw = _edit("<AddWord/>", "<AddWord/><Surprise>1</Surprise>")
    document = ADAPTER.parse(raw)
    layout = document.records[1].layout
    assert layout is not None
    assert [e.xml for e in layout.nodes["record"].extras()] == ["<Surprise>1</Surprise>"]
    assert ADAPTER.render(document) == raw


def test_repeated_known_element_in_a_bill_is_refused() -> None:
    error = _malformed(_edit("<AddWord/>", "<AddWord/><AddWord>x</AddWord>"))
    assert (error.code, error.position) == ("unexpected_element", 1)


def test_batch_head_missing() -> None:
    raw = _golden()
    start, end = raw.index(b"<BatchHead2201>"), raw.index(b"</BatchHead2201>") + len(b"</BatchHead2201>")
    assert _malformed(raw[:start] + raw[end:]).code == "missing_element"


def test_amount_with_three_decimals_names_the_record() -> None:
    raw = _edit("<Amt>5000.00</Amt>", "<Amt>5000.001</Amt>")
    assert ("[1].amt", "amount_precision") in _problems(raw)


def test_amount_in_exponent_notation() -> None:
    raw = _edit("<Amt>5000.00</Amt>", "<Amt>5E3</Amt>", count=2)
    assert _problems(raw) == [("[1].amt", "amount_not_decimal"), ("[1].details[0].amt", "amount_not_decimal")]


def test_negative_clearing_amount() -> None:
    raw = _edit("<Amt>5000.00</Amt>", "<Amt>-5000.00</Amt>", count=2)
    assert ("[1].amt", "amount_negative") in _problems(raw)


def test_impossible_voucher_date() -> None:
    raw = _edit("<VouDate>20260317</VouDate>", "<VouDate>20260230</VouDate>")
    assert _problems(raw) == [("[0].vou_date", "value_error")]


def test_bill_details_must_add_up() -> None:
    raw = _edit("<Amt>860.00</Amt>", "<Amt>860.01</Amt>")
    assert _problems(raw) == [("[0].details", "detail_sum_mismatch")]


def test_stat_inf_num_must_count_the_details() -> None:
    raw = _edit("<StatInfNum>1</StatInfNum>", "<StatInfNum>2</StatInfNum>")
    assert _problems(raw) == [("[1].details", "detail_count_mismatch")]


def test_unknown_budget_type() -> None:
    raw = _edit("<BudgetType>1</BudgetType>", "<BudgetType>9</BudgetType>")
    assert _problems(raw) == [("[0].budget_type", "literal_error")]


def test_bad_node_code_in_batch_head_is_reported_for_every_bill() -> None:
    raw = _edit("<AgentBnkCode>102333300018</AgentBnkCode>", "<AgentBnkCode>1023</AgentBnkCode>")
    assert _problems(raw) == [("[0].agent_bnk_code", "string_pattern_mismatch")] * 1 + [
        ("[1].agent_bnk_code", "string_pattern_mismatch")
    ]


def test_general_reply_needs_exactly_one_body() -> None:
    raw = (GOLDEN / "9120.xml").read_bytes()
    start, end = raw.index(b"<MsgReturn9120>"), raw.index(b"</MsgReturn9120>") + len(b"</MsgReturn9120>")
    assert _malformed(raw[:start] + raw[end:]).code == "missing_element"
    assert _malformed(raw[:end] + raw[start:end] + raw[end:]).code == "missing_element"
