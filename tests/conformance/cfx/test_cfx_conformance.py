"""Conformance: every CFX MsgNo we support, as ITFE writes it (tests/conformance/cfx/itfe_documents.py names
the repository, path and field list of each), parses to the expected canonical message; rendering it back
writes ITFE's elements in ITFE's order; optional elements may be left out; truly malformed variants are
refused with their specific code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from adapters.canonical import document_from_obj, document_json
from adapters.cfx import CfxAdapter
from adapters.cfx.msgnos import MSG_SPECS
from adapters.errors import MalformedDocument
from schemas.errors import ValidationFailed
from schemas.messages import canonical_json
from tests.conformance.cfx.itfe_documents import DOCUMENTS, document

ADAPTER = CfxAdapter()

EXPECTED: dict[str, dict[str, Any]] = {
    "2201": {
        "message_type": "pboc_clearing_apply",
        "msg_no": "2201",
        "agent_bnk_code": "102333300018",
        "fin_org_code": "330324000",
        "tre_code": "3303240000",
        "entrust_date": "2026-03-17",
        "pack_no": "00000031",
        "payout_vou_type": "1",
        "pay_mode": "0",
        "tra_no": "00000001",
        "vou_no": "3303242301260000031",
        "vou_date": "2026-03-17",
        "payer_acct": "3303240000000001",
        "payer_name": "国家金库永嘉县支库",
        "payer_addr": "永嘉县上塘镇",
        "payee_acct": "1203280129000001234",
        "payee_name": "工商银行永嘉支行清算户",
        "payee_addr": "永嘉县县前路",
        "payee_opn_bnk_no": "102333300018",
        "add_word": "直接支付清算",
        "budget_type": "1",
        "trim_sign": "0",
        "of_year": 2026,
        "amt": "900000.00",
        "stat_inf_num": 1,
        "details": [
            {
                "seq_no": 1,
                "bdg_org_code": "101",
                "func_sbt_code": "2050202",
                "ecnomic_subject_code": "30201",
                "amt": "900000.00",
                "acct_prop": "1",
            }
        ],
    },
    "2202": {
        "message_type": "pboc_clearing_apply",
        "msg_no": "2202",
        "agent_bnk_code": "102333300018",
        "fin_org_code": "330324000",
        "tre_code": "3303240000",
        "entrust_date": "2026-03-20",
        "pack_no": "00000004",
        "payout_vou_type": "1",
        "pay_mode": "0",
        "tra_no": "00000001",
        "vou_no": "3303242302260000004",
        "vou_date": "2026-03-20",
        "ori_tra_no": "20260317000123",
        "ori_entrust_date": "2026-03-17",
        "ori_vou_no": "3303245201260000123",
        "ori_vou_date": "2026-03-16",
        "ori_payer_acct": "3303240000000001",
        "ori_payer_name": "国家金库永嘉县支库",
        "ori_payee_acct": "6222020000000001",
        "ori_payee_name": "永嘉县某某文具店",
        "pay_dictate_no": "20260317000123",
        "pay_msg_no": "hvps.111.001.01",
        "pay_entrust_date": "2026-03-17",
        "pay_snd_bnk_no": "102333300018",
        "budget_type": "1",
        "trim_sign": "0",
        "of_year": 2026,
        "amt": "2345.67",
        "stat_inf_num": 1,
        "details": [
            {
                "seq_no": 1,
                "bdg_org_code": "101001",
                "func_sbt_code": "2050202",
                "ecnomic_subject_code": "30201",
                "amt": "2345.67",
                "acct_prop": "1",
            }
        ],
    },
    "3143": {
        "message_type": "pboc_clearing_receipt",
        "msg_no": "3143",
        "agent_bnk_code": "102333300018",
        "fin_org_code": "330324000",
        "tre_code": "3303240000",
        "entrust_date": "2026-03-17",
        "pack_no": "00000901",
        "ori_entrust_date": "2026-03-17",
        "ori_pack_no": "00000031",
        "payout_vou_type": "1",
        "pay_mode": "0",
        "vou_no": "3303242301260000031",
        "ori_msg_no": "2201",
        "vou_date": "2026-03-17",
        "ori_tra_no": "00000001",
        "pay_dictate_no": "20260317000456",
        "pay_msg_no": "hvps.111.001.01",
        "pay_entrust_date": "2026-03-17",
        "pay_snd_bnk_no": "011333000015",
        "pay_result": "90000",
        "add_word": "拨付成功",
        "acct_date": "2026-03-17",
        "amt": "900000.00",
    },
    "3144": {
        "message_type": "pboc_clearing_receipt",
        "msg_no": "3144",
        "agent_bnk_code": "102333300018",
        "fin_org_code": "330324000",
        "tre_code": "3303240000",
        "entrust_date": "2026-03-20",
        "pack_no": "00000904",
        "ori_entrust_date": "2026-03-20",
        "ori_pack_no": "00000004",
        "payout_vou_type": "1",
        "pay_mode": "0",
        "vou_no": "3303242302260000004",
        "vou_date": "2026-03-20",
        "ori_vou_no": "3303245201260000123",
        "ori_vou_date": "2026-03-16",
        "ori_tra_no": "00000001",
        "acct_date": "2026-03-20",
        "amt": "2345.67",
        "result": "90000",
        "description": "处理成功",
    },
    "5102": {
        "message_type": "pboc_quota",
        "msg_no": "5102",
        "tre_code": "3303240000",
        "bill_org": "330324000",
        "trans_bank_no": "102333300018",
        "entrust_date": "2026-03-01",
        "pack_no": "00000003",
        "payout_vou_type": "0",
        "tra_no": "00000001",
        "vou_no": "3303245108260000003",
        "vou_date": "2026-03-01",
        "sum_amt": "500000.00",
        "budget_type": "1",
        "of_year": 2026,
        "rransact_org": "102",
        "amt_kind": "1",
        "stat_inf_num": 2,
        "details": [
            {
                "seq_no": 1,
                "bdg_org_code": "101",
                "func_bdg_sbt_code": "2050202",
                "ecnomic_subject_code": "30201",
                "amt": "300000.00",
            },
            {
                "seq_no": 2,
                "bdg_org_code": "102",
                "func_bdg_sbt_code": "2100302",
                "ecnomic_subject_code": "30201",
                "amt": "200000.00",
            },
        ],
    },
    "5103": {
        "message_type": "pboc_quota",
        "msg_no": "5103",
        "tre_code": "3303240000",
        "bill_org": "330324000",
        "trans_bank_no": "102333300018",
        "entrust_date": "2026-03-01",
        "pack_no": "00000002",
        "payout_vou_type": "0",
        "tra_no": "00000001",
        "vou_no": "3303245106260000002",
        "vou_date": "2026-03-01",
        "sum_amt": "500000.00",
        "bdg_org_code": "101001",
        "budget_type": "1",
        "of_year": 2026,
        "of_month": "03",
        "rransact_org": "102",
        "amt_kind": "1",
        "stat_inf_num": 1,
        "details": [
            {
                "seq_no": 1,
                "func_bdg_sbt_code": "2050202",
                "ecnomic_subject_code": "30201",
                "amt": "500000.00",
                "acct_prop": "1",
            }
        ],
    },
    "3133": {
        "message_type": "pboc_quota_receipt",
        "msg_no": "3133",
        "tre_code": "3303240000",
        "entrust_date": "2026-03-01",
        "pack_no": "00000703",
        "bill_org": "330324000",
        "ori_entrust_date": "2026-03-01",
        "ori_pack_no": "00000003",
        "payout_vou_type": "0",
        "vou_no": "3303245108260000003",
        "vou_date": "2026-03-01",
        "ori_tra_no": "00000001",
        "sum_amt": "500000.00",
        "acct_date": "2026-03-01",
        "result": "90000",
        "description": "处理成功",
    },
    "3134": {
        "message_type": "pboc_quota_receipt",
        "msg_no": "3134",
        "tre_code": "3303240000",
        "entrust_date": "2026-03-01",
        "pack_no": "00000703",
        "bill_org": "330324000",
        "ori_entrust_date": "2026-03-01",
        "ori_pack_no": "00000002",
        "payout_vou_type": "0",
        "vou_no": "3303245106260000002",
        "vou_date": "2026-03-01",
        "ori_tra_no": "00000001",
        "sum_amt": "500000.00",
        "acct_date": "2026-03-01",
        "result": "94001",
        "description": "额度超过计划",
    },
    "9120": {
        "message_type": "general_reply",
        "ori_msg_no": "2201",
        "result": "90000",
        "add_word": "报文已接收",
        "information": "处理成功",
    },
    "9005": {"message_type": "connectivity_test"},
}


def _structure(raw: bytes) -> list[tuple[str, str]]:
    """Every element in document order with its text (whitespace between elements ignored)."""
    root = etree.fromstring(raw)
    return [(str(e.tag), (e.text or "").strip()) for e in root.iter() if isinstance(e.tag, str)]


def test_every_supported_msgno_has_a_conformance_document() -> None:
    assert set(DOCUMENTS) == set(MSG_SPECS)


@pytest.mark.parametrize("msg_no", sorted(DOCUMENTS))
def test_itfe_document_parses_to_the_expected_canonical_message(msg_no: str) -> None:
    parsed = ADAPTER.parse(document(msg_no))
    assert json.loads(canonical_json(parsed.messages)) == [EXPECTED[msg_no]]
    head_leaves, _body = DOCUMENTS[msg_no]
    assert dict(parsed.envelope) == dict(head_leaves)


@pytest.mark.parametrize("msg_no", sorted(DOCUMENTS))
def test_rendering_writes_itfes_elements_in_itfes_order(msg_no: str) -> None:
    raw = document(msg_no)
    assert _structure(ADAPTER.render(ADAPTER.parse(raw))) == _structure(raw)


def test_9005_is_head_only_and_an_empty_msg_is_tolerated() -> None:
    raw = document("9005")
    assert b"<MSG" not in raw and b"<MSG" not in ADAPTER.render(ADAPTER.parse(raw))
    with_empty_msg = raw.replace(b"</CFX>", b"\t<MSG/>\n</CFX>")
    assert ADAPTER.parse(with_empty_msg).messages == ADAPTER.parse(raw).messages


def _without(raw: bytes, *elements: str) -> bytes:
    lines = raw.split(b"\n")
    return b"\n".join(line for line in lines if not any(f"<{e}>".encode() in line for e in elements))


@pytest.mark.parametrize(
    ("msg_no", "element", "field", "in_details"),
    [
        ("2201", "AddWord", "add_word", False),  # itfe_2201_java2xml.ftl: <#if var1.AddWord?exists>
        ("2202", "EcnomicSubjectCode", "ecnomic_subject_code", True),  # <#if var2.EcnomicSubjectCode?exists>
        ("5102", "TransBankNo", "trans_bank_no", False),  # <#if cfx.MSG.BatchHead5102.TransBankNo?exists>
        ("5102", "EcnomicSubjectCode", "ecnomic_subject_code", True),
        ("5103", "TransBankNo", "trans_bank_no", False),
        ("5103", "EcnomicSubjectCode", "ecnomic_subject_code", True),
    ],
)
def test_elements_itfe_writes_only_when_present_may_be_absent(
    msg_no: str, element: str, field: str, in_details: bool
) -> None:
    raw = _without(document(msg_no), element)
    assert f"<{element}>".encode() not in raw
    dumped = ADAPTER.parse(raw).messages[0].model_dump()
    values = [d[field] for d in dumped["details"]] if in_details else [dumped[field]]
    assert values and all(v is None for v in values)


def test_3133_control_totals_are_optional_but_checked_when_sent() -> None:
    raw = document("3133")
    assert b"<AllNum>" not in raw  # itfe_3133_xml2java.xml binds none
    sent = raw.replace(b"<PayoutVouType>", b"<AllNum>1</AllNum>\n<AllAmt>500000.00</AllAmt>\n<PayoutVouType>")
    assert ADAPTER.parse(sent).messages == ADAPTER.parse(raw).messages
    lie = raw.replace(b"<PayoutVouType>", b"<AllNum>2</AllNum>\n<AllAmt>500000.00</AllAmt>\n<PayoutVouType>")
    with pytest.raises(MalformedDocument) as info:
        ADAPTER.parse(lie)
    assert info.value.code == "batch_count_mismatch"


def _edit(msg_no: str, *pairs: tuple[str, str]) -> bytes:
    raw = document(msg_no)
    for old, new in pairs:
        assert old.encode("gbk") in raw, old
        raw = raw.replace(old.encode("gbk"), new.encode("gbk"))
    return raw


MALFORMED: list[tuple[str, bytes, str]] = [
    # our old inferred layouts are not what ITFE sends: the wrong element is kept as an extension
    # (preserve, don't refuse — docs/adr/0007), and the package lacks what ITFE's layout requires
    ("2202 under <BatchHead2202>", _edit("2202", ("Head2202>", "BatchHead2202>")), "missing_element"),
    (
        "2202 bill repeating a Head2202 element",
        _edit("2202", ("<TraNo>", "<AgentBnkCode>102333300018</AgentBnkCode><TraNo>")),
        "unexpected_element",
    ),
    (
        "3143 under <BatchReturn3143>",
        _edit("3143", ("Bill3143>", "BatchReturn3143>")),
        "batch_count_mismatch",
    ),
    (
        "9005 with a body",
        document("9005").replace(b"</CFX>", b"<MSG><Bill9005><X>1</X></Bill9005></MSG></CFX>"),
        "unexpected_element",
    ),
    # control totals that lie
    ("2202 AllNum lie", _edit("2202", ("<AllNum>1<", "<AllNum>2<")), "batch_count_mismatch"),
    ("2202 AllAmt lie", _edit("2202", ("<AllAmt>2345.67<", "<AllAmt>2345.68<")), "batch_amount_mismatch"),
    ("3143 AllAmt lie", _edit("3143", ("<AllAmt>900000.00<", "<AllAmt>1.00<")), "batch_amount_mismatch"),
    ("5103 AllNum not a number", _edit("5103", ("<AllNum>1<", "<AllNum>x<")), "bad_header"),
    ("2201 AllAmt not money", _edit("2201", ("<AllAmt>900000.00<", "<AllAmt>9e5<")), "bad_header"),
    # a HEAD that is not a CFX HEAD
    ("2202 SRC not a node", _edit("2202", ("<SRC>202057100007<", "<SRC>2020571<")), "bad_header"),
    ("3144 without MsgID", _edit("3144", ("<MsgID>20260320314400000904</MsgID>", "")), "missing_element"),
    ("5102 without MSG", _without(document("5102"), "MSG", "/MSG"), "missing_element"),
]


@pytest.mark.parametrize(("case", "raw", "code"), MALFORMED, ids=[c for c, _, _ in MALFORMED])
def test_malformed_variant_is_refused_with_its_code(case: str, raw: bytes, code: str) -> None:
    with pytest.raises(MalformedDocument) as info:
        ADAPTER.parse(raw)
    assert info.value.code == code, case


INVALID: list[tuple[str, bytes, tuple[str, str]]] = [
    # another MsgNo's element in place of a required one: kept as an extension, the required field missing
    (
        "2202 bill with a 2201 PayerAcct",
        _edit("2202", ("<OriPayerAcct>", "<PayerAcct>"), ("</OriPayerAcct>", "</PayerAcct>")),
        ("[0]", "msgno_fields"),
    ),
    (
        "3143 answering with the 3144 Result",
        _edit("3143", ("<PayResult>", "<Result>"), ("</PayResult>", "</Result>")),
        ("[0]", "msgno_fields"),
    ),
    (
        "2202 negative Amt",
        _edit("2202", ("<Amt>2345.67<", "<Amt>-2345.67<"), ("<AllAmt>2345.67<", "<AllAmt>-4691.34<")),
        ("[0].amt", "amount_negative"),
    ),
    (
        "2202 details do not add up",
        _edit("2202", ("<Amt>2345.67</Amt>\n\t\t\t\t<AcctProp>", "<Amt>2345.00</Amt>\n\t\t\t\t<AcctProp>")),
        ("[0].details", "detail_sum_mismatch"),
    ),
    (
        "2202 bad OriEntrustDate",
        _edit("2202", ("<OriEntrustDate>20260317<", "<OriEntrustDate>20260231<")),
        ("[0].ori_entrust_date", "value_error"),
    ),
    ("2202 without the original payee", _without(document("2202"), "OriPayeeAcct"), ("[0]", "msgno_fields")),
    (
        "3143 PayResult not a code",
        _edit("3143", ("<PayResult>90000<", "<PayResult>成功<")),
        ("[0].pay_result", "string_pattern_mismatch"),
    ),
    ("3143 without PayResult", _without(document("3143"), "PayResult"), ("[0]", "msgno_fields")),
    (
        "5103 OfMonth 13",
        _edit("5103", ("<OfMonth>03<", "<OfMonth>13<")),
        ("[0].of_month", "string_pattern_mismatch"),
    ),
    (
        "5103 StatInfNum lie",
        _edit("5103", ("<StatInfNum>1<", "<StatInfNum>2<")),
        ("[0].details", "detail_count_mismatch"),
    ),
    (
        "3134 Result not 5 digits",
        _edit("3134", ("<Result>94001<", "<Result>941<")),
        ("[0].result", "string_pattern_mismatch"),
    ),
]


@pytest.mark.parametrize(("case", "raw", "problem"), INVALID, ids=[c for c, _, _ in INVALID])
def test_invalid_values_are_refused_with_their_rule(case: str, raw: bytes, problem: tuple[str, str]) -> None:
    with pytest.raises(ValidationFailed) as info:
        ADAPTER.parse(raw)
    assert problem in [(p.path, p.rule) for p in info.value.problems], case


def test_another_msgnos_element_in_a_detail_is_kept_and_rendered_back() -> None:
    """A 5103 detail carrying the 5102's ``BdgOrgCode`` (the 5103 has it on the bill) is not refused: the
    element is an extension of that detail (preserve, don't refuse — docs/adr/0007), the record reads as
    without it, and the package renders back byte for byte."""
    raw = _edit("5103", ("<SeqNo>1</SeqNo>", "<SeqNo>1</SeqNo><BdgOrgCode>101</BdgOrgCode>"))
    parsed = ADAPTER.parse(raw)
    assert parsed.messages == ADAPTER.parse(document("5103")).messages
    assert ADAPTER.render(parsed) == raw


@pytest.mark.parametrize(
    "addition", [b"\n  <MSG/>", b"\n  <LocalX>1</LocalX>"], ids=["empty MSG", "unknown element"]
)
def test_a_head_only_9005_renders_back_as_sent(addition: bytes) -> None:
    """A HEAD-only 9005 with the empty ``<MSG/>`` some senders add, or an element no standard names after
    the ``HEAD``, is accepted and rendered back byte for byte — directly and through canonical JSON."""
    raw = document("9005").replace(b"</HEAD>", b"</HEAD>" + addition, 1)
    assert raw != document("9005")
    parsed = ADAPTER.parse(raw)
    assert parsed.messages == ADAPTER.parse(document("9005")).messages
    assert ADAPTER.render(parsed) == raw
    assert ADAPTER.render(document_from_obj(json.loads(document_json(parsed)))) == raw
