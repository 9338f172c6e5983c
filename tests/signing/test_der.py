"""The minimal DER codec: round trips and strictness (one encoding per value)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from signing import der


@given(st.integers(min_value=-(2**300), max_value=2**300))
@example(-128)
@example(-129)
@example(127)
@example(128)
@example(-1)
@example(0)
def test_integer_round_trip(value: int) -> None:
    assert der.to_int(der.decode(der.integer(value))) == value


@given(st.binary(max_size=33))
def test_unsigned_integer_bytes_matches_integer(value: bytes) -> None:
    assert der.unsigned_integer_bytes(value) == der.integer(int.from_bytes(value, "big"))


@pytest.mark.parametrize("dotted", ["1.2.156.10197.1.301", "1.2.840.10045.2.1", "2.5.29.35", "2.999.1"])
def test_oid_round_trip(dotted: str) -> None:
    assert der.to_oid(der.decode(der.oid(dotted))) == dotted


def test_long_lengths_round_trip() -> None:
    for size in (127, 128, 255, 256, 70000):
        node = der.decode(der.octet_string(b"a" * size))
        assert node.value == b"a" * size


@pytest.mark.parametrize(
    "data",
    [
        b"\x02\x02\x00\x01",  # non-minimal INTEGER
        b"\x02\x00",  # empty INTEGER
        b"\x04\x81\x05hello",  # non-minimal length
        b"\x30\x80\x00\x00",  # indefinite length
        b"\x04\x05abc",  # truncated
        b"\x04\x01ab",  # trailing bytes
        b"\x1f\x01\x00",  # multi-byte tag
    ],
)
def test_non_der_is_rejected(data: bytes) -> None:
    with pytest.raises(der.DerError):
        node = der.decode(data)
        der.to_int(node)


def test_times_use_utctime_before_2050() -> None:
    early = datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC)
    late = datetime(2050, 1, 1, tzinfo=UTC)
    assert der.time(early)[0] == der.UTC_TIME and der.time(late)[0] == der.GENERALIZED_TIME
    assert der.to_time(der.decode(der.time(early))) == early
    assert der.to_time(der.decode(der.time(late))) == late


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "020100"), (127, "02017f"), (128, "02020080"), (-1, "0201ff"), (-128, "020180"), (-129, "0202ff7f")],
)
def test_integer_encoding_is_minimal(value: int, encoded: str) -> None:
    assert der.integer(value).hex() == encoded
