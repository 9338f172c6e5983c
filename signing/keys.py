"""SM2 key objects (pyca style): ``SM2PrivateKey`` signs and decrypts, ``SM2PublicKey`` verifies and
encrypts, and the two loaders read every container OpenSSL 3 and Chinese banks use.

Verification raises :class:`InvalidSignature`, never returns a bool. Key material never appears in a
repr, str or pickle: a private key shows only its public fingerprint.
"""

from __future__ import annotations

from typing import Literal, NoReturn

from signing import _backend, der, keyformats
from signing.curve import N, is_on_curve
from signing.der import DerError
from signing.errors import InvalidSignature, KeyFormatError

DEFAULT_USER_ID: bytes = b"1234567812345678"
"""The GM/T 0009 default SM2 distinguishing identifier."""

CiphertextForm = Literal["asn1", "c1c3c2"]
_MAX_USER_ID = 8191  # ENTL is a 16-bit count of bits


def _check_user_id(user_id: bytes) -> None:
    if not isinstance(user_id, bytes):
        raise TypeError("user_id must be bytes")
    if len(user_id) > _MAX_USER_ID:
        raise ValueError(f"SM2 user ID is {len(user_id)} bytes; at most {_MAX_USER_ID} fit the 16-bit ENTL")


def _check_form(form: str) -> None:
    if form not in ("asn1", "c1c3c2"):
        raise ValueError(f"form must be 'asn1' or 'c1c3c2', got {form!r}")


class SM2PublicKey:
    """An SM2 public key (a point on the recommended curve). Equal and hashable by point value."""

    __slots__ = ("_native", "_point")

    def __init__(self, point: bytes) -> None:
        """Build from the uncompressed point ``04‖X‖Y``; prefer :func:`load_public_key`."""
        if len(point) != 65 or point[0] != 4:
            raise KeyFormatError("SM2 public point must be 65 bytes 04‖X‖Y")
        x, y = int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big")
        if not is_on_curve(x, y):
            raise KeyFormatError("the public point is not on the SM2 curve")
        self._point = point
        self._native = _backend.load_public_spki(keyformats.spki(point))

    def verify(self, signature: bytes, data: bytes, *, user_id: bytes = DEFAULT_USER_ID) -> None:
        """Check a DER ``SEQUENCE{r, s}`` signature over SM3(Z‖data). Raises InvalidSignature."""
        _check_user_id(user_id)
        if not _backend.verify(self._native, bytes(signature), bytes(data), user_id):
            raise InvalidSignature()

    def encrypt(self, plaintext: bytes, *, form: CiphertextForm = "asn1") -> bytes:
        """SM2 encryption (SM3 KDF and C3). ``asn1`` = GM/T 0009 DER; ``c1c3c2`` = 04‖x‖y‖C3‖C2."""
        _check_form(form)
        if not plaintext:
            raise ValueError("SM2 encryption needs a non-empty plaintext")
        ciphertext = _backend.encrypt(self._native, bytes(plaintext))
        if form == "c1c3c2":
            return keyformats.ciphertext_asn1_to_c1c3c2(ciphertext)
        return ciphertext

    def to_der(self) -> bytes:
        """SubjectPublicKeyInfo DER (id-ecPublicKey with the named curve sm2), as OpenSSL writes it."""
        return keyformats.spki(self._point)

    def to_pem(self) -> bytes:
        return keyformats.pem("PUBLIC KEY", self.to_der())

    def to_raw(self) -> bytes:
        """The 65-byte uncompressed point 04‖X‖Y."""
        return self._point

    def fingerprint(self) -> str:
        """Lowercase hex SM3 of :meth:`to_raw`; usable as a key id."""
        return _backend.sm3(self._point).hex()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SM2PublicKey):
            return NotImplemented
        return self._point == other._point

    def __hash__(self) -> int:
        return hash(self._point)

    def __repr__(self) -> str:
        return f"<SM2PublicKey fingerprint={self.fingerprint()[:16]}>"


class SM2PrivateKey:
    """An SM2 private key held inside OpenSSL. Its repr shows only the public fingerprint."""

    __slots__ = ("_native", "_public")

    def __init__(self, native: _backend.NativeKey, public: SM2PublicKey) -> None:
        """Internal; use :meth:`generate` or :func:`load_private_key`."""
        self._native = native
        self._public = public

    @classmethod
    def generate(cls) -> SM2PrivateKey:
        """A fresh key from OpenSSL's CSPRNG."""
        native, _ = _backend.generate()
        return cls(native, _public_of(native))

    @classmethod
    def _from_parts(cls, parts: keyformats.PrivateParts) -> SM2PrivateKey:
        value = int.from_bytes(parts.scalar, "big")
        if not 0 < value < N - 1:
            raise KeyFormatError("SM2 private scalar out of range [1, n-2]")
        native = _backend.load_private_pkcs8(keyformats.pkcs8(parts.scalar, None))
        public = _public_of(native)
        if parts.point is not None and parts.point != public.to_raw():
            raise KeyFormatError("the public key stored with the private key does not match it")
        return cls(native, public)

    def public_key(self) -> SM2PublicKey:
        return self._public

    def sign(self, data: bytes, *, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """DER ``SEQUENCE{r, s}`` over SM3(Z‖data), Z computed with ``user_id``; fresh random k."""
        _check_user_id(user_id)
        return _backend.sign(self._native, bytes(data), user_id)

    def decrypt(self, ciphertext: bytes, *, form: CiphertextForm = "asn1") -> bytes:
        """Decrypt SM2 ciphertext (C3 is checked). Raises DecryptionError."""
        _check_form(form)
        if form == "c1c3c2":
            ciphertext = keyformats.ciphertext_c1c3c2_to_asn1(bytes(ciphertext))
        return _backend.decrypt(self._native, bytes(ciphertext))

    def to_der(self) -> bytes:
        """Unencrypted PKCS#8 DER, as ``openssl genpkey -algorithm SM2 -outform DER`` writes it."""
        return keyformats.pkcs8(self.to_raw(), self._public.to_raw())

    def to_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM; with ``password``, PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) encrypted PKCS#8."""
        if password is None:
            return keyformats.pem("PRIVATE KEY", self.to_der())
        if not isinstance(password, bytes) or not password:
            raise ValueError("password must be non-empty bytes")
        return keyformats.pem("ENCRYPTED PRIVATE KEY", keyformats.encrypt_pkcs8(self.to_der(), password))

    def to_sec1_pem(self) -> bytes:
        """SEC1 ``EC PRIVATE KEY`` PEM (with the sm2 curve OID and the public key)."""
        body = keyformats.sec1(self.to_raw(), self._public.to_raw(), with_params=True)
        return keyformats.pem("EC PRIVATE KEY", body)

    def to_raw(self) -> bytes:
        """The 32-byte private scalar. Handle with care."""
        return _backend.private_scalar(self._native)

    def __repr__(self) -> str:
        return f"<SM2PrivateKey public fingerprint={self._public.fingerprint()[:16]}>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("SM2PrivateKey cannot be pickled; export it with to_pem(password)")


def _public_of(native: _backend.NativeKey) -> SM2PublicKey:
    return SM2PublicKey(keyformats.point_from_spki(_backend.public_spki(native)))


# ---- loaders ------------------------------------------------------------------------------------------

_SKIPPED_PEM = {"EC PARAMETERS", "SM2 PARAMETERS"}


def load_private_key(data: bytes, password: bytes | None = None) -> SM2PrivateKey:
    """Read an SM2 private key from PEM or DER PKCS#8 (plain or encrypted), SEC1 ``EC PRIVATE KEY`` (with
    or without an EC/SM2 PARAMETERS block before it), or a raw 32-byte scalar as bytes, hex or base64.
    Raises KeyFormatError with one clear line."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise KeyFormatError("key data must be bytes")
    data = bytes(data)
    if b"-----BEGIN" in data:
        return _load_private_pem(data, password)
    first_error: KeyFormatError | None = None
    for candidate in keyformats.decode_text(data):
        if len(candidate) == keyformats.SCALAR_SIZE:
            _no_password(password)
            return SM2PrivateKey._from_parts(keyformats.PrivateParts(candidate, None))
        if candidate[:1] == b"\x30":
            try:
                return _load_private_der(candidate, password)
            except KeyFormatError as exc:
                first_error = first_error or exc
    if first_error is not None:
        raise first_error
    raise KeyFormatError(
        "not an SM2 private key: expected PEM, PKCS#8/SEC1 DER, or a 32-byte scalar as bytes/hex/base64"
    )


def _no_password(password: bytes | None) -> None:
    if password is not None:
        raise KeyFormatError("a password was given but the private key is not encrypted")


def _load_private_pem(data: bytes, password: bytes | None) -> SM2PrivateKey:
    blocks = keyformats.pem_blocks(data)
    for block in blocks:
        if block.label in _SKIPPED_PEM:
            try:
                if der.to_oid(der.decode(block.body)) != keyformats.OID_SM2:
                    raise KeyFormatError("the EC PARAMETERS block names a curve other than SM2")
            except (DerError, ValueError):
                raise KeyFormatError("the EC PARAMETERS block is not a named-curve OID") from None
            continue
        if block.headers:
            raise KeyFormatError(
                "legacy PEM encryption (Proc-Type/DEK-Info) is not supported; convert with "
                "'openssl pkcs8 -topk8 -v2 aes-256-cbc'"
            )
        if block.label == "PRIVATE KEY":
            _no_password(password)
            return SM2PrivateKey._from_parts(keyformats.parse_pkcs8(block.body))
        if block.label == "ENCRYPTED PRIVATE KEY":
            return _load_encrypted(block.body, password)
        if block.label in ("EC PRIVATE KEY", "SM2 PRIVATE KEY"):
            _no_password(password)
            return SM2PrivateKey._from_parts(keyformats.parse_sec1(block.body))
        raise KeyFormatError(f"PEM block {block.label!r} is not a private key")
    raise KeyFormatError("no private key PEM block found")


def _load_encrypted(body: bytes, password: bytes | None) -> SM2PrivateKey:
    if password is None:
        raise KeyFormatError("the private key is encrypted: a password is needed")
    return SM2PrivateKey._from_parts(keyformats.parse_pkcs8(keyformats.decrypt_pkcs8(body, password)))


def _load_private_der(data: bytes, password: bytes | None) -> SM2PrivateKey:
    if keyformats.is_encrypted_pkcs8(data):
        return _load_encrypted(data, password)
    _no_password(password)
    try:
        return SM2PrivateKey._from_parts(keyformats.parse_pkcs8(data))
    except KeyFormatError as pkcs8_error:
        try:
            return SM2PrivateKey._from_parts(keyformats.parse_sec1(data))
        except KeyFormatError:
            raise pkcs8_error from None


def load_public_key(data: bytes) -> SM2PublicKey:
    """Read an SM2 public key from SubjectPublicKeyInfo PEM/DER, an X.509 certificate PEM/DER (its
    key), or a raw point 04‖X‖Y or X‖Y as bytes, hex or base64. Raises KeyFormatError."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise KeyFormatError("key data must be bytes")
    data = bytes(data)
    if b"-----BEGIN" in data:
        for block in keyformats.pem_blocks(data):
            if block.label == "PUBLIC KEY":
                return SM2PublicKey(keyformats.point_from_spki(block.body))
            if block.label == "CERTIFICATE":
                return SM2PublicKey(keyformats.point_from_spki(keyformats.spki_of_certificate(block.body)))
        raise KeyFormatError("no PUBLIC KEY or CERTIFICATE PEM block found")
    problem = "not an SM2 public key: expected SPKI/certificate PEM or DER, or 04‖X‖Y / X‖Y bytes/hex/base64"
    for candidate in keyformats.decode_text(data):
        try:
            if len(candidate) == 65 and candidate[0] == 4:
                return SM2PublicKey(candidate)
            if len(candidate) == 64:
                return SM2PublicKey(b"\x04" + candidate)
            if candidate[:1] == b"\x30":
                try:
                    return SM2PublicKey(keyformats.point_from_spki(candidate))
                except KeyFormatError:
                    return SM2PublicKey(keyformats.point_from_spki(keyformats.spki_of_certificate(candidate)))
        except KeyFormatError as exc:
            problem = str(exc)
    raise KeyFormatError(problem)
