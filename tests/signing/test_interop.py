"""Interop, both directions, against three independent peers: the OpenSSL 3 CLI, BouncyCastle's
``SM2Signer``/``SM2Engine`` and gmssl (through signing.reference). DER and raw r‖s, base64 and hex, the
default and non-default user IDs. A missing peer fails these tests; it never skips them."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from signing import SignatureProfile, SM2PrivateKey, load_private_key, load_public_key
from signing.reference import ReferenceSM2
from signing.signature_encoding import der_to_raw, raw_to_der
from tests.signing.peers import BouncyCastle, openssl

pytestmark = pytest.mark.interop

UIDS = [b"1234567812345678", b"ALICE123@YAHOO.COM", b"330300000"]
MESSAGES = [b"", b"message digest", "温州市财政局 回单 100.00".encode(), bytes(range(256)) * 5]
PROFILES = [
    SignatureProfile(user_id=uid, sig_format=fmt, encoding=enc)
    for uid in (UIDS[0], UIDS[1])
    for fmt in ("der", "raw")
    for enc in ("base64", "hex")
]


def _decode(profile: SignatureProfile, text: str) -> bytes:
    """What a peer receives: the signature bytes in the profile's own format."""
    raw = bytes.fromhex(text) if profile.encoding == "hex" else base64.b64decode(text)
    if profile.sig_format == "raw":
        assert len(raw) == 64
    return raw


def _encode(profile: SignatureProfile, der: bytes) -> str:
    data = der_to_raw(der) if profile.sig_format == "raw" else der
    return data.hex() if profile.encoding == "hex" else base64.b64encode(data).decode()


# ---- OpenSSL 3 CLI ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openssl_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("openssl-key")
    key, pub = directory / "key.pem", directory / "pub.pem"
    openssl("genpkey", "-algorithm", "SM2", "-out", str(key))
    openssl("pkey", "-in", str(key), "-pubout", "-out", str(pub))
    return key, pub


@pytest.mark.parametrize("uid", UIDS)
def test_openssl_verifies_our_signatures(tmp_path: Path, openssl_key: tuple[Path, Path], uid: bytes) -> None:
    key = load_private_key(openssl_key[0].read_bytes())
    for i, message in enumerate(MESSAGES):
        for profile in (
            SignatureProfile(user_id=uid),
            SignatureProfile(user_id=uid, sig_format="raw", encoding="hex"),
        ):
            text = profile.sign(key, message)
            signature = _decode(profile, text)
            der = raw_to_der(signature) if profile.sig_format == "raw" else signature
            msg, sig = tmp_path / f"m{i}", tmp_path / f"s{i}"
            msg.write_bytes(message)
            sig.write_bytes(der)
            result = openssl(
                "pkeyutl", "-verify", "-pubin", "-inkey", str(openssl_key[1]), "-rawin", "-digest", "sm3",
                "-pkeyopt", f"distid:{uid.decode()}", "-in", str(msg), "-sigfile", str(sig),
            )  # fmt: skip
            assert b"Signature Verified Successfully" in result.stdout


@pytest.mark.parametrize("uid", UIDS)
def test_we_verify_openssl_signatures(tmp_path: Path, openssl_key: tuple[Path, Path], uid: bytes) -> None:
    public = load_public_key(openssl_key[1].read_bytes())
    for i, message in enumerate(MESSAGES):
        msg = tmp_path / f"m{i}"
        msg.write_bytes(message)
        der = openssl(
            "pkeyutl", "-sign", "-inkey", str(openssl_key[0]), "-rawin", "-digest", "sm3",
            "-pkeyopt", f"distid:{uid.decode()}", "-in", str(msg),
        ).stdout  # fmt: skip
        public.verify(der, message, user_id=uid)
        for profile in PROFILES:
            if profile.user_id == uid:
                profile.verify(public, message, _encode(profile, der))


def test_openssl_rejects_a_signature_made_with_another_uid(
    tmp_path: Path, openssl_key: tuple[Path, Path]
) -> None:
    key = load_private_key(openssl_key[0].read_bytes())
    (tmp_path / "m").write_bytes(b"payload")
    (tmp_path / "s").write_bytes(key.sign(b"payload", user_id=b"someone else"))
    result = openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(openssl_key[1]), "-rawin", "-digest", "sm3",
        "-pkeyopt", "distid:1234567812345678", "-in", str(tmp_path / "m"), "-sigfile", str(tmp_path / "s"),
        check=False,
    )  # fmt: skip
    assert result.returncode != 0


def test_openssl_decrypts_our_ciphertext_and_we_decrypt_openssls(
    tmp_path: Path, openssl_key: tuple[Path, Path]
) -> None:
    key = load_private_key(openssl_key[0].read_bytes())
    (tmp_path / "c").write_bytes(key.public_key().encrypt(b"SM4 session key 0123456789abcdef"))
    plain = openssl("pkeyutl", "-decrypt", "-inkey", str(openssl_key[0]), "-in", str(tmp_path / "c")).stdout
    assert plain == b"SM4 session key 0123456789abcdef"
    ciphertext = openssl(
        "pkeyutl", "-encrypt", "-pubin", "-inkey", str(openssl_key[1]), input_bytes=b"from openssl"
    ).stdout
    assert key.decrypt(ciphertext) == b"from openssl"


# ---- BouncyCastle -------------------------------------------------------------------------------------


def test_bouncycastle_verifies_ours_and_we_verify_bouncycastles(bouncycastle: BouncyCastle) -> None:
    key = SM2PrivateKey.generate()
    point = key.public_key().to_raw().hex()
    d = key.to_raw().hex()
    commands: list[str] = []
    expectations: list[tuple[str, bytes, bytes, bytes]] = []
    for uid in UIDS:
        for message in MESSAGES:
            der = key.sign(message, user_id=uid)
            mhex = message.hex() or "-"
            commands.append(f"verify {point} {uid.hex()} {mhex} {der.hex()}")
            commands.append(f"verifyraw {point} {uid.hex()} {mhex} {der_to_raw(der).hex()}")
            commands.append(f"sign {d} {uid.hex()} {mhex}")
            commands.append(f"signraw {d} {uid.hex()} {mhex}")
            expectations.append(("pair", uid, message, der))
    answers = bouncycastle.run(commands)
    public = key.public_key()
    for index, (_, uid, message, _der) in enumerate(expectations):
        ours_der, ours_raw, theirs_der, theirs_raw = answers[4 * index : 4 * index + 4]
        assert ours_der == "true" and ours_raw == "true"
        public.verify(bytes.fromhex(theirs_der), message, user_id=uid)
        assert len(bytes.fromhex(theirs_raw)) == 64
        SignatureProfile(user_id=uid, sig_format="raw", encoding="hex").verify(public, message, theirs_raw)
        SignatureProfile(user_id=uid, sig_format="der", encoding="base64").verify(
            public, message, base64.b64encode(bytes.fromhex(theirs_der)).decode()
        )
    # and a wrong uid is rejected by BouncyCastle too
    der = key.sign(b"payload", user_id=b"1234567812345678")
    assert bouncycastle.run([f"verify {point} {b'other'.hex()} {b'payload'.hex()} {der.hex()}"]) == ["false"]


def test_bouncycastle_sm2_encryption_both_directions(bouncycastle: BouncyCastle) -> None:
    key = SM2PrivateKey.generate()
    messages = [b"x", b"encryption standard", bytes(range(200))]
    ours = [key.public_key().encrypt(m, form="c1c3c2") for m in messages]
    commands = [f"decrypt {key.to_raw().hex()} {c.hex()}" for c in ours]
    commands += [f"encrypt {key.public_key().to_raw().hex()} {m.hex()}" for m in messages]
    answers = bouncycastle.run(commands)
    assert [bytes.fromhex(a) for a in answers[: len(messages)]] == messages
    for message, theirs in zip(messages, answers[len(messages) :], strict=True):
        assert key.decrypt(bytes.fromhex(theirs), form="c1c3c2") == message


# ---- gmssl (the reference) ----------------------------------------------------------------------------


def test_gmssl_reference_cross_checks_both_directions() -> None:
    key = SM2PrivateKey.generate()
    reference = ReferenceSM2.from_private(key.to_raw())
    assert reference.public_point == key.public_key().to_raw()
    for uid in UIDS:
        for message in MESSAGES[:3]:
            reference.verify(key.sign(message, user_id=uid), message, user_id=uid)
            key.public_key().verify(reference.sign(message, user_id=uid), message, user_id=uid)


def test_gmssl_reference_encryption_both_directions() -> None:
    key = SM2PrivateKey.generate()
    reference = ReferenceSM2.from_private(key.to_raw())
    assert reference.decrypt(key.public_key().encrypt(b"to gmssl", form="c1c3c2")) == b"to gmssl"
    assert key.decrypt(reference.encrypt(b"from gmssl"), form="c1c3c2") == b"from gmssl"


def test_reference_wrapper_defuses_the_04_prefix_trap() -> None:
    # d = 11 gives x = 04B3CB…: gmssl's lstrip("04") would mangle even the bare 128-digit x‖y
    key = load_private_key((11).to_bytes(32, "big"))
    assert key.public_key().to_raw()[:2] == b"\x04\x04"
    reference = ReferenceSM2(key.public_key().to_raw(), key.to_raw())
    reference.verify(key.sign(b"m"), b"m")
    key.public_key().verify(reference.sign(b"m"), b"m")


def test_reference_checks_c3_where_gmssl_does_not() -> None:
    from signing import DecryptionError

    key = SM2PrivateKey.generate()
    ciphertext = bytearray(key.public_key().encrypt(b"transfer 100.00 CNY to acct 42", form="c1c3c2"))
    ciphertext[-1] ^= 1
    with pytest.raises(DecryptionError):
        ReferenceSM2.from_private(key.to_raw()).decrypt(bytes(ciphertext))
