"""Hostile and broken e-voucher envelopes: every case fails with its own specific code or rule."""

from __future__ import annotations

import pytest

from adapters.base import refuse_unknown_codes
from adapters.errors import MalformedDocument
from adapters.evoucher import EVoucherAdapter
from adapters.limits import Limits
from schemas.errors import ValidationFailed
from tests.adapters.evoucher_build import (
    DECL,
    body,
    envelope,
    inner_bytes,
    inner_text,
    sample_envelope,
)

ADAPTER = EVoucherAdapter()


def _malformed(raw: bytes, limits: Limits | None = None) -> MalformedDocument:
    with pytest.raises(MalformedDocument) as info:
        ADAPTER.parse(raw, limits=limits or Limits())
    return info.value


def _problems(raw: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as info:
        ADAPTER.parse(raw)
    return [(p.path, p.rule) for p in info.value.problems]


def test_the_untouched_sample_parses() -> None:
    assert len(ADAPTER.parse(sample_envelope()).records) == 1


# ---- XML attacks, outer and inner ------------------------------------------------------------------


def test_xxe_in_the_envelope() -> None:
    raw = (
        DECL
        + b'<!DOCTYPE MOF [<!ENTITY x SYSTEM "file:///etc/passwd">]><MOF><VoucherCount>&x;</VoucherCount></MOF>'
    )
    assert _malformed(raw).code == "dtd_forbidden"


def test_xxe_in_the_inner_voucher_names_the_record() -> None:
    inner = (
        DECL + b'<!DOCTYPE Voucher [<!ENTITY x SYSTEM "file:///etc/passwd">]><Voucher><Id>&x;</Id></Voucher>'
    )
    error = _malformed(envelope(body(inner)))
    assert (error.code, error.position) == ("dtd_forbidden", 0)


def test_external_dtd() -> None:
    raw = (
        DECL + b'<!DOCTYPE MOF SYSTEM "http://127.0.0.1:9/evil.dtd"><MOF><VoucherCount>0</VoucherCount></MOF>'
    )
    assert _malformed(raw).code == "dtd_forbidden"


def test_billion_laughs_inside_the_voucher() -> None:
    entities = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;">' % (i, i - 1, i - 1, i - 1, i - 1, i - 1)
        for i in range(1, 9)
    )
    inner = DECL + b'<!DOCTYPE Voucher [<!ENTITY l0 "lol">' + entities + b"]><Voucher>&l8;</Voucher>"
    error = _malformed(envelope(body(inner)))
    assert (error.code, error.position) == ("dtd_forbidden", 0)


def test_entity_declaration_without_doctype_keyword() -> None:
    raw = DECL + b'<MOF><VoucherCount>0</VoucherCount><!ENTITY x "y"></MOF>'
    assert _malformed(raw).code == "entity_forbidden"


def test_deep_nesting_in_the_inner_voucher() -> None:
    inner = DECL + b"<Voucher>" + b"<Hold1>" * 40 + b"</Hold1>" * 40 + b"</Voucher>"
    error = _malformed(envelope(body(inner)))
    assert (error.code, error.position) == ("too_deep", 0)


def test_oversize_document_uses_the_configured_limit() -> None:
    raw = sample_envelope()
    error = _malformed(raw, Limits(max_bytes=len(raw) - 1))
    assert error.code == "document_too_large"


# ---- encodings -------------------------------------------------------------------------------------


def test_utf8_declaration_is_not_accepted() -> None:
    raw = envelope(body(inner_bytes(inner_text())), declaration=b'<?xml version="1.0" encoding="UTF-8"?>')
    assert _malformed(raw).code == "encoding_not_allowed"


def test_missing_declaration_means_utf8_and_is_not_accepted() -> None:
    assert (
        _malformed(envelope(body(inner_bytes(inner_text())), declaration=b"")).code == "encoding_not_allowed"
    )


def test_inner_voucher_lying_about_its_encoding() -> None:
    inner = inner_bytes(inner_text(), encoding="utf-8")  # declares GBK, holds UTF-8
    error = _malformed(envelope(body(inner)))
    assert (error.code, error.position) == ("invalid_encoding", 0)


def test_invalid_gbk_bytes_in_the_envelope() -> None:
    raw = envelope(body(inner_bytes(inner_text()), before_voucher="<Attach>SUCCESS</Attach>")).replace(
        b"SUCCESS", b"SUCC\x81\x7f"
    )
    assert _malformed(raw).code == "invalid_encoding"


def test_invalid_gbk_bytes_in_the_inner_voucher() -> None:
    inner = inner_bytes(inner_text()).replace("永嘉县".encode("gbk"), b"\xff\xfe\x81\x20", 1)
    error = _malformed(envelope(body(inner)))
    assert (error.code, error.position) == ("invalid_encoding", 0)


# ---- envelope structure ----------------------------------------------------------------------------


def test_invalid_base64() -> None:
    error = _malformed(envelope(body(b"", voucher_text="PD94bWwg*not-base64*")))
    assert (error.code, error.position) == ("invalid_base64", 0)


def test_invalid_base64_in_a_file_block() -> None:
    block = (
        "<File><FileName>合同.pdf</FileName><FileBlockCount>1</FileBlockCount>"
        "<AfewBlock>1</AfewBlock><Attach>@@@</Attach></File>"
    )
    error = _malformed(sample_envelope(after_voucher=block))
    assert error.code == "invalid_base64"


@pytest.mark.parametrize("count", [0, 2, 7])
def test_voucher_count_differs_from_the_number_of_bodies(count: int) -> None:
    assert _malformed(envelope(body(inner_bytes(inner_text())), count=count)).code == "voucher_count_mismatch"


def test_voucher_count_not_a_number() -> None:
    raw = sample_envelope().replace(b"<VoucherCount>1<", b"<VoucherCount>one<")
    assert _malformed(raw).code == "bad_header"


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("vt", "8202"), ("no", "3303245201269999999"), ("adm", "330302"), ("year", "2025")],
)
def test_envelope_and_inner_voucher_disagree(attribute: str, value: str) -> None:
    error = _malformed(sample_envelope(**{attribute: value}))
    assert (error.code, error.position) == ("header_mismatch", 0)


def test_unknown_vtcode() -> None:
    error = _malformed(sample_envelope(vt="9999"))
    assert (error.code, error.position) == ("unknown_vtcode", 0)


def test_duplicate_voucher_numbers_in_one_envelope() -> None:
    one = body(inner_bytes(inner_text()))
    error = _malformed(envelope(one, one))
    assert (error.code, error.position) == ("duplicate_record", 1)


def test_more_than_100_bodies() -> None:
    bodies = [
        body(inner_bytes(inner_text().replace("3303245201260000123", f"N{i:05d}")), no=f"N{i:05d}")
        for i in range(101)
    ]
    assert _malformed(envelope(*bodies)).code == "too_many_records"


def test_100_bodies_are_accepted() -> None:
    bodies = [
        body(inner_bytes(inner_text().replace("3303245201260000123", f"N{i:05d}")), no=f"N{i:05d}")
        for i in range(100)
    ]
    assert [r.position for r in ADAPTER.parse(envelope(*bodies)).records] == list(range(100))


def test_bad_voucher_flag() -> None:
    error = _malformed(sample_envelope(flag="2"))
    assert (error.code, error.position) == ("bad_header", 0)


def test_unknown_element_in_the_inner_voucher_is_kept() -> None:
    """Issue 12 "preserve, don't refuse" (this test used to assert ``unexpected_element``): the element is
    an extension of the record and renders back in place."""
    text = inner_text().replace("<Hold1/>", "<Hold1/><Surprise>1</Surprise>")
    raw = sample_envelope(text)
    document = ADAPTER.parse(raw)
    layout = document.records[0].layout
    assert layout is not None
    assert [e.xml for e in layout.nodes["voucher"].extras()] == ["<Surprise>1</Surprise>"]
    assert ADAPTER.render(document) == raw


def test_repeated_known_element_in_the_inner_voucher_is_refused() -> None:
    text = inner_text().replace("<Hold1/>", "<Hold1/><Hold1>x</Hold1>")
    error = _malformed(sample_envelope(text))
    assert (error.code, error.position) == ("unexpected_element", 0)


def test_unknown_body_attribute_is_kept() -> None:
    """(Used to assert ``unexpected_element``.) The attribute stays, in its place, on render."""
    raw = sample_envelope(extra_attrs=' Extra="1"')
    document = ADAPTER.parse(raw)
    layout = document.records[0].layout
    assert layout is not None
    assert ("Extra", "1") in layout.nodes["body"].attrs
    assert ADAPTER.render(document) == raw


def test_missing_voucher_element() -> None:
    raw = sample_envelope()
    start, end = raw.index(b"<Voucher>"), raw.index(b"</Voucher>") + len(b"</Voucher>")
    assert _malformed(raw[:start] + raw[end:]).code == "missing_element"


def test_wrong_root() -> None:
    assert _malformed(DECL + b"<CFX/>").code == "unexpected_element"


# ---- record content: schema rules with paths -------------------------------------------------------


def test_amount_with_three_decimals() -> None:
    text = inner_text().replace("<PayAmt>12345.67</PayAmt>", "<PayAmt>12345.678</PayAmt>")
    assert ("[0].pay_amt", "amount_precision") in _problems(sample_envelope(text))


def test_amount_in_exponent_notation() -> None:
    text = inner_text().replace("<PayAmt>10000.00</PayAmt>", "<PayAmt>1E4</PayAmt>")
    assert ("[0].details[0].pay_amt", "amount_not_decimal") in _problems(sample_envelope(text))


def test_negative_payment_amount() -> None:
    text = inner_text().replace("<PayAmt>2345.67</PayAmt>", "<PayAmt>-2345.67</PayAmt>")
    assert ("[0].details[1].pay_amt", "amount_negative") in _problems(sample_envelope(text))


def test_refund_notice_must_be_negative() -> None:
    text = inner_text("2252").replace(
        "<PayAmt>-2345.67</PayAmt>", "<PayAmt>2345.67</PayAmt>", 1
    )  # header only
    raw = envelope(body(inner_bytes(text), vt="2252", no="3303242252260000007"))
    assert _problems(raw) == [("[0].pay_amt", "amount_not_negative")]


def test_impossible_date() -> None:
    text = inner_text().replace("<VouDate>20260316</VouDate>", "<VouDate>20260230</VouDate>")
    assert _problems(sample_envelope(text)) == [("[0].vou_date", "value_error")]


def test_bad_division_code() -> None:
    text = inner_text().replace("<AdmDivCode>330324</AdmDivCode>", "<AdmDivCode>990324</AdmDivCode>")
    assert _problems(sample_envelope(text, adm="990324")) == [("[0].adm_div_code", "value_error")]


def test_details_must_add_up_to_the_header_amount() -> None:
    text = inner_text().replace("<PayAmt>2345.67</PayAmt>", "<PayAmt>2345.66</PayAmt>")
    assert _problems(sample_envelope(text)) == [("[0].details", "detail_sum_mismatch")]


def test_unknown_code_list_value_names_the_list() -> None:
    """An unknown code does not refuse the envelope: it rides on the record for the caller's policy."""
    text = inner_text().replace("<PayTypeCode>11</PayTypeCode>", "<PayTypeCode>99</PayTypeCode>")
    document = ADAPTER.parse(sample_envelope(text))
    (problem,) = document.records[0].code_problems
    assert (problem.path, problem.rule, problem.value) == ("[0].pay_type_code", "code_list:PAY_TYPE", "99")
    with pytest.raises(ValidationFailed) as info:
        refuse_unknown_codes(document)
    assert info.value.problems == (problem,)


def test_missing_required_field() -> None:
    text = inner_text().replace("<PayeeAcctNo>33050162682700000123</PayeeAcctNo>", "<PayeeAcctNo/>")
    assert _problems(sample_envelope(text)) == [("[0].payee_acct_no", "missing")]


def test_every_bad_record_is_reported_with_its_position_at_once() -> None:
    good = inner_text()
    bad_date = good.replace("<VouDate>20260316</VouDate>", "<VouDate>20261301</VouDate>")
    bad_amount = good.replace("<PayAmt>12345.67</PayAmt>", "<PayAmt>12,345.67</PayAmt>")
    raw = envelope(
        body(inner_bytes(good)),
        body(inner_bytes(bad_date.replace("3303245201260000123", "B1")), no="B1"),
        body(inner_bytes(bad_amount.replace("3303245201260000123", "B2")), no="B2"),
    )
    assert _problems(raw) == [("[1].vou_date", "value_error"), ("[2].pay_amt", "amount_not_decimal")]
