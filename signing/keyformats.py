"""Key containers as OpenSSL 3 writes them: PEM armour, PKCS#8 (plain and PBES2-encrypted), SEC1
``ECPrivateKey``, SubjectPublicKeyInfo, and the SM2 ciphertext forms. Pure structure, no arithmetic:
the scalar and the points only pass through as bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass

from signing import _backend, der
from signing.der import DerError
from signing.errors import DecryptionError, KeyFormatError

OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_SM2 = "1.2.156.10197.1.301"
OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_HMAC_SHA1 = "1.2.840.113549.2.7"
OID_HMAC_SHA256 = "1.2.840.113549.2.9"
OID_HMAC_SHA512 = "1.2.840.113549.2.11"
OID_AES128_CBC = "2.16.840.1.101.3.4.1.2"
OID_AES192_CBC = "2.16.840.1.101.3.4.1.22"
OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"
OID_SM4_CBC = "1.2.156.10197.1.104.2"

PRFS = {OID_HMAC_SHA1: "sha1", OID_HMAC_SHA256: "sha256", OID_HMAC_SHA512: "sha512"}
CIPHERS = {OID_AES128_CBC: ("aes", 16), OID_AES192_CBC: ("aes", 24), OID_AES256_CBC: ("aes", 32)}
CIPHERS[OID_SM4_CBC] = ("sm4", 16)

PBKDF2_ITERATIONS = 100_000
MAX_PBKDF2_ITERATIONS = 10_000_000
SCALAR_SIZE = 32
_ALGORITHM = der.sequence(der.oid(OID_EC_PUBLIC_KEY), der.oid(OID_SM2))

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)


@dataclass(frozen=True)
class PemBlock:
    label: str
    headers: bool
    body: bytes


def pem_blocks(data: bytes) -> list[PemBlock]:
    """Every PEM block in ``data``, in order. A block that is not valid base64 is a KeyFormatError."""
    blocks: list[PemBlock] = []
    for match in _PEM_BLOCK.finditer(data):
        label = match.group(1).decode("ascii")
        text = match.group(2)
        has_headers = b":" in text
        try:
            body = base64.b64decode(b"".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            if has_headers:
                body = b""
            else:
                raise KeyFormatError(f"PEM block {label!r} is not valid base64") from None
        blocks.append(PemBlock(label, has_headers, body))
    return blocks


def pem(label: str, body: bytes) -> bytes:
    text = base64.b64encode(body)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return b"".join([f"-----BEGIN {label}-----\n".encode(), *(ln + b"\n" for ln in lines)]) + (
        f"-----END {label}-----\n".encode()
    )


def decode_text(data: bytes) -> list[bytes]:
    """Candidate binary values of a non-PEM key text: the bytes themselves, hex and base64 readings."""
    candidates = [data]  # raw binary first, unstripped: 0x09-0x0d and 0x20 are valid key bytes
    stripped = b"".join(data.split())
    if stripped and re.fullmatch(rb"[0-9A-Fa-f]+", stripped) and len(stripped) % 2 == 0:
        candidates.append(bytes.fromhex(stripped.decode("ascii")))
    if stripped and re.fullmatch(rb"[A-Za-z0-9+/_-]+={0,2}", stripped):
        try:
            standard = stripped.replace(b"-", b"+").replace(b"_", b"/")
            candidates.append(base64.b64decode(standard, validate=True))
        except (binascii.Error, ValueError):
            pass
    return candidates


# ---- SubjectPublicKeyInfo -----------------------------------------------------------------------------


def spki(point: bytes) -> bytes:
    """SubjectPublicKeyInfo DER for an uncompressed point 04‖X‖Y."""
    return der.sequence(_ALGORITHM, der.bit_string(point))


def point_from_spki(data: bytes) -> bytes:
    """The 04‖X‖Y point of an SM2 SubjectPublicKeyInfo; KeyFormatError otherwise."""
    try:
        algorithm, key = der.decode(data).expect(der.SEQUENCE).children()
        _check_algorithm(algorithm)
        return der.to_bit_string(key)
    except (DerError, ValueError) as exc:
        raise KeyFormatError(f"not an SM2 SubjectPublicKeyInfo: {exc}") from None


def _check_algorithm(node: der.Node) -> None:
    parts = node.expect(der.SEQUENCE).children()
    oid = der.to_oid(parts[0])
    if oid == OID_EC_PUBLIC_KEY:
        if len(parts) != 2 or parts[1].tag != der.OID or der.to_oid(parts[1]) != OID_SM2:
            raise KeyFormatError("an EC key on a curve other than SM2 (only named curve sm2 is accepted)")
    elif oid != OID_SM2:
        raise KeyFormatError(f"not an EC/SM2 key (algorithm {oid})")


# ---- private keys -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrivateParts:
    """What a private-key container holds: the scalar and, if written, the public point."""

    scalar: bytes
    point: bytes | None

    def __repr__(self) -> str:
        return "PrivateParts(<redacted>)"


def sec1(scalar: bytes, point: bytes | None, *, with_params: bool) -> bytes:
    parts = [der.integer(1), der.octet_string(scalar)]
    if with_params:
        parts.append(der.explicit(0, der.oid(OID_SM2)))
    if point is not None:
        parts.append(der.explicit(1, der.bit_string(point)))
    return der.sequence(*parts)


def pkcs8(scalar: bytes, point: bytes | None) -> bytes:
    """PKCS#8 ``PrivateKeyInfo`` as ``openssl genpkey -algorithm SM2`` writes it."""
    return der.sequence(der.integer(0), _ALGORITHM, der.octet_string(sec1(scalar, point, with_params=False)))


def parse_sec1(data: bytes) -> PrivateParts:
    try:
        parts = der.decode(data).expect(der.SEQUENCE).children()
        if len(parts) < 2 or der.to_int(parts[0]) != 1:
            raise KeyFormatError("not a SEC1 ECPrivateKey (version must be 1)")
        scalar = parts[1].expect(der.OCTET_STRING).value
        point: bytes | None = None
        for extra in parts[2:]:
            if extra.tag == 0xA0:
                (params,) = extra.children()
                if params.tag != der.OID or der.to_oid(params) != OID_SM2:
                    raise KeyFormatError("an EC private key on a curve other than SM2")
            elif extra.tag == 0xA1:
                (bits,) = extra.children()
                point = der.to_bit_string(bits)
    except (DerError, ValueError) as exc:
        raise KeyFormatError(f"malformed EC private key: {exc}") from None
    if not 0 < len(scalar) <= SCALAR_SIZE:
        raise KeyFormatError(f"EC private scalar has {len(scalar)} bytes, expected 32")
    return PrivateParts(scalar.rjust(SCALAR_SIZE, b"\x00"), point)


def parse_pkcs8(data: bytes) -> PrivateParts:
    try:
        parts = der.decode(data).expect(der.SEQUENCE).children()
        if len(parts) < 3 or der.to_int(parts[0]) not in (0, 1):
            raise KeyFormatError("not a PKCS#8 PrivateKeyInfo")
        _check_algorithm(parts[1])
        inner = parts[2].expect(der.OCTET_STRING).value
    except (DerError, ValueError) as exc:
        raise KeyFormatError(f"malformed PKCS#8 key: {exc}") from None
    return parse_sec1(inner)


def is_encrypted_pkcs8(data: bytes) -> bool:
    try:
        first = der.decode(data).children()[0]
        return first.tag == der.SEQUENCE and der.to_oid(first.children()[0]) == OID_PBES2
    except (DerError, ValueError, IndexError):
        return False


def decrypt_pkcs8(data: bytes, password: bytes) -> bytes:
    """The PrivateKeyInfo inside a PBES2 ``EncryptedPrivateKeyInfo`` (PBKDF2; AES-CBC or SM4-CBC)."""
    try:
        algorithm, encrypted = der.decode(data).expect(der.SEQUENCE).children()
        scheme, params = algorithm.children()
        if der.to_oid(scheme) != OID_PBES2:
            raise KeyFormatError(f"unsupported key encryption {der.to_oid(scheme)} (only PBES2)")
        kdf, cipher = params.children()
        kdf_oid, kdf_params = kdf.children()
        if der.to_oid(kdf_oid) != OID_PBKDF2:
            raise KeyFormatError(f"unsupported key derivation {der.to_oid(kdf_oid)} (only PBKDF2)")
        kdf_parts = kdf_params.children()
        salt = kdf_parts[0].expect(der.OCTET_STRING).value
        iterations = der.to_int(kdf_parts[1])
        prf = OID_HMAC_SHA1
        key_length: int | None = None
        for extra in kdf_parts[2:]:
            if extra.tag == der.INTEGER:
                key_length = der.to_int(extra)
            else:
                prf = der.to_oid(extra.children()[0])
        cipher_oid_node, iv_node = cipher.children()
        cipher_oid = der.to_oid(cipher_oid_node)
        iv = iv_node.expect(der.OCTET_STRING).value
        ciphertext = encrypted.expect(der.OCTET_STRING).value
    except (DerError, ValueError) as exc:
        raise KeyFormatError(f"malformed encrypted PKCS#8 key: {exc}") from None
    if prf not in PRFS:
        raise KeyFormatError(f"unsupported PBKDF2 PRF {prf}")
    if cipher_oid not in CIPHERS:
        raise KeyFormatError(f"unsupported key encryption cipher {cipher_oid}")
    if not 0 < iterations <= MAX_PBKDF2_ITERATIONS:
        raise KeyFormatError(f"PBKDF2 iteration count {iterations} is out of range")
    name, size = CIPHERS[cipher_oid]
    if key_length is not None and key_length != size:
        raise KeyFormatError("PBKDF2 key length does not match the cipher")
    key = _backend.pbkdf2(PRFS[prf], password, salt, iterations, size)
    wrong = "cannot decrypt the private key: wrong password or corrupted file"
    if name == "sm4" and len(iv) != 16:
        raise KeyFormatError("bad SM4 IV length in the encrypted key")
    try:
        if name == "sm4":
            plain = _backend.sm4_cbc_decrypt(key, iv, ciphertext)
        else:
            plain = _backend.aes_cbc_decrypt(key, iv, ciphertext)
    except DecryptionError:
        raise KeyFormatError(wrong) from None
    # CBC has no integrity check: about one wrong password in 256 still ends in valid PKCS#7 padding.
    # Garbage that is not one whole DER SEQUENCE is that case, not a malformed key inside a good envelope.
    try:
        der.decode(plain).expect(der.SEQUENCE)
    except (DerError, ValueError):
        raise KeyFormatError(wrong) from None
    return plain


def encrypt_pkcs8(private_key_info: bytes, password: bytes, iterations: int = PBKDF2_ITERATIONS) -> bytes:
    """``EncryptedPrivateKeyInfo`` with PBES2, PBKDF2-HMAC-SHA256 and AES-256-CBC (``openssl pkcs8 -v2``)."""
    salt = secrets.token_bytes(16)
    iv = secrets.token_bytes(16)
    key = _backend.pbkdf2("sha256", password, salt, iterations, 32)
    ciphertext = _backend.aes_cbc_encrypt(key, iv, private_key_info)
    kdf = der.sequence(
        der.oid(OID_PBKDF2),
        der.sequence(
            der.octet_string(salt),
            der.integer(iterations),
            der.sequence(der.oid(OID_HMAC_SHA256), der.null()),
        ),
    )
    cipher = der.sequence(der.oid(OID_AES256_CBC), der.octet_string(iv))
    algorithm = der.sequence(der.oid(OID_PBES2), der.sequence(kdf, cipher))
    return der.sequence(algorithm, der.octet_string(ciphertext))


# ---- SM2 ciphertext forms -----------------------------------------------------------------------------


def ciphertext_asn1_to_c1c3c2(data: bytes) -> bytes:
    """GM/T 0009 ``SEQUENCE{x, y, C3, C2}`` → ``04‖x‖y‖C3‖C2``."""
    try:
        x_node, y_node, hash_node, body_node = der.decode(data).expect(der.SEQUENCE).children()
        x, y = der.to_int(x_node), der.to_int(y_node)
        c3 = hash_node.expect(der.OCTET_STRING).value
        c2 = body_node.expect(der.OCTET_STRING).value
    except (DerError, ValueError):
        raise DecryptionError("malformed SM2 ciphertext") from None
    if not (0 <= x < 2**256 and 0 <= y < 2**256) or len(c3) != 32:
        raise DecryptionError("malformed SM2 ciphertext")
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big") + c3 + c2


def ciphertext_c1c3c2_to_asn1(data: bytes) -> bytes:
    """``04‖x‖y‖C3‖C2`` (the leading 04 is required) → GM/T 0009 ``SEQUENCE{x, y, C3, C2}``."""
    if len(data) < 97 or data[0] != 4:
        raise DecryptionError("SM2 C1C3C2 ciphertext must start with 04 and hold at least 97 bytes")
    data = data[1:]
    x, y = int.from_bytes(data[:32], "big"), int.from_bytes(data[32:64], "big")
    return der.sequence(
        der.integer(x), der.integer(y), der.octet_string(data[64:96]), der.octet_string(data[96:])
    )


def spki_of_certificate(data: bytes) -> bytes:
    """The SubjectPublicKeyInfo DER inside an X.509 certificate (no other checks)."""
    try:
        tbs = der.decode(data).expect(der.SEQUENCE).children()[0]
        fields = tbs.expect(der.SEQUENCE).children()
        offset = 1 if fields[0].tag == 0xA0 else 0
        return fields[offset + 5].expect(der.SEQUENCE).raw
    except (DerError, ValueError, IndexError) as exc:
        raise KeyFormatError(f"not an X.509 certificate: {exc}") from None
