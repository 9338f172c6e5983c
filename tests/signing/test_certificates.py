"""SM2-with-SM3 certificates: issue, parse, chain verification, and OpenSSL reading what we issue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from signing import (
    CertificateError,
    CertificateExpired,
    CertificateNotYetValid,
    SM2PrivateKey,
    UntrustedCertificate,
    create_ca,
    issue_certificate,
    load_certificate,
    load_certificates,
    load_public_key,
    verify_certificate,
)
from tests.signing.peers import openssl

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CA_KEY = SM2PrivateKey.generate()
CA = create_ca(CA_KEY, "fiscalgw root", now=NOW)
MID_KEY = SM2PrivateKey.generate()
MID = issue_certificate(
    CA_KEY, CA, MID_KEY.public_key(), "浙江省财政厅 CA", now=NOW, is_ca=True, valid_days=1000
)
LEAF_KEY = SM2PrivateKey.generate()
LEAF = issue_certificate(
    MID_KEY, MID, LEAF_KEY.public_key(), "330300000", organization="温州市财政局", now=NOW
)


def test_issued_certificate_fields() -> None:
    assert LEAF.subject == "CN=330300000,O=温州市财政局,C=CN"
    assert LEAF.subject_cn == "330300000"
    assert LEAF.issuer_cn == "浙江省财政厅 CA"
    assert LEAF.issuer == MID.subject
    assert LEAF.not_before == NOW and LEAF.not_after == NOW + timedelta(days=825)
    assert LEAF.not_before.tzinfo is not None
    assert not LEAF.is_ca and CA.is_ca and MID.is_ca
    assert LEAF.public_key == LEAF_KEY.public_key()
    assert CA.subject == CA.issuer == "CN=fiscalgw root,O=fiscalgw dev CA,C=CN"
    assert LEAF.serial_number > 0 and LEAF.serial_number != MID.serial_number
    assert LEAF.authority_key_id == MID.subject_key_id


def test_pem_and_der_round_trip_and_fingerprint() -> None:
    assert load_certificate(LEAF.to_pem()) == LEAF
    assert load_certificate(LEAF.der) == LEAF
    bundle = LEAF.to_pem() + MID.to_pem() + CA.to_pem()
    assert load_certificates(bundle) == [LEAF, MID, CA]
    assert len(LEAF.fingerprint()) == 64 and LEAF.fingerprint() != MID.fingerprint()
    assert load_public_key(LEAF.to_pem()) == LEAF_KEY.public_key()
    assert load_public_key(LEAF.der) == LEAF_KEY.public_key()


def test_chain_verifies_at_a_time_inside_every_window() -> None:
    verify_certificate(LEAF, [CA], [MID], at=NOW + timedelta(days=10))
    verify_certificate(MID, [CA], at=NOW)
    verify_certificate(CA, [CA], at=NOW)


def test_missing_intermediate_or_wrong_root_is_untrusted() -> None:
    with pytest.raises(UntrustedCertificate):
        verify_certificate(LEAF, [CA], at=NOW)
    other_root = create_ca(SM2PrivateKey.generate(), "fiscalgw root", now=NOW)  # same name, other key
    with pytest.raises(UntrustedCertificate):
        verify_certificate(LEAF, [other_root], [MID], at=NOW)


def test_validity_windows() -> None:
    with pytest.raises(CertificateNotYetValid):
        verify_certificate(LEAF, [CA], [MID], at=NOW - timedelta(seconds=1))
    with pytest.raises(CertificateExpired):
        verify_certificate(LEAF, [CA], [MID], at=NOW + timedelta(days=826))
    # the leaf is valid but the intermediate expired first (1000 days)
    late_leaf = issue_certificate(MID_KEY, MID, LEAF_KEY.public_key(), "late", now=NOW + timedelta(days=900))
    with pytest.raises(CertificateExpired, match="浙江省财政厅"):
        verify_certificate(late_leaf, [CA], [MID], at=NOW + timedelta(days=1001))
    with pytest.raises(ValueError, match="timezone"):
        verify_certificate(LEAF, [CA], [MID], at=datetime(2027, 1, 1))


def test_a_leaf_cannot_act_as_an_issuer() -> None:
    with pytest.raises(CertificateError, match="not a CA"):
        issue_certificate(LEAF_KEY, LEAF, SM2PrivateKey.generate().public_key(), "x", now=NOW)


def test_tampered_certificate_is_untrusted() -> None:
    der = bytearray(LEAF.der)
    index = bytes(der).index(b"330300000")
    der[index] = ord("4")
    tampered = load_certificate(bytes(der))
    assert tampered.subject_cn == "430300000"
    with pytest.raises(UntrustedCertificate):
        verify_certificate(tampered, [CA], [MID], at=NOW)


def test_ca_key_must_match_ca_certificate() -> None:
    with pytest.raises(CertificateError, match="does not belong"):
        issue_certificate(MID_KEY, CA, LEAF_KEY.public_key(), "x", now=NOW)


def test_garbage_is_a_certificate_error() -> None:
    for data in (b"", b"\x30\x00", b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"):
        with pytest.raises(CertificateError):
            load_certificate(data)


def test_non_sm2_certificate_is_rejected(tmp_path: Path) -> None:
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=p256", "-days", "1")  # fmt: skip
    with pytest.raises(CertificateError, match="SM2"):
        load_certificate(cert.read_bytes())


def test_openssl_reads_and_verifies_the_chain_we_issue(tmp_path: Path) -> None:
    ca, mid, leaf = tmp_path / "ca.pem", tmp_path / "mid.pem", tmp_path / "leaf.pem"
    ca.write_bytes(CA.to_pem())
    mid.write_bytes(MID.to_pem())
    leaf.write_bytes(LEAF.to_pem())
    text = openssl("x509", "-noout", "-text", "-in", str(leaf)).stdout.decode()
    assert "SM2-with-SM3" in text
    assert "CA:FALSE" in text and "Digital Signature" in text
    assert "Subject Key Identifier" in text and "Authority Key Identifier" in text
    subject = openssl("x509", "-noout", "-subject", "-nameopt", "utf8", "-in", str(leaf)).stdout.decode()
    assert "温州市财政局" in subject
    # OpenSSL 3.0 checks SM2 certificate signatures with an EMPTY ID unless told, and `-vfyopt distid:`
    # applies to the target certificate only (not to intermediates): verify each link on its own.
    attime = str(int((NOW + timedelta(days=1)).timestamp()))
    for anchor, target, extra in ((ca, mid, []), (mid, leaf, ["-partial_chain"])):
        result = openssl(
            "verify", "-vfyopt", "distid:1234567812345678", "-attime", attime, *extra,
            "-CAfile", str(anchor), str(target),
        )  # fmt: skip
        assert result.stdout.strip().endswith(b"OK")


def test_we_read_and_verify_an_openssl_issued_sm2_certificate(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    cert = tmp_path / "c.pem"
    openssl("genpkey", "-algorithm", "SM2", "-out", str(key))
    openssl("req", "-x509", "-new", "-key", str(key), "-sm3", "-sigopt", "distid:1234567812345678",
            "-subj", "/C=CN/O=PBOC/CN=treasury", "-days", "30", "-out", str(cert))  # fmt: skip
    parsed = load_certificate(cert.read_bytes())
    assert parsed.subject_cn == "treasury" and parsed.subject == "CN=treasury,O=PBOC,C=CN"
    verify_certificate(parsed, [parsed], at=parsed.not_before + timedelta(days=1))
