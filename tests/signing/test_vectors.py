"""Published test vectors: SM3 (GB/T 32905 A.1, A.2), SM4 (GB/T 32907 A.1, A.2), SM2 (GB/T 32918.5 /
GM/T 0003.5 Annex A on the recommended curve: signature and encryption examples).

The SM2 digits were checked against public copies of the annex (OpenSSL test/sm2_internal_test.c,
emmansun/gmsm's tests). Note: s ends in ...85BBC1AA (the task brief's ...85BBE1AA is a typo)."""

from __future__ import annotations

import pytest

from signing import (
    DecryptionError,
    InvalidSignature,
    _backend,
    load_private_key,
    load_public_key,
    sm3,
    sm3_hex,
    sm4_cbc_decrypt,
    sm4_cbc_encrypt,
)
from signing.keyformats import ciphertext_c1c3c2_to_asn1
from signing.reference import ReferenceSM2
from signing.reference import sm3 as reference_sm3
from signing.signature_encoding import raw_to_der

D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
PUBLIC = bytes.fromhex(
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
K = int("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21", 16)
Z_DEFAULT = bytes.fromhex("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
E_MESSAGE_DIGEST = bytes.fromhex("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
R = bytes.fromhex("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3")
S = bytes.fromhex("B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA")
CIPHERTEXT_C1C3C2 = bytes.fromhex(
    "04"
    "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73"
    "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"
    "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766"
    "21886CA989CA9C7D58087307CA93092D651EFA"
)


# ---- SM3 ----------------------------------------------------------------------------------------------


def test_sm3_abc() -> None:
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abc") == expected
    assert sm3(b"abc") == bytes.fromhex(expected)
    assert reference_sm3(b"abc") == bytes.fromhex(expected)


def test_sm3_64_byte_example() -> None:
    expected = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    assert sm3_hex(b"abcd" * 16) == expected
    assert reference_sm3(b"abcd" * 16).hex() == expected


# ---- SM4 ----------------------------------------------------------------------------------------------

SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm4_example_1_single_block() -> None:
    assert _backend.sm4_cbc_encrypt_nopad(SM4_KEY, bytes(16), SM4_KEY) == bytes.fromhex(
        "681edf34d206965e86b3e94f536e4246"
    )


def test_sm4_example_2_one_million_rounds() -> None:
    # CBC with a zero IV over X‖0^(16·999999): block i is E(block i-1 XOR 0) = E^i(X).
    data = SM4_KEY + bytes(16 * 999_999)
    last = _backend.sm4_cbc_encrypt_nopad(SM4_KEY, bytes(16), data)[-16:]
    assert last == bytes.fromhex("595298c7c6fd271f0402f804c33d3f66")


def test_sm4_cbc_public_api_agrees_with_block_vector() -> None:
    ciphertext = sm4_cbc_encrypt(SM4_KEY, bytes(16), SM4_KEY)
    assert ciphertext[:16] == bytes.fromhex("681edf34d206965e86b3e94f536e4246")
    assert len(ciphertext) == 32  # a full padding block follows
    assert sm4_cbc_decrypt(SM4_KEY, bytes(16), ciphertext) == SM4_KEY


# ---- SM2 ----------------------------------------------------------------------------------------------


def test_sm2_example_key_pair_matches() -> None:
    key = load_private_key(D)
    assert key.public_key().to_raw() == PUBLIC
    assert ReferenceSM2.from_private(D).public_point == PUBLIC


def test_sm2_z_value_and_digest_of_the_example() -> None:
    reference = ReferenceSM2(PUBLIC)
    assert reference.z_value() == Z_DEFAULT
    assert reference.digest(b"message digest") == E_MESSAGE_DIGEST


def test_sm2_standard_signature_verifies_with_our_backend() -> None:
    signature = raw_to_der(R + S)
    load_public_key(PUBLIC).verify(signature, b"message digest")
    with pytest.raises(InvalidSignature):
        load_public_key(PUBLIC).verify(signature, b"message digesT")
    with pytest.raises(InvalidSignature):
        load_public_key(PUBLIC).verify(signature, b"message digest", user_id=b"")


def test_sm2_reference_reproduces_standard_signature_with_fixed_k() -> None:
    signature = ReferenceSM2(PUBLIC, D).sign(b"message digest", k=K)
    assert signature == raw_to_der(R + S)


def test_sm2_standard_ciphertext_decrypts_with_our_backend() -> None:
    key = load_private_key(D)
    assert key.decrypt(CIPHERTEXT_C1C3C2, form="c1c3c2") == b"encryption standard"
    assert key.decrypt(ciphertext_c1c3c2_to_asn1(CIPHERTEXT_C1C3C2)) == b"encryption standard"
    tampered = CIPHERTEXT_C1C3C2[:-1] + bytes([CIPHERTEXT_C1C3C2[-1] ^ 1])
    with pytest.raises(DecryptionError):
        key.decrypt(tampered, form="c1c3c2")


def test_sm2_reference_reproduces_standard_ciphertext_with_fixed_k() -> None:
    assert ReferenceSM2(PUBLIC).encrypt(b"encryption standard", k=K) == CIPHERTEXT_C1C3C2
    assert ReferenceSM2(PUBLIC, D).decrypt(CIPHERTEXT_C1C3C2) == b"encryption standard"
