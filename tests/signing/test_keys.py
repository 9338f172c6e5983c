"""Key formats: what OpenSSL 3 writes loads here, what we write OpenSSL reads, and every format
round-trips. Key material never shows in repr/str."""

from __future__ import annotations

import base64
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing import DecryptionError, KeyFormatError, SM2PrivateKey, der, load_private_key, load_public_key
from signing.curve import N
from tests.signing.peers import openssl

KEY = SM2PrivateKey.generate()
scalars = st.integers(1, N - 2).map(lambda d: d.to_bytes(32, "big"))


def _openssl_key(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "k8.pem"
    openssl("genpkey", "-algorithm", "SM2", "-out", str(path))
    scalar_text = openssl("pkey", "-in", str(path), "-noout", "-text").stdout.decode()
    return path, scalar_text.encode()


def _openssl_public_raw(path: Path, *extra: str) -> bytes:
    der = openssl("pkey", "-in", str(path), *extra, "-pubout", "-outform", "DER").stdout
    return load_public_key(der).to_raw()


def test_loads_openssl_genpkey_pkcs8(tmp_path: Path) -> None:
    path, _ = _openssl_key(tmp_path)
    key = load_private_key(path.read_bytes())
    assert key.public_key().to_raw() == _openssl_public_raw(path)
    assert key.to_pem() == path.read_bytes()  # byte-identical to what OpenSSL wrote


def test_loads_openssl_ecparam_genkey_with_parameters_block(tmp_path: Path) -> None:
    path = tmp_path / "ec.pem"
    openssl("ecparam", "-genkey", "-name", "SM2", "-out", str(path))
    assert b"PARAMETERS-----" in path.read_bytes()
    key = load_private_key(path.read_bytes())
    assert key.public_key().to_raw() == _openssl_public_raw(path)


def test_loads_openssl_sec1_written_by_openssl_ec(tmp_path: Path) -> None:
    path, _ = _openssl_key(tmp_path)
    sec1 = tmp_path / "sec1.pem"
    openssl("ec", "-in", str(path), "-out", str(sec1))
    assert b"PRIVATE KEY-----" in sec1.read_bytes() and b"BEGIN PRIVATE KEY" not in sec1.read_bytes()
    assert load_private_key(sec1.read_bytes()).public_key().to_raw() == _openssl_public_raw(path)
    der = openssl("ec", "-in", str(path), "-outform", "DER").stdout
    assert load_private_key(der).public_key().to_raw() == _openssl_public_raw(path)


@pytest.mark.parametrize("cipher", ["aes-256-cbc", "aes-128-cbc", "sm4-cbc"])
def test_loads_openssl_encrypted_pkcs8(tmp_path: Path, cipher: str) -> None:
    path, _ = _openssl_key(tmp_path)
    encrypted = tmp_path / "enc.pem"
    openssl(
        "pkcs8", "-topk8", "-v2", cipher, "-passout", "pass:s3cret", "-in", str(path), "-out", str(encrypted)
    )
    key = load_private_key(encrypted.read_bytes(), b"s3cret")
    assert key.public_key().to_raw() == _openssl_public_raw(path)
    with pytest.raises(KeyFormatError, match="wrong password"):
        load_private_key(encrypted.read_bytes(), b"wrong")
    with pytest.raises(KeyFormatError, match="password is needed"):
        load_private_key(encrypted.read_bytes())


def test_wrong_password_with_valid_padding_is_still_a_wrong_password() -> None:
    """CBC carries no MAC: about one wrong password in 256 decrypts to valid PKCS#7 padding over
    garbage. That must read as a wrong password, not as a malformed key (CI once drew one)."""
    from signing import _backend, keyformats

    encrypted = keyformats.encrypt_pkcs8(KEY.to_der(), b"right", iterations=1)
    algorithm, body = der.decode(encrypted).children()
    kdf, cipher = algorithm.children()[1].children()
    salt = kdf.children()[1].children()[0].value
    iv = cipher.children()[1].value
    padded_ok = 0
    for n in range(3000):
        password = f"wrong-{n}".encode()
        try:
            _backend.aes_cbc_decrypt(_backend.pbkdf2("sha256", password, salt, 1, 32), iv, body.value)
            padded_ok += 1
        except DecryptionError:
            pass
        with pytest.raises(KeyFormatError, match="wrong password"):
            load_private_key(encrypted, password)
    assert padded_ok > 0  # the loop did reach the valid-padding case it is about
    assert load_private_key(encrypted, b"right").to_raw() == KEY.to_raw()


def test_loads_openssl_genpkey_aes_256_cbc(tmp_path: Path) -> None:
    path = tmp_path / "enc.pem"
    openssl("genpkey", "-algorithm", "SM2", "-aes-256-cbc", "-pass", "pass:pw", "-out", str(path))
    key = load_private_key(path.read_bytes(), b"pw")
    assert key.public_key().to_raw() == _openssl_public_raw(path, "-passin", "pass:pw")


def test_openssl_reads_what_we_write(tmp_path: Path) -> None:
    expected = KEY.public_key().to_raw()
    plain, encrypted, sec1, pub = (tmp_path / n for n in ("k.pem", "e.pem", "s.pem", "p.pem"))
    plain.write_bytes(KEY.to_pem())
    encrypted.write_bytes(KEY.to_pem(b"pw"))
    sec1.write_bytes(KEY.to_sec1_pem())
    pub.write_bytes(KEY.public_key().to_pem())
    assert _openssl_public_raw(plain) == expected
    assert _openssl_public_raw(encrypted, "-passin", "pass:pw") == expected
    assert _openssl_public_raw(sec1) == expected
    der = openssl("pkey", "-pubin", "-in", str(pub), "-outform", "DER").stdout
    assert der == KEY.public_key().to_der()
    text = openssl("pkey", "-in", str(plain), "-noout", "-text").stdout.decode()
    assert "SM2" in text or "sm2" in text.lower()


def test_public_key_forms() -> None:
    public = KEY.public_key()
    raw = public.to_raw()
    assert len(raw) == 65 and raw[0] == 4
    forms = [
        public.to_pem(),
        public.to_der(),
        raw,
        raw[1:],
        raw.hex().encode(),
        raw.hex().upper().encode(),
        raw[1:].hex().encode(),
        base64.b64encode(raw),
        base64.b64encode(raw[1:]),
        base64.b64encode(public.to_der()),
    ]
    for form in forms:
        assert load_public_key(form) == public, form
    assert public.fingerprint() == __import__("signing").sm3_hex(raw)


def test_private_key_forms() -> None:
    raw = KEY.to_raw()
    forms = [
        (KEY.to_pem(), None),
        (KEY.to_der(), None),
        (KEY.to_sec1_pem(), None),
        (KEY.to_pem(b"pw"), b"pw"),
        (raw, None),
        (raw.hex().encode(), None),
        (base64.b64encode(raw), None),
        (KEY.to_der().hex().encode(), None),
    ]
    for form, password in forms:
        assert load_private_key(form, password).to_raw() == raw


@settings(max_examples=25, deadline=None)
@given(scalar=scalars)
def test_private_key_round_trips_through_every_format(scalar: bytes) -> None:
    key = load_private_key(scalar)
    assert key.to_raw() == scalar
    for data in (
        key.to_pem(),
        key.to_der(),
        key.to_sec1_pem(),
        scalar.hex().encode(),
        base64.b64encode(scalar),
    ):
        again = load_private_key(data)
        assert again.to_raw() == scalar
        assert again.public_key() == key.public_key()
    public = key.public_key()
    for data in (public.to_pem(), public.to_der(), public.to_raw(), public.to_raw().hex().encode()):
        assert load_public_key(data) == public


@pytest.mark.parametrize("last_byte", [0x09, 0x0A, 0x0D, 0x20])
def test_raw_scalars_ending_in_whitespace_bytes_load(last_byte: int) -> None:
    scalar = bytes(31) + bytes([last_byte])
    assert load_private_key(scalar).to_raw() == scalar
    point = load_private_key(scalar).public_key().to_raw()
    assert load_public_key(point) == load_private_key(scalar).public_key()


def test_encrypted_round_trip_and_wrong_password() -> None:
    pem = KEY.to_pem(b"correct horse")
    assert b"ENCRYPTED PRIVATE KEY" in pem and KEY.to_raw().hex().encode() not in pem
    assert load_private_key(pem, b"correct horse").to_raw() == KEY.to_raw()
    with pytest.raises(KeyFormatError):
        load_private_key(pem, b"battery staple")


def test_repr_and_str_never_show_key_material() -> None:
    scalar = KEY.to_raw()
    for text in (repr(KEY), str(KEY), repr(KEY.public_key())):
        assert scalar.hex() not in text.lower()
        assert base64.b64encode(scalar).decode() not in text
        assert KEY.public_key().fingerprint()[:16] in text
    with pytest.raises(TypeError, match="pickle"):
        pickle.dumps(KEY)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an SM2 private key"),
        (b"hello world", "not an SM2 private key"),
        (b"\x00" * 32, "out of range"),
        (N.to_bytes(32, "big"), "out of range"),
        (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not a private key"),
        (b"-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n", "not valid base64"),
        (b"-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n", "PKCS#8"),
    ],
)
def test_bad_private_keys_give_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message) as info:
        load_private_key(data)
    assert "\n" not in str(info.value)


def test_password_for_plain_key_is_rejected() -> None:
    with pytest.raises(KeyFormatError, match="not encrypted"):
        load_private_key(KEY.to_pem(), b"pw")


def test_mismatched_embedded_public_key_is_rejected() -> None:
    from signing import keyformats

    other = SM2PrivateKey.generate()
    forged = keyformats.pkcs8(KEY.to_raw(), other.public_key().to_raw())
    with pytest.raises(KeyFormatError, match="does not match"):
        load_private_key(forged)


def test_other_curves_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "p256.pem"
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(path))
    with pytest.raises(KeyFormatError, match="curve other than SM2"):
        load_private_key(path.read_bytes())
    pub = openssl("pkey", "-in", str(path), "-pubout").stdout
    with pytest.raises(KeyFormatError, match="curve other than SM2"):
        load_public_key(pub)


def test_points_off_the_curve_are_rejected() -> None:
    raw = bytearray(KEY.public_key().to_raw())
    raw[-1] ^= 1
    with pytest.raises(KeyFormatError, match="not on the SM2 curve"):
        load_public_key(bytes(raw))
    with pytest.raises(KeyFormatError):
        load_public_key(b"\x04" + b"\x00" * 64)
    with pytest.raises(KeyFormatError):
        load_public_key(b"garbage")
