"""The one signing string (gateway/wire_signature.py, ADR 0006): its lines, the canonical path and query, the
strict RFC 3339 reader, and signer / verifier symmetry."""

from __future__ import annotations

import pytest

from gateway.wire_signature import (
    SigningStringError,
    canonical_path,
    canonical_query,
    parse_rfc3339,
    signed_headers,
    signing_string,
    signing_string_of,
)
from signing import DEFAULT_PROFILE, SM2PrivateKey, sm3_hex
from tests.gateway.samples import NOW


def test_the_string_has_nine_lines_in_the_documented_order() -> None:
    text = signing_string(
        "POST", "/v1/push?b=2&a=1", "fiscalgw", "m-1", "2026-03-02T09:00:00Z", b"{}",
        original_sender="330000000", wire_format="mof.json",
    )  # fmt: skip
    assert text.decode("utf-8").split("\n") == [
        "POST",
        "/v1/push",
        "a=1&b=2",
        "fiscalgw",
        "m-1",
        "2026-03-02T09:00:00Z",
        "330000000",
        "mof.json",
        sm3_hex(b"{}"),
    ]
    bare = signing_string("GET", "/v1/inbox", "330324000", "n-1", "2026-03-02T09:00:00Z", b"")
    assert bare.decode("utf-8").split("\n")[2] == "" and bare.decode("utf-8").split("\n")[6:8] == ["", ""]


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("", ""),
        ("b=2&a=1", "a=1&b=2"),
        ("k=2&a=0&k=1", "a=0&k=2&k=1"),  # keys sorted, a repeated key keeps its order
        ("name=%E6%B5%99%E6%B1%9F&x=a+b", "name=%E6%B5%99%E6%B1%9F&x=a%20b"),  # '+' is a space, as parsed
        ("v=%7e%41", "v=~A"),  # unreserved characters bare, whatever the sender encoded
        ("v=a/b?c", "v=a%2Fb%3Fc"),
        ("flag", "flag="),
    ],
)
def test_canonical_query(query: str, canonical: str) -> None:
    assert canonical_query(query) == canonical


def test_canonical_path() -> None:
    assert canonical_path("/v1/messages/m-1") == "/v1/messages/m-1"
    assert canonical_path("/v1/messages/a%7eb") == canonical_path("/v1/messages/a~b") == "/v1/messages/a~b"
    assert canonical_path("/v1/messages/a b") == "/v1/messages/a%20b"


def test_a_line_break_in_a_field_is_refused() -> None:
    with pytest.raises(SigningStringError):
        signing_string("GET", "/v1/inbox", "330324000\nfiscalgw", "n-1", "t", b"")


def test_what_the_gateway_signs_verifies_from_the_headers_alone() -> None:
    key = SM2PrivateKey.generate()
    headers = signed_headers(
        key=key, profile=DEFAULT_PROFILE, method="POST", path="/push?to=330300000", sender="fiscalgw",
        message_id="m-1", at=NOW, body=b"<MOF/>", original_sender="330000000", wire_format="evoucher",
    )  # fmt: skip
    text = signing_string_of("POST", "/push?to=330300000", headers, b"<MOF/>")
    DEFAULT_PROFILE.verify(key.public_key(), text, headers["X-Signature"])
    assert (
        signing_string_of("POST", "/push?to=330300000", {**headers, "X-Wire-Format": "mof.json"}, b"<MOF/>")
        != text
    )


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02T09:00:00Z",
        "2026-03-02t09:00:00z",
        "2026-03-02T17:00:00.5+08:00",
        "2026-03-02T09:00:00-00:00",
    ],
)
def test_rfc3339_date_times_are_read(text: str) -> None:
    assert parse_rfc3339(text).timestamp() == NOW.timestamp() + (0.5 if ".5" in text else 0)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02 09:00:00Z",
        "2026-03-02T09:00:00",
        "2026-03-02T09:00:00+0800",
        "2026-03-02T09:00Z",
        "2026-W10-1T09:00:00Z",
        "2026-061T09:00:00Z",
        "20260302T090000Z",
        "2026-02-30T09:00:00Z",
        "2026-03-02T24:00:00Z",
        "2026-03-02T09:00:60Z",
        "2026-03-02T09:00:00+24:00",
        "２０２６-03-02T09:00:00Z",
        "2026-03-02T09:00:00Z\n",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rfc3339(text)
