"""SignatureProfile: per-counterparty uid, DER or raw r‖s, base64 or hex — and opaque failures."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing import DEFAULT_PROFILE, InvalidSignature, SignatureProfile, SM2PrivateKey

KEY = SM2PrivateKey.generate()
PROFILES = [
    SignatureProfile(user_id=uid, sig_format=fmt, encoding=enc)
    for uid in (b"1234567812345678", b"bank-105100000017")
    for fmt in ("der", "raw")
    for enc in ("base64", "hex")
]


def test_default_profile_is_gmt_0009_der_base64() -> None:
    assert DEFAULT_PROFILE == SignatureProfile(b"1234567812345678", "der", "base64")
    text = DEFAULT_PROFILE.sign(KEY, b"body")
    der = base64.b64decode(text, validate=True)
    assert der[0] == 0x30
    KEY.public_key().verify(der, b"body")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: f"{p.sig_format}-{p.encoding}-{p.user_id!r}")
def test_each_profile_round_trips_and_has_its_shape(profile: SignatureProfile) -> None:
    text = profile.sign(KEY, b"payload")
    raw = bytes.fromhex(text) if profile.encoding == "hex" else base64.b64decode(text)
    if profile.encoding == "hex":
        assert text == text.lower()
    if profile.sig_format == "raw":
        assert len(raw) == 64
    else:
        assert raw[0] == 0x30
    profile.verify(KEY.public_key(), b"payload", text)
    with pytest.raises(InvalidSignature):
        profile.verify(KEY.public_key(), b"payloaD", text)


def test_profiles_do_not_cross_verify() -> None:
    text = SignatureProfile(user_id=b"a").sign(KEY, b"m")
    with pytest.raises(InvalidSignature):
        SignatureProfile(user_id=b"b").verify(KEY.public_key(), b"m", text)
    with pytest.raises(InvalidSignature):
        SignatureProfile(user_id=b"a", sig_format="raw").verify(KEY.public_key(), b"m", text)


@pytest.mark.parametrize(
    "text", ["", "not base64!", "QUJD", "00" * 64, "  ", "ＡＢＣ", "=" * 8, "MEUCIQ" + "A" * 90]
)
@pytest.mark.parametrize("profile", PROFILES[:4])
def test_malformed_text_raises_invalid_signature(profile: SignatureProfile, text: str) -> None:
    with pytest.raises(InvalidSignature):
        profile.verify(KEY.public_key(), b"m", text)


def test_bad_profile_values_are_rejected_at_construction() -> None:
    with pytest.raises(ValueError, match="sig_format"):
        SignatureProfile(sig_format="pem")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="encoding"):
        SignatureProfile(encoding="base32")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="user_id"):
        SignatureProfile(user_id="1234567812345678")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    message=st.binary(max_size=512),
    uid=st.binary(min_size=1, max_size=32),
    fmt=st.sampled_from(["der", "raw"]),
    enc=st.sampled_from(["base64", "hex"]),
)
def test_any_profile_verifies_its_own_signatures(message: bytes, uid: bytes, fmt: str, enc: str) -> None:
    profile = SignatureProfile(user_id=uid, sig_format=fmt, encoding=enc)  # type: ignore[arg-type]
    profile.verify(KEY.public_key(), message, profile.sign(KEY, message))
