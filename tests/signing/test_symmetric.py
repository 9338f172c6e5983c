"""SM4-CBC and SM4-GCM through the public API, cross-checked with `openssl enc` for CBC."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing import DecryptionError, sm4_cbc_decrypt, sm4_cbc_encrypt, sm4_gcm_decrypt, sm4_gcm_encrypt
from tests.signing.peers import openssl

KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
IV = bytes(range(16))
NONCE = bytes(range(12))


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=300))
def test_cbc_round_trip_and_padding(plaintext: bytes) -> None:
    ciphertext = sm4_cbc_encrypt(KEY, IV, plaintext)
    assert len(ciphertext) == (len(plaintext) // 16 + 1) * 16
    assert sm4_cbc_decrypt(KEY, IV, ciphertext) == plaintext


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=300), aad=st.binary(max_size=40))
def test_gcm_round_trip_and_tag(plaintext: bytes, aad: bytes) -> None:
    data = sm4_gcm_encrypt(KEY, NONCE, plaintext, aad)
    assert len(data) == len(plaintext) + 16
    assert sm4_gcm_decrypt(KEY, NONCE, data, aad) == plaintext
    with pytest.raises(DecryptionError):
        sm4_gcm_decrypt(KEY, NONCE, data, aad + b"x")
    tampered = bytearray(data)
    tampered[0] ^= 1
    with pytest.raises(DecryptionError):
        sm4_gcm_decrypt(KEY, NONCE, bytes(tampered), aad)


def test_cbc_matches_openssl_enc() -> None:
    plaintext = "回单 XPayAmt=100.00".encode() * 7
    theirs = openssl("enc", "-sm4-cbc", "-K", KEY.hex(), "-iv", IV.hex(), input_bytes=plaintext).stdout
    assert sm4_cbc_encrypt(KEY, IV, plaintext) == theirs
    assert sm4_cbc_decrypt(KEY, IV, theirs) == plaintext


def test_cbc_wrong_key_or_truncation_is_a_decryption_error() -> None:
    ciphertext = sm4_cbc_encrypt(KEY, IV, b"sixteen byte msg" * 2)
    for bad in (ciphertext[:-1], b"", ciphertext[:-16] + bytes(16)):
        with pytest.raises(DecryptionError):
            sm4_cbc_decrypt(KEY, IV, bad)


def test_short_gcm_data_is_a_decryption_error() -> None:
    with pytest.raises(DecryptionError, match="tag"):
        sm4_gcm_decrypt(KEY, NONCE, b"short")


@pytest.mark.parametrize(
    ("key", "iv", "message"), [(b"k" * 15, IV, "key must be 16"), (KEY, b"i" * 12, "iv must be 16")]
)
def test_bad_lengths_are_value_errors(key: bytes, iv: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sm4_cbc_encrypt(key, iv, b"x")
    with pytest.raises(ValueError, match=r"key must be 16|nonce"):
        sm4_gcm_encrypt(key if len(key) != 16 else KEY, b"n" * 4, b"x")
