"""SM2 sign/verify/encrypt/decrypt through the public API, with properties over any message and uid."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing import DEFAULT_USER_ID, DecryptionError, InvalidSignature, SM2PrivateKey, SM2PublicKey
from signing.signature_encoding import der_to_raw

KEY = SM2PrivateKey.generate()
OTHER = SM2PrivateKey.generate()
uids = st.binary(min_size=1, max_size=64)


def test_default_user_id_is_the_gmt_0009_value() -> None:
    assert DEFAULT_USER_ID == b"1234567812345678"


def test_sign_is_der_and_randomised() -> None:
    first, second = KEY.sign(b"payload"), KEY.sign(b"payload")
    assert first[0] == 0x30 and 8 <= len(first) <= 72
    assert first != second  # fresh k each time
    KEY.public_key().verify(first, b"payload")
    KEY.public_key().verify(second, b"payload")


def test_verify_returns_none_and_raises_on_wrong_key_or_uid() -> None:
    signature = KEY.sign(b"m", user_id=b"alice@bank")
    KEY.public_key().verify(signature, b"m", user_id=b"alice@bank")  # no exception: valid
    with pytest.raises(InvalidSignature):
        OTHER.public_key().verify(signature, b"m", user_id=b"alice@bank")
    with pytest.raises(InvalidSignature):
        KEY.public_key().verify(signature, b"m")  # default uid differs


def test_garbage_signatures_raise_invalid_signature() -> None:
    for garbage in (b"", b"\x30\x00", b"\x00" * 64, b"not a signature", b"\x30" * 80):
        with pytest.raises(InvalidSignature):
            KEY.public_key().verify(garbage, b"m")


def test_empty_user_id_is_allowed_and_distinct() -> None:
    signature = KEY.sign(b"m", user_id=b"")
    KEY.public_key().verify(signature, b"m", user_id=b"")
    with pytest.raises(InvalidSignature):
        KEY.public_key().verify(signature, b"m")


def test_user_id_too_long_for_entl_is_rejected() -> None:
    with pytest.raises(ValueError, match="ENTL"):
        KEY.sign(b"m", user_id=b"x" * 8192)


@settings(max_examples=60, deadline=None)
@given(message=st.binary(max_size=2048), uid=uids)
def test_verify_of_sign_for_any_message_and_uid(message: bytes, uid: bytes) -> None:
    KEY.public_key().verify(KEY.sign(message, user_id=uid), message, user_id=uid)


@settings(max_examples=60, deadline=None)
@given(message=st.binary(min_size=1, max_size=256), data=st.data())
def test_any_bit_flip_in_message_is_rejected(message: bytes, data: st.DataObject) -> None:
    signature = KEY.sign(message)
    bit = data.draw(st.integers(0, len(message) * 8 - 1))
    flipped = bytearray(message)
    flipped[bit // 8] ^= 0x80 >> (bit % 8)
    with pytest.raises(InvalidSignature):
        KEY.public_key().verify(signature, bytes(flipped))


@settings(max_examples=80, deadline=None)
@given(message=st.binary(max_size=256), position=st.integers(0, 72 * 8 - 1))
def test_any_bit_flip_in_signature_is_rejected(message: bytes, position: int) -> None:
    signature = KEY.sign(message)  # 70 to 72 bytes, random: fold the position into its length
    bit = position % (len(signature) * 8)
    flipped = bytearray(signature)
    flipped[bit // 8] ^= 0x80 >> (bit % 8)
    with pytest.raises(InvalidSignature):
        KEY.public_key().verify(bytes(flipped), message)


@settings(max_examples=40, deadline=None)
@given(message=st.binary(min_size=1, max_size=1024), form=st.sampled_from(["asn1", "c1c3c2"]))
def test_decrypt_of_encrypt_in_both_forms(message: bytes, form: str) -> None:
    ciphertext = KEY.public_key().encrypt(message, form=form)  # type: ignore[arg-type]
    assert ciphertext != message
    assert KEY.decrypt(ciphertext, form=form) == message  # type: ignore[arg-type]


def test_c1c3c2_layout() -> None:
    ciphertext = KEY.public_key().encrypt(b"hello", form="c1c3c2")
    assert ciphertext[0] == 4 and len(ciphertext) == 1 + 64 + 32 + 5


def test_decrypt_with_wrong_key_or_tampered_ciphertext_fails() -> None:
    ciphertext = KEY.public_key().encrypt(b"transfer 100.00 CNY to acct 42", form="c1c3c2")
    with pytest.raises(DecryptionError):
        OTHER.decrypt(ciphertext, form="c1c3c2")
    tampered = bytearray(ciphertext)
    tampered[-1] ^= 1
    with pytest.raises(DecryptionError):
        KEY.decrypt(bytes(tampered), form="c1c3c2")
    with pytest.raises(DecryptionError):
        KEY.decrypt(b"\x30\x03\x02\x01\x01")
    with pytest.raises(DecryptionError):
        KEY.decrypt(b"\x04" + b"\x00" * 40, form="c1c3c2")


def test_unknown_ciphertext_form_and_empty_plaintext_are_value_errors() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        KEY.public_key().encrypt(b"")
    with pytest.raises(ValueError, match="form"):
        KEY.public_key().encrypt(b"x", form="c1c2c3")  # type: ignore[arg-type]


def test_public_keys_compare_and_hash_by_point() -> None:
    same = SM2PublicKey(KEY.public_key().to_raw())
    assert same == KEY.public_key() and hash(same) == hash(KEY.public_key())
    assert same != OTHER.public_key()
    assert len({same, KEY.public_key(), OTHER.public_key()}) == 2


def test_signing_from_two_threads_gives_valid_signatures() -> None:
    results: list[bytes] = []
    lock = threading.Lock()

    def work() -> None:
        local = [KEY.sign(b"threaded %d" % i) for i in range(200)]
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 400
    for i, signature in enumerate(results):
        KEY.public_key().verify(signature, b"threaded %d" % (i % 200))


def test_raw_signature_conversion_pads_to_64_bytes() -> None:
    for i in range(50):
        raw = der_to_raw(KEY.sign(b"pad %d" % i))
        assert len(raw) == 64


def test_non_canonical_der_is_rejected() -> None:
    from signing import der

    signature = KEY.sign(b"m")
    r_node, s_node = der.decode(signature).children()
    padded_r = der.tlv(der.INTEGER, b"\x00" + r_node.value)  # a needless leading zero
    for forged in (
        der.sequence(padded_r, s_node.raw),
        signature + b"\x00",
        b"\x30\x81" + bytes([len(signature) - 2]) + signature[2:],  # long-form length
    ):
        with pytest.raises(InvalidSignature):
            KEY.public_key().verify(forged, b"m")
