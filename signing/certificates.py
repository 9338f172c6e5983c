"""SM2-with-SM3 X.509 v3 certificates (OID 1.2.156.10197.1.501): parse, verify a chain, issue.

Signatures on certificates are SM2 over the DER TBSCertificate with the GM/T 0009 default user ID
1234567812345678. Names are written as UTF8String (C as PrintableString), so a Chinese O= works.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from signing import der, keyformats
from signing.der import DerError
from signing.errors import (
    CertificateError,
    CertificateExpired,
    CertificateNotYetValid,
    InvalidSignature,
    KeyFormatError,
    UntrustedCertificate,
)
from signing.hashes import sm3, sm3_hex
from signing.keys import DEFAULT_USER_ID, SM2PrivateKey, SM2PublicKey
from signing.signature_encoding import der_to_rs

OID_SM2_WITH_SM3 = "1.2.156.10197.1.501"
OID_BASIC_CONSTRAINTS = "2.5.29.19"
OID_KEY_USAGE = "2.5.29.15"
OID_SUBJECT_KEY_ID = "2.5.29.14"
OID_AUTHORITY_KEY_ID = "2.5.29.35"
KEY_CERT_SIGN = 5  # KeyUsage bit number
MAX_CHAIN_DEPTH = 8

_ATTRIBUTE_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.5": "SERIALNUMBER",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "E",
}
_OID_CN, _OID_C, _OID_O = "2.5.4.3", "2.5.4.6", "2.5.4.10"


@dataclass(frozen=True)
class Certificate:
    """A parsed SM2-with-SM3 X.509 v3 certificate. Build it with :func:`load_certificate`."""

    der: bytes = field(repr=False)
    subject_cn: str
    issuer_cn: str
    subject: str
    issuer: str
    serial_number: int
    not_before: datetime
    not_after: datetime
    is_ca: bool
    public_key: SM2PublicKey = field(repr=False)
    tbs: bytes = field(repr=False, compare=False)
    signature: bytes = field(repr=False, compare=False)
    subject_der: bytes = field(repr=False, compare=False)
    issuer_der: bytes = field(repr=False, compare=False)
    key_usage: frozenset[int] | None = field(repr=False, compare=False)
    subject_key_id: bytes | None = field(repr=False, compare=False)
    authority_key_id: bytes | None = field(repr=False, compare=False)

    def to_pem(self) -> bytes:
        return keyformats.pem("CERTIFICATE", self.der)

    def fingerprint(self) -> str:
        """Lowercase hex SM3 of the DER encoding."""
        return sm3_hex(self.der)


# ---- parsing ------------------------------------------------------------------------------------------


def _escape(value: str) -> str:
    out = "".join("\\" + ch if ch in ',+"\\<>;=' else ch for ch in value)
    if out.startswith(("#", " ")):
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def _parse_name(node: der.Node) -> tuple[str, str]:
    """(RFC 4514 string, first CN) of a Name."""
    rdns: list[str] = []
    common_name = ""
    for rdn in node.expect(der.SEQUENCE).children():
        parts = []
        for attribute in rdn.expect(der.SET).children():
            oid_node, value_node = attribute.expect(der.SEQUENCE).children()
            oid = der.to_oid(oid_node)
            value = der.to_text(value_node)
            if oid == _OID_CN and not common_name:
                common_name = value
            parts.append(f"{_ATTRIBUTE_NAMES.get(oid, oid)}={_escape(value)}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns)), common_name


def _key_usage_bits(node: der.Node) -> frozenset[int]:
    node.expect(der.BIT_STRING)
    if not node.value or node.value[0] > 7:
        raise DerError("bad KeyUsage")
    bits = node.value[1:]
    return frozenset(i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8)))


def load_certificate(data: bytes) -> Certificate:
    """Parse one certificate, PEM or DER. Raises CertificateError."""
    if b"-----BEGIN" in data:
        certificates = load_certificates(data)
        if len(certificates) != 1:
            raise CertificateError(f"expected one certificate, found {len(certificates)}")
        return certificates[0]
    return _parse(bytes(data))


def load_certificates(data: bytes) -> list[Certificate]:
    """Every ``CERTIFICATE`` block of a PEM bundle, in order. Raises CertificateError."""
    try:
        blocks = keyformats.pem_blocks(data)
    except KeyFormatError as exc:
        raise CertificateError(str(exc)) from None
    certificates = [_parse(block.body) for block in blocks if block.label == "CERTIFICATE"]
    if not certificates:
        raise CertificateError("no CERTIFICATE PEM block found")
    return certificates


def _parse(data: bytes) -> Certificate:
    try:
        tbs_node, algorithm_node, signature_node = der.decode(data).expect(der.SEQUENCE).children()
        if _algorithm_oid(algorithm_node) != OID_SM2_WITH_SM3:
            raise CertificateError("only SM2-with-SM3 certificates are supported")
        fields = tbs_node.expect(der.SEQUENCE).children()
        if fields[0].tag != 0xA0 or der.to_int(fields[0].children()[0]) != 2:
            raise CertificateError("only X.509 v3 certificates are supported")
        serial = der.to_int(fields[1])
        if _algorithm_oid(fields[2]) != OID_SM2_WITH_SM3:
            raise CertificateError("TBSCertificate names a signature algorithm other than SM2-with-SM3")
        issuer, issuer_cn = _parse_name(fields[3])
        not_before_node, not_after_node = fields[4].expect(der.SEQUENCE).children()
        subject, subject_cn = _parse_name(fields[5])
        public_key = SM2PublicKey(keyformats.point_from_spki(fields[6].raw))
        is_ca = False
        key_usage: frozenset[int] | None = None
        ski: bytes | None = None
        aki: bytes | None = None
        for extra in fields[7:]:
            if extra.tag != 0xA3:
                continue
            (extensions,) = extra.children()
            for extension in extensions.expect(der.SEQUENCE).children():
                parts = extension.expect(der.SEQUENCE).children()
                oid = der.to_oid(parts[0])
                value = der.decode(parts[-1].expect(der.OCTET_STRING).value)
                if oid == OID_BASIC_CONSTRAINTS:
                    items = value.expect(der.SEQUENCE).children()
                    is_ca = bool(items) and items[0].tag == der.BOOLEAN and der.to_bool(items[0])
                elif oid == OID_KEY_USAGE:
                    key_usage = _key_usage_bits(value)
                elif oid == OID_SUBJECT_KEY_ID:
                    ski = value.expect(der.OCTET_STRING).value
                elif oid == OID_AUTHORITY_KEY_ID:
                    for item in value.expect(der.SEQUENCE).children():
                        if item.tag == 0x80:
                            aki = item.value
        return Certificate(
            der=data,
            subject_cn=subject_cn,
            issuer_cn=issuer_cn,
            subject=subject,
            issuer=issuer,
            serial_number=serial,
            not_before=der.to_time(not_before_node),
            not_after=der.to_time(not_after_node),
            is_ca=is_ca,
            public_key=public_key,
            tbs=tbs_node.raw,
            signature=der.to_bit_string(signature_node),
            subject_der=fields[5].raw,
            issuer_der=fields[3].raw,
            key_usage=key_usage,
            subject_key_id=ski,
            authority_key_id=aki,
        )
    except (DerError, ValueError, IndexError, KeyFormatError) as exc:
        raise CertificateError(f"malformed certificate: {exc}") from None


def _algorithm_oid(node: der.Node) -> str:
    parts = node.expect(der.SEQUENCE).children()
    if len(parts) == 2 and parts[1].tag != der.NULL:
        raise DerError("unexpected signature algorithm parameters")
    return der.to_oid(parts[0])


# ---- verification -------------------------------------------------------------------------------------


def _check_window(cert: Certificate, at: datetime) -> None:
    if at < cert.not_before:
        raise CertificateNotYetValid(f"certificate {cert.subject!r} is not valid before {cert.not_before}")
    if at > cert.not_after:
        raise CertificateExpired(f"certificate {cert.subject!r} expired at {cert.not_after}")


def _signed_by(cert: Certificate, issuer: Certificate) -> bool:
    if cert.issuer_der != issuer.subject_der:
        return False
    if not issuer.is_ca or (issuer.key_usage is not None and KEY_CERT_SIGN not in issuer.key_usage):
        return False
    try:
        der_to_rs(cert.signature)
        issuer.public_key.verify(cert.signature, cert.tbs, user_id=DEFAULT_USER_ID)
    except InvalidSignature:
        return False
    return True


def verify_certificate(
    cert: Certificate,
    roots: Sequence[Certificate],
    intermediates: Sequence[Certificate] = (),
    *,
    at: datetime,
) -> None:
    """Check that ``cert`` chains to one of ``roots``: every signature SM2-with-SM3 (uid
    1234567812345678), every issuer a CA, every validity window containing ``at``. Raises
    CertificateExpired, CertificateNotYetValid or UntrustedCertificate."""
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    root_ders = {root.der for root in roots}
    current = cert
    for _ in range(MAX_CHAIN_DEPTH):
        _check_window(current, at)
        if current.der in root_ders:
            return
        root = next((r for r in roots if _signed_by(current, r)), None)
        if root is not None:
            _check_window(root, at)
            return
        issuer = next((i for i in intermediates if i.der != current.der and _signed_by(current, i)), None)
        if issuer is None:
            raise UntrustedCertificate(f"no trusted issuer found for {current.subject!r}")
        current = issuer
    raise UntrustedCertificate(f"certificate chain longer than {MAX_CHAIN_DEPTH}")


# ---- issuing ------------------------------------------------------------------------------------------


def _name(common_name: str, organization: str) -> bytes:
    def rdn(oid: str, value: bytes) -> bytes:
        return der.set_of(der.sequence(der.oid(oid), value))

    rdns = [rdn(_OID_C, der.printable_string("CN"))]
    if organization:
        rdns.append(rdn(_OID_O, der.utf8_string(organization)))
    rdns.append(rdn(_OID_CN, der.utf8_string(common_name)))
    return der.sequence(*rdns)


def _extension(oid: str, critical: bool, value: bytes) -> bytes:
    parts = [der.oid(oid)]
    if critical:
        parts.append(der.boolean(True))
    parts.append(der.octet_string(value))
    return der.sequence(*parts)


def _key_id(key: SM2PublicKey) -> bytes:
    return sm3(key.to_raw())[:20]


def _build(
    *,
    issuer_key: SM2PrivateKey,
    issuer_name: bytes,
    issuer_key_id: bytes,
    subject_key: SM2PublicKey,
    subject_name: bytes,
    now: datetime,
    valid_days: int,
    is_ca: bool,
) -> Certificate:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    if valid_days <= 0:
        raise ValueError("valid_days must be positive")
    not_before = now.astimezone(UTC).replace(microsecond=0)
    not_after = not_before + timedelta(days=valid_days)
    algorithm = der.sequence(der.oid(OID_SM2_WITH_SM3))
    if is_ca:
        basic = der.sequence(der.boolean(True))
        usage = der.tlv(der.BIT_STRING, b"\x01\x86")  # digitalSignature, keyCertSign, cRLSign
    else:
        basic = der.sequence()
        usage = der.tlv(der.BIT_STRING, b"\x05\xe0")  # digitalSignature, nonRepudiation, keyEncipherment
    extensions = der.sequence(
        _extension(OID_BASIC_CONSTRAINTS, True, basic),
        _extension(OID_KEY_USAGE, True, usage),
        _extension(OID_SUBJECT_KEY_ID, False, der.octet_string(_key_id(subject_key))),
        _extension(OID_AUTHORITY_KEY_ID, False, der.sequence(der.tlv(0x80, issuer_key_id))),
    )
    tbs = der.sequence(
        der.explicit(0, der.integer(2)),
        der.integer(secrets.randbits(120) | 1 << 119),
        algorithm,
        issuer_name,
        der.sequence(der.time(not_before), der.time(not_after)),
        subject_name,
        subject_key.to_der(),
        der.explicit(3, extensions),
    )
    signature = issuer_key.sign(tbs, user_id=DEFAULT_USER_ID)
    return _parse(der.sequence(tbs, algorithm, der.bit_string(signature)))


def create_ca(
    key: SM2PrivateKey,
    common_name: str,
    *,
    organization: str = "fiscalgw dev CA",
    now: datetime,
    valid_days: int = 3650,
) -> Certificate:
    """A self-signed SM2 CA certificate for ``key``."""
    name = _name(common_name, organization)
    return _build(
        issuer_key=key,
        issuer_name=name,
        issuer_key_id=_key_id(key.public_key()),
        subject_key=key.public_key(),
        subject_name=name,
        now=now,
        valid_days=valid_days,
        is_ca=True,
    )


def issue_certificate(
    ca_key: SM2PrivateKey,
    ca_cert: Certificate,
    subject_key: SM2PublicKey,
    common_name: str,
    *,
    organization: str = "",
    now: datetime,
    valid_days: int = 825,
    is_ca: bool = False,
) -> Certificate:
    """A certificate for ``subject_key`` signed by ``ca_key`` (which must match ``ca_cert``)."""
    if ca_key.public_key() != ca_cert.public_key:
        raise CertificateError("ca_key does not belong to ca_cert")
    if not ca_cert.is_ca:
        raise CertificateError(f"{ca_cert.subject!r} is not a CA certificate")
    return _build(
        issuer_key=ca_key,
        issuer_name=ca_cert.subject_der,
        issuer_key_id=ca_cert.subject_key_id or _key_id(ca_cert.public_key),
        subject_key=subject_key,
        subject_name=_name(common_name, organization),
        now=now,
        valid_days=valid_days,
        is_ca=is_ca,
    )
