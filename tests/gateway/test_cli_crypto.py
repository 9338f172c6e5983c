"""`fiscalgw keys generate | sign | verify | sm3`: exit codes, outputs, and OpenSSL interop both ways."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import main
from signing import SignatureProfile, load_private_key, load_public_key, sm3_hex
from signing.signature_encoding import der_to_raw
from tests.signing.peers import openssl

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def keypair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    code, out, _ = run(capsys, "keys", "generate", "--out", str(key), "--pub", str(pub))
    assert code == 0 and "wrote" in out
    return key, pub


def test_keys_generate_writes_pkcs8_0600_and_spki(keypair: tuple[Path, Path]) -> None:
    key, pub = keypair
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pub.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    openssl("pkey", "-in", str(key), "-noout")
    their_pub = openssl("pkey", "-in", str(key), "-pubout").stdout
    assert load_public_key(their_pub) == load_public_key(pub.read_bytes())


def test_keys_generate_refuses_to_overwrite(
    keypair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keypair
    before = key.read_bytes()
    code, _, err = run(capsys, "keys", "generate", "--out", str(key))
    assert code == 2 and "refusing to overwrite" in err and err.count("\n") == 1
    assert key.read_bytes() == before
    code, _, err = run(capsys, "keys", "generate", "--out", str(tmp_path / "new.pem"), "--pub", str(pub))
    assert code == 2 and not (tmp_path / "new.pem").exists()


def test_keys_generate_with_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "enc.pem"
    os.environ["FISCALGW_TEST_KEY_PW"] = "s3cret"
    try:
        assert (
            run(capsys, "keys", "generate", "--out", str(key), "--password-env", "FISCALGW_TEST_KEY_PW")[0]
            == 0
        )
        assert b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
        openssl("pkey", "-in", str(key), "-passin", "pass:s3cret", "-noout")
        (tmp_path / "f").write_bytes(b"data")
        code, out, _ = run(
            capsys, "sign", "--key", str(key), "--password-env", "FISCALGW_TEST_KEY_PW", str(tmp_path / "f")
        )
        assert code == 0 and out.strip()
        code, _, err = run(capsys, "sign", "--key", str(key), str(tmp_path / "f"))
        assert code == 2 and "password" in err
    finally:
        del os.environ["FISCALGW_TEST_KEY_PW"]


def test_fiscalgw_sign_verifies_with_openssl(
    keypair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keypair
    message = tmp_path / "msg.xml"
    message.write_bytes("<MOF><VoucherNo>回单-001</VoucherNo></MOF>".encode())
    for uid in ("1234567812345678", "330300000"):
        code, out, _ = run(capsys, "sign", "--key", str(key), "--uid", uid, str(message))
        assert code == 0
        signature = tmp_path / "sig.der"
        signature.write_bytes(base64.b64decode(out.strip(), validate=True))
        result = openssl(
            "pkeyutl", "-verify", "-pubin", "-inkey", str(pub), "-rawin", "-digest", "sm3",
            "-pkeyopt", f"distid:{uid}", "-in", str(message), "-sigfile", str(signature),
        )  # fmt: skip
        assert b"Signature Verified Successfully" in result.stdout


@pytest.mark.parametrize("keygen", [("genpkey", "-algorithm", "SM2"), ("ecparam", "-genkey", "-name", "SM2")])
def test_openssl_sign_verifies_with_fiscalgw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keygen: tuple[str, ...]
) -> None:
    key, pub, message, sig = (tmp_path / n for n in ("k.pem", "p.pem", "m.bin", "s.der"))
    openssl(*keygen, "-out", str(key))
    openssl("pkey", "-in", str(key), "-pubout", "-out", str(pub))
    message.write_bytes(bytes(range(256)) * 4)
    openssl("pkeyutl", "-sign", "-inkey", str(key), "-rawin", "-digest", "sm3",
            "-pkeyopt", "distid:1234567812345678", "-in", str(message), "-out", str(sig))  # fmt: skip
    der = sig.read_bytes()
    raw = der_to_raw(der)
    cases = [
        (base64.b64encode(der).decode(), []),
        (der.hex(), ["--encoding", "hex"]),
        (base64.b64encode(raw).decode(), ["--sig-format", "raw"]),
        (raw.hex(), ["--sig-format", "raw", "--encoding", "hex"]),
    ]
    for signature, extra in cases:
        code, out, _ = run(
            capsys, "verify", "--key", str(pub), "--signature", signature, *extra, str(message)
        )
        assert (code, out.strip()) == (0, "OK")
    # the signature may also come from an @file
    (tmp_path / "sig.txt").write_text(raw.hex() + "\n")
    code, out, _ = run(capsys, "verify", "--key", str(pub), "--signature", f"@{tmp_path / 'sig.txt'}",
                       "--sig-format", "raw", "--encoding", "hex", str(message))  # fmt: skip
    assert (code, out.strip()) == (0, "OK")
    # fiscalgw sign with the OpenSSL-written key (PKCS#8, or SM2 PARAMETERS + key)
    code, out, _ = run(
        capsys, "sign", "--key", str(key), "--sig-format", "raw", "--encoding", "hex", str(message)
    )
    assert code == 0 and len(bytes.fromhex(out.strip())) == 64


def test_verify_invalid_is_exit_1_one_line(
    keypair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keypair
    message = tmp_path / "m"
    message.write_bytes(b"original")
    _, signature, _ = run(capsys, "sign", "--key", str(key), str(message))
    message.write_bytes(b"tampered")
    code, out, err = run(capsys, "verify", "--key", str(pub), "--signature", signature.strip(), str(message))
    assert code == 1 and out == "" and err.count("\n") == 1 and "NOT valid" in err
    code, _, err = run(capsys, "verify", "--key", str(pub), "--signature", "%%%", str(message))
    assert code == 1
    code, _, err = run(
        capsys, "verify", "--key", str(pub), "--signature", signature.strip(), "--uid", "other", str(message)
    )
    assert code == 1


def test_verify_accepts_a_certificate_as_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from signing import SM2PrivateKey, create_ca

    ca_key = SM2PrivateKey.generate()
    cert = tmp_path / "ca.pem"
    cert.write_bytes(create_ca(ca_key, "root", now=datetime.now(UTC)).to_pem())
    (tmp_path / "m").write_bytes(b"x")
    signature = SignatureProfile().sign(ca_key, b"x")
    code, out, _ = run(capsys, "verify", "--key", str(cert), "--signature", signature, str(tmp_path / "m"))
    assert (code, out.strip()) == (0, "OK")


def test_usage_and_input_errors_are_exit_2(
    keypair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keypair
    missing = str(tmp_path / "missing")
    (tmp_path / "m").write_bytes(b"x")
    cases = [
        ("sign", "--key", missing, str(tmp_path / "m")),
        ("sign", "--key", str(pub), str(tmp_path / "m")),  # a public key is not a private key
        ("sign", "--key", str(key), missing),
        ("sign", "--key", str(key), "--sig-format", "pem", str(tmp_path / "m")),
        ("verify", "--key", str(key), "--signature", "AA==", str(tmp_path / "m")),  # private key as --key
        ("verify", "--key", str(pub), "--signature", f"@{missing}", str(tmp_path / "m")),
        ("sign", "--key", str(key), "--password-env", "FISCALGW_UNSET_VARIABLE", str(tmp_path / "m")),
        ("sm3", missing),
        ("sm3", str(tmp_path)),
    ]
    for argv in cases:
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert "Traceback" not in err and err.strip(), argv


def test_sm3_streams_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytes(range(256)) * 20_000  # ~5 MB, several chunks
    (tmp_path / "big").write_bytes(data)
    code, out, _ = run(capsys, "sm3", str(tmp_path / "big"))
    assert (code, out.strip()) == (0, sm3_hex(data))
    (tmp_path / "abc").write_bytes(b"abc")
    assert run(capsys, "sm3", str(tmp_path / "abc"))[1].strip() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    their = openssl("dgst", "-sm3", "-r", str(tmp_path / "big")).stdout.split()[0].decode()
    assert their == sm3_hex(data)


def test_real_console_entry_point_round_trip(tmp_path: Path) -> None:
    def fiscalgw(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gateway", *argv], cwd=ROOT, capture_output=True, text=True, timeout=60
        )

    key, pub, message = tmp_path / "k.pem", tmp_path / "p.pem", tmp_path / "m"
    message.write_bytes(b"hello")
    assert fiscalgw("keys", "generate", "--out", str(key), "--pub", str(pub)).returncode == 0
    signed = fiscalgw("sign", "--key", str(key), "--encoding", "hex", str(message))
    assert signed.returncode == 0
    ok = fiscalgw(
        "verify", "--key", str(pub), "--signature", signed.stdout.strip(), "--encoding", "hex", str(message)
    )
    assert (ok.returncode, ok.stdout.strip()) == (0, "OK")
    bad = fiscalgw("verify", "--key", str(pub), "--signature", signed.stdout.strip(), str(message))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    load_private_key(key.read_bytes())
