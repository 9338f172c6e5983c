"""SM2 signature encodings: DER ``SEQUENCE{r, s}`` (GM/T 0009, OpenSSL, BouncyCastle) and raw 64-byte r‖s.

Conversions are strict: DER must be canonical (minimal INTEGERs, nothing trailing) and r, s must lie in
[1, n-1]; anything else raises InvalidSignature.
"""

from __future__ import annotations

from signing import der
from signing.curve import N
from signing.der import DerError
from signing.errors import InvalidSignature


def der_to_rs(signature: bytes) -> tuple[int, int]:
    try:
        r_node, s_node = der.decode(signature).expect(der.SEQUENCE).children()
        r, s = der.to_int(r_node), der.to_int(s_node)
    except (DerError, ValueError):
        raise InvalidSignature() from None
    if not (0 < r < N and 0 < s < N):
        raise InvalidSignature()
    return r, s


def rs_to_der(r: int, s: int) -> bytes:
    return der.sequence(der.integer(r), der.integer(s))


def der_to_raw(signature: bytes) -> bytes:
    """DER → 64-byte r‖s (each left-padded to 32 bytes)."""
    r, s = der_to_rs(signature)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def raw_to_der(signature: bytes) -> bytes:
    """64-byte r‖s → canonical DER."""
    if len(signature) != 64:
        raise InvalidSignature()
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < N and 0 < s < N):
        raise InvalidSignature()
    return rs_to_der(r, s)
