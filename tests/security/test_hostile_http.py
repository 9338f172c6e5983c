"""Hostile input through ``POST /v1/messages`` (issue #7): every case gets its own error code, and nothing is
stored — the message, record, trace, lifecycle, route, outbox and inbox tables stay empty; the only trace
is one ``message.rejected`` audit entry (none for transport refusals made before authentication)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.registry import default_registry
from gateway.wire_signature import signing_string
from signing import DEFAULT_PROFILE, load_private_key
from tests.adapters.evoucher_build import DECL, body, envelope
from tests.adapters.payments_samples import evoucher_document
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.payment_flows import render, voucher
from tests.gateway.samples import NOW, indicator_document, indicator_row, signed_headers
from tests.security.helpers import (
    BANK,
    CITY,
    COUNTY,
    OTHER_BANK,
    PROVINCE,
    add_other_bank,
    audit_actions,
    error_code,
    foreign_ca,
    issue,
    post,
    set_party_certificates,
    stored,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
NOTHING = dict.fromkeys(("messages", "records", "trace_keys", "lifecycle_events", "routes", "outbox"), 0)


def indicator(bgt_id: str = "3300002026SEC01", issuer: str = PROVINCE, receiver: str = CITY) -> bytes:
    return indicator_document(indicator_row(issuer, receiver, bgt_id, Decimal("1000.00")))


def assert_nothing_stored(h: Harness, audited: bool = True) -> None:
    counts = stored(h)
    assert counts == dict.fromkeys(counts, 0), counts
    assert audit_actions(h) == (["message.rejected"] if audited else [])


# ---- forged, altered and mis-timed requests ----------------------------------------------------------


def _tampered(h: Harness, header: str, value: str) -> httpx.Response:
    data = indicator()
    headers = signed_headers(h.config_dir, PROVINCE, data, "m-hdr", NOW)
    headers[header] = value
    response: httpx.Response = h.client.post("/v1/messages", content=data, headers=headers)
    return response


def _signed_for_another_path(h: Harness) -> httpx.Response:
    data = indicator()
    headers = signed_headers(h.config_dir, PROVINCE, data, "m-path", NOW, path="/v1/inbox")
    response: httpx.Response = h.client.post("/v1/messages", content=data, headers=headers)
    return response


def _tampered_body(h: Harness) -> httpx.Response:
    data = indicator()
    headers = signed_headers(h.config_dir, PROVINCE, data, "m-body", NOW)
    response: httpx.Response = h.client.post(
        "/v1/messages", content=data.replace(b"1000.00", b"9000.00"), headers=headers
    )
    return response


def _added(h: Harness, header: str, value: str) -> httpx.Response:
    """A header the signer did not send, added on the way (an absent header is signed as empty)."""
    return _tampered(h, header, value)


def _query_added(h: Harness) -> httpx.Response:
    data = indicator()
    headers = signed_headers(h.config_dir, PROVINCE, data, "m-query", NOW)
    response: httpx.Response = h.client.post("/v1/messages?sender=330300000", content=data, headers=headers)
    return response


def _stamped(form: str) -> Callable[[Harness], httpx.Response]:
    """Signed over an ``X-Timestamp`` written as ``form`` (strftime of NOW): the signature is good."""

    def send(h: Harness) -> httpx.Response:
        data = indicator()
        key = load_private_key((h.config_dir / "keys" / f"{PROVINCE}.key.pem").read_bytes())
        timestamp = NOW.strftime(form)
        headers = {
            "X-Sender": PROVINCE,
            "X-Message-Id": "m-stamp",
            "X-Timestamp": timestamp,
            "X-Signature": DEFAULT_PROFILE.sign(
                key, signing_string("POST", "/v1/messages", PROVINCE, "m-stamp", timestamp, data)
            ),
            "Content-Type": "application/json",
        }
        response: httpx.Response = h.client.post("/v1/messages", content=data, headers=headers)
        return response

    return send


def _at(offset: timedelta) -> Callable[[Harness], httpx.Response]:
    def send(h: Harness) -> httpx.Response:
        return post(h, PROVINCE, indicator(), "m-time", at=NOW + offset)

    return send


def _clock_then_send(offset: timedelta) -> Callable[[Harness], httpx.Response]:
    def send(h: Harness) -> httpx.Response:
        h.clock.now = NOW + offset
        return post(h, PROVINCE, indicator(), "m-cert")

    return send


@dataclass(frozen=True)
class Case:
    send: Callable[[Harness], httpx.Response]
    status: int
    code: str
    detail: str = ""


CASES = {
    "tampered_body": Case(_tampered_body, 401, "invalid_signature"),
    "tampered_message_id": Case(lambda h: _tampered(h, "X-Message-Id", "m-other"), 401, "invalid_signature"),
    "tampered_timestamp": Case(
        lambda h: _tampered(h, "X-Timestamp", "2026-03-02T09:00:01Z"), 401, "invalid_signature"
    ),
    "tampered_sender": Case(lambda h: _tampered(h, "X-Sender", CITY), 401, "invalid_signature"),
    "tampered_signature": Case(lambda h: _tampered(h, "X-Signature", "MEQCIA=="), 401, "invalid_signature"),
    "signed_for_another_path": Case(_signed_for_another_path, 401, "invalid_signature"),
    "another_partys_key": Case(
        lambda h: post(h, PROVINCE, indicator(), "m-key", key_of=CITY), 401, "invalid_signature"
    ),
    "original_sender_added": Case(lambda h: _added(h, "X-Original-Sender", CITY), 401, "invalid_signature"),
    "wire_format_added": Case(lambda h: _added(h, "X-Wire-Format", "mof.xml"), 401, "invalid_signature"),
    "query_added": Case(_query_added, 401, "invalid_signature"),
    "timestamp_with_space_separator": Case(_stamped("%Y-%m-%d %H:%M:%SZ"), 400, "invalid_timestamp"),
    "timestamp_without_offset": Case(_stamped("%Y-%m-%dT%H:%M:%S"), 400, "invalid_timestamp"),
    "timestamp_offset_without_colon": Case(_stamped("%Y-%m-%dT%H:%M:%S+0800"), 400, "invalid_timestamp"),
    "timestamp_week_date": Case(_stamped("%G-W%V-%uT%H:%M:%SZ"), 400, "invalid_timestamp"),
    "timestamp_basic_format": Case(_stamped("%Y%m%dT%H%M%SZ"), 400, "invalid_timestamp"),
    "unknown_sender": Case(lambda h: _tampered(h, "X-Sender", "110000000"), 401, "unknown_sender"),
    # A NUL in a header (the in-process transport passes it; the rejection's audit entry must store it).
    "sender_with_a_nul": Case(lambda h: _tampered(h, "X-Sender", "3300\x0000000"), 401, "unknown_sender"),
    "message_id_with_a_nul": Case(lambda h: _tampered(h, "X-Message-Id", "m\x00-1"), 400, "bad_request"),
    "stale_timestamp": Case(_at(timedelta(seconds=-301)), 401, "stale_timestamp"),
    "future_timestamp": Case(_at(timedelta(seconds=301)), 401, "stale_timestamp"),
    "expired_certificate": Case(_clock_then_send(timedelta(days=900)), 401, "certificate_invalid", "expired"),
    "not_yet_valid_certificate": Case(
        _clock_then_send(timedelta(days=-2)), 401, "certificate_invalid", "not valid before"
    ),
    "county_issues_province_indicator": Case(
        lambda h: post(h, COUNTY, indicator(issuer=PROVINCE, receiver=COUNTY), "m-usurp"), 403, "forbidden"
    ),
    "indicator_for_an_unknown_division": Case(
        lambda h: post(h, PROVINCE, indicator(receiver="330399000"), "m-nowhere"), 422, "unroutable"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_request_is_refused_with_its_code_and_stores_nothing(harness: Harness, name: str) -> None:
    case = CASES[name]
    response = case.send(harness)
    assert response.status_code == case.status, response.text
    assert error_code(response) == case.code
    assert case.detail in str(response.json()["detail"])
    assert_nothing_stored(harness)


def test_certificate_from_an_untrusted_ca_is_refused(harness: Harness, database_url: str) -> None:
    """The province's own key, certified by a CA the gateway does not trust."""
    key = load_private_key((harness.config_dir / "keys" / f"{PROVINCE}.key.pem").read_bytes())
    _key, _cert, path = issue(
        harness.config_dir, "province-foreign", now=NOW - timedelta(days=1), key=key, ca=foreign_ca(NOW)
    )
    set_party_certificates(harness.config_dir, PROVINCE, [path])
    h = build_harness(harness.config_dir, database_url)
    try:
        response = post(h, PROVINCE, indicator(), "m-foreign")
        assert response.status_code == 401
        assert error_code(response) == "certificate_invalid"
        assert "no trusted issuer" in response.json()["detail"]
        assert_nothing_stored(h)
    finally:
        h.client.close()
        h.gateway.close()


# ---- a bank answering for another bank's voucher ------------------------------------------------------


@pytest.fixture
def two_banks(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    add_other_bank(demo_dir, NOW - timedelta(days=1))
    h = build_harness(demo_dir, database_url)
    try:
        yield h
    finally:
        h.client.close()
        h.gateway.close()


def test_a_bank_cannot_return_a_receipt_for_another_banks_voucher(two_banks: Harness) -> None:
    """The fast refusal: the 回单's PayBankCode names another bank (tests/security/test_authorization.py
    covers the binding to the stored voucher)."""
    vouchers = default_registry().get("evoucher").render(evoucher_document("5201"))
    assert post(two_banks, COUNTY, vouchers, "v-county").status_code == 202
    before = stored(two_banks)
    receipt = default_registry().get("evoucher").render(evoucher_document("5201_receipt"))
    response = post(two_banks, OTHER_BANK, receipt, "r-not-mine")
    assert response.status_code == 403, response.text
    assert error_code(response) == "forbidden"
    assert "addressed to it" in response.json()["detail"]
    assert stored(two_banks) == before
    assert audit_actions(two_banks) == ["message.accepted", "message.rejected"]
    # The bank the voucher was addressed to may return it.
    assert post(two_banks, BANK, receipt, "r-mine").status_code == 202


# ---- replay and idempotency ---------------------------------------------------------------------------


def test_replay_of_an_accepted_message_answers_the_original_and_stores_nothing_new(harness: Harness) -> None:
    data = indicator()
    first = post(harness, PROVINCE, data, "m-replay")
    assert first.status_code == 202
    after_first = stored(harness)
    harness.clock.now = NOW + timedelta(seconds=120)  # a replay later on, with a fresh timestamp
    again = post(harness, PROVINCE, data, "m-replay")
    assert again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["X-Replayed"] == "true"
    # A byte-for-byte replay of the first request (its old signature and timestamp) is refused as stale.
    harness.clock.now = NOW + timedelta(seconds=400)
    stale = post(harness, PROVINCE, data, "m-replay", at=NOW)
    assert error_code(stale) == "stale_timestamp"
    assert stored(harness) == after_first
    assert audit_actions(harness) == ["message.accepted", "message.rejected"]


def test_same_id_with_a_different_body_is_a_conflict_and_stores_nothing(harness: Harness) -> None:
    assert post(harness, PROVINCE, indicator("3300002026SEC01"), "m-same").status_code == 202
    after_first = stored(harness)
    response = post(harness, PROVINCE, indicator("3300002026SEC02"), "m-same")
    assert response.status_code == 409
    assert error_code(response) == "duplicate_conflict"
    assert stored(harness) == after_first
    assert audit_actions(harness) == ["message.accepted", "message.rejected"]


# ---- the adapters' hardening corpus, through HTTP -----------------------------------------------------

_LAUGHS = b"".join(
    b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;">' % (i, i - 1, i - 1, i - 1, i - 1, i - 1) for i in range(1, 9)
)
_CFX = (GOLDEN / "cfx" / "2201.xml").read_bytes()

# (body, status, error, text in the detail). A DOCTYPE in the prolog, in front of the root element, is
# refused as ``dtd_forbidden`` when the format is identified (no sniffer claims it and nothing parses it); a
# DOCTYPE inside a recognised document (an e-voucher's inner Voucher) reaches the hardened parser, which
# names it ``dtd_forbidden`` too.
CORPUS: dict[str, tuple[bytes, int, str, str]] = {
    "evoucher_xxe": (
        DECL
        + b'<!DOCTYPE MOF [<!ENTITY x SYSTEM "file:///etc/passwd">]><MOF><VoucherCount>&x;</VoucherCount></MOF>',
        400,
        "malformed_document",
        "dtd_forbidden",
    ),
    "evoucher_inner_xxe": (
        envelope(
            body(
                DECL
                + b'<!DOCTYPE Voucher [<!ENTITY x SYSTEM "file:///etc/passwd">]><Voucher><Id>&x;</Id></Voucher>'
            )
        ),
        400,
        "malformed_document",
        "dtd_forbidden",
    ),
    "evoucher_external_dtd": (
        DECL
        + b'<!DOCTYPE MOF SYSTEM "http://127.0.0.1:9/evil.dtd"><MOF><VoucherCount>0</VoucherCount></MOF>',
        400,
        "malformed_document",
        "dtd_forbidden",
    ),
    "evoucher_inner_billion_laughs": (
        envelope(
            body(DECL + b'<!DOCTYPE Voucher [<!ENTITY l0 "lol">' + _LAUGHS + b"]><Voucher>&l8;</Voucher>")
        ),
        400,
        "malformed_document",
        "dtd_forbidden",
    ),
    "evoucher_entity_without_doctype": (
        DECL + b'<MOF><VoucherCount>0</VoucherCount><!ENTITY x "y"></MOF>',
        400,
        "malformed_document",
        "entity_forbidden",
    ),
    "cfx_billion_laughs": (
        b'<?xml version="1.0" encoding="GBK"?><!DOCTYPE CFX [<!ENTITY l0 "lol">'
        + _LAUGHS
        + b"]><CFX>&l8;</CFX>",
        400,
        "malformed_document",
        "dtd_forbidden",
    ),
    "cfx_deep_nesting": (
        _CFX.replace(b"<AddWord>", b"<AddWord>" + b"<x>" * 40 + b"</x>" * 40, 1),
        400,
        "malformed_document",
        "too_deep",
    ),
    "cfx_lying_encoding": (
        _CFX.decode("gbk").encode("utf-8"),
        400,
        "malformed_document",
        "invalid_encoding",
    ),
    "cfx_invalid_gbk": (
        _CFX.replace("国家金库".encode("gbk"), b"\x81\x20\xff", 1),
        400,
        "malformed_document",
        "invalid_encoding",
    ),
    "mof_xml_deep_nesting": (
        b"<BGT_EXCHANGE>" + b"<x>" * 50 + b"</x>" * 50 + b"</BGT_EXCHANGE>",
        400,
        "malformed_document",
        "too_deep",
    ),
    "mof_xml_billion_laughs": (
        b'<?xml version="1.0"?><!DOCTYPE BGT_EXCHANGE [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><BGT_EXCHANGE>&b;</BGT_EXCHANGE>',
        400,
        "malformed_document",
        "dtd_forbidden",
    ),
    "doctype_after_comments": (
        b'<?xml version="1.0"?><!-- exported --><?pi x?>\n<!doctype BGT_EXCHANGE><BGT_EXCHANGE/>',
        400,
        "malformed_document",
        "dtd_forbidden",
    ),
    "comment_stuffed_prolog": (  # the format sniffers once backtracked exponentially over such a prolog
        b'<?xml version="1.0"?>' + b"<!--a-->" * 120 + b"<Unknown/>",
        415,
        "unsupported_format",
        "no adapter recognises",
    ),
    "json_truncated": (b'{"BA_BGT_INFO": [', 400, "malformed_document", "not_json"),
    "json_float_amount": (
        indicator().replace(b'"1000.00"', b"1000.5"),
        422,
        "schema_validation_failed",
        "[0].amount",
    ),
    # A repeated key: a first-key-wins receiver of the forwarded bytes would read another document than
    # the one authorised (here: another amount, another receiver).
    "json_duplicate_key_in_a_row": (
        indicator().replace(b'"AMOUNT": "1000.00"', b'"AMOUNT": "1000.00", "AMOUNT": "9.00"'),
        400,
        "malformed_document",
        "duplicate_key",
    ),
    "json_duplicate_receiver": (
        indicator().replace(b'"REC_DIV_CODE": "', b'"REC_DIV_CODE": "330324000", "REC_DIV_CODE": "'),
        400,
        "malformed_document",
        "duplicate_key",
    ),
    "json_two_tables_of_one_name": (
        b'{"BA_BGT_INFO": [], ' + indicator()[1:],
        400,
        "malformed_document",
        "duplicate_key",
    ),
    "json_huge_integer_amount": (
        indicator().replace(b'"1000.00"', b"1" + b"0" * 30),
        400,
        "malformed_document",
        "number_too_large",
    ),
    "json_huge_integer_elsewhere": (
        indicator().replace(b'"FISCAL_YEAR": "2026"', b'"FISCAL_YEAR": -' + b"9" * 40),
        400,
        "malformed_document",
        "number_too_large",
    ),
    "json_lone_surrogate_in_text": (
        indicator().replace(b'"BGT_DEC": "', b'"BGT_DEC": "\\ud800', 1),
        400,
        "malformed_document",
        "invalid_text",
    ),
    "json_lone_surrogate_in_a_key": (
        indicator().replace(b'"BGT_DEC": "', b'"\\udfffBGT_DEC": "', 1),
        400,
        "malformed_document",
        "invalid_text",
    ),
    "not_a_wire_format": (b"\x00\x01\x02 binary junk \xff", 415, "unsupported_format", ""),
    "empty_body": (b"", 415, "unsupported_format", ""),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hardening_corpus_through_http(harness: Harness, name: str) -> None:
    data, status, code, detail = CORPUS[name]
    response = post(harness, PROVINCE, data, f"c-{name}"[:60])
    assert response.status_code == status, response.text
    assert error_code(response) == code
    assert detail in str(response.json()["detail"])
    assert_nothing_stored(harness)


# ---- transport: sizes and media types -----------------------------------------------------------------


@pytest.fixture
def small_limit(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    h = build_harness(demo_dir, database_url, max_body_bytes=4096)
    try:
        yield h
    finally:
        h.client.close()
        h.gateway.close()


def test_oversize_body_with_a_content_length(small_limit: Harness) -> None:
    data = indicator() + b" " * 5000
    response = post(small_limit, PROVINCE, data, "m-big")
    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"
    assert_nothing_stored(small_limit, audited=False)


def test_oversize_chunked_body_is_cut_off_while_streaming(small_limit: Harness) -> None:
    """No Content-Length: the limit is enforced on the bytes as they arrive."""

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):  # 1 MB offered, far over the limit
            yield b" " * 1024

    headers = signed_headers(small_limit.config_dir, PROVINCE, b"", "m-chunked", NOW)
    response = small_limit.client.post("/v1/messages", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"
    assert_nothing_stored(small_limit, audited=False)


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "text/html", "image/png"],
)
def test_wrong_content_type_is_415_with_a_code(harness: Harness, content_type: str) -> None:
    data = indicator()
    headers = signed_headers(harness.config_dir, PROVINCE, data, "m-ctype", NOW)
    headers["Content-Type"] = content_type
    response = harness.client.post("/v1/messages", content=data, headers=headers)
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"
    assert_nothing_stored(harness, audited=False)


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json; charset=utf-8", "application/xml", "text/xml; charset=GBK", "text/csv"],
)
def test_wire_document_media_types_are_accepted(harness: Harness, content_type: str | None) -> None:
    data = indicator()
    headers = signed_headers(harness.config_dir, PROVINCE, data, "m-ok", NOW)
    del headers["Content-Type"]
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = harness.client.post("/v1/messages", content=data, headers=headers)
    assert response.status_code == 202, response.text


# ---- amounts beyond what the store holds -------------------------------------------------------------

_TWO_POW_63_FEN = "92233720368547758.08"  # 2^63 fen: one fen beyond a BIGINT
_MOST_DIGITS = "999999999999999999.99"  # the 18 integer digits of the standard's NUMBER columns


def _voucher_of(amount: str) -> tuple[str, bytes]:
    """A 5201 payment voucher (finance → agency bank) paying ``amount``, it and its one detail; built from a
    valid voucher by ``model_copy`` (no validation), so whatever maximum the money type has, the bytes say
    ``amount``."""
    valid = voucher("3303245201269990001", 12345, date(2026, 3, 2))
    detail = valid.details[0].model_copy(update={"pay_amt": Decimal(amount)})
    huge = valid.model_copy(update={"pay_amt": Decimal(amount), "details": [detail]})
    return COUNTY, render(huge)


def _indicator_of(amount: str) -> tuple[str, bytes]:
    return PROVINCE, indicator().replace(b'"1000.00"', f'"{amount}"'.encode())


@pytest.mark.parametrize("amount", [_TWO_POW_63_FEN, _MOST_DIGITS])
@pytest.mark.parametrize("build", [_indicator_of, _voucher_of], ids=["indicator", "voucher"])
def test_an_amount_beyond_a_bigint_is_a_4xx_with_an_audited_rejection(
    harness: Harness,
    amount: str,
    build: Callable[[str], tuple[str, bytes]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whichever layer refuses it (the money type's maximum, or the store's safety net), an amount of 2^63
    fen or more is a 4xx with the standard shape, one ``message.rejected`` entry, and no traceback."""
    sender, data = build(amount)
    response = post(harness, sender, data, "m-huge")
    assert 400 <= response.status_code < 500, response.text
    error_code(response)
    assert_nothing_stored(harness)
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
