"""``gmssl`` (pure Python) wrapped as an INDEPENDENT REFERENCE for tests and benchmarks. Never production.

The gateway signs, verifies, encrypts and decrypts only through :mod:`signing.keys` (OpenSSL). This
module exists so that tests can cross-check OpenSSL against a second implementation, and reproduce the
fixed-k examples of GB/T 32918.5 / GM/T 0003.5. It defuses gmssl's known traps:

* public keys are always set as 128-hex-digit x‖y, AFTER construction: gmssl's ``lstrip("04")`` mangles
  "04…" keys, and also a bare x‖y whose x starts with the byte 0x04 (about 1 key in 256);
* the nonce k always comes from :mod:`secrets` (gmssl's default uses ``random``), or from the caller for
  the published fixed-k vectors;
* Z is computed here with a configurable user ID (gmssl hard-codes 1234567812345678), with gmssl's SM3;
* decryption checks C3 (gmssl ignores it) and raises DecryptionError on mismatch.

It is slow (~100 signatures/s) and not constant-time.
"""

from __future__ import annotations

import secrets

from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3

from signing.curve import GX, GY, N
from signing.errors import DecryptionError, InvalidSignature
from signing.keys import DEFAULT_USER_ID
from signing.signature_encoding import der_to_rs, rs_to_der

_TABLE = gm_sm2.default_ecc_table


def _sm3(data: bytes) -> bytes:
    return bytes.fromhex(gm_sm3.sm3_hash(list(data)))


def _random_k() -> int:
    return secrets.randbelow(N - 1) + 1


class ReferenceSM2:
    """One SM2 key pair in gmssl. ``public_point`` is 04‖X‖Y; ``private_scalar`` optional (verify only)."""

    def __init__(self, public_point: bytes, private_scalar: bytes | None = None) -> None:
        if len(public_point) != 65 or public_point[0] != 4:
            raise ValueError("public_point must be 65 bytes 04‖X‖Y")
        self._xy_hex = public_point[1:].hex()  # 128 hex digits, never "04…"
        self._private_hex = private_scalar.hex() if private_scalar is not None else ""
        self._crypt = gm_sm2.CryptSM2(private_key=self._private_hex, public_key=self._xy_hex, mode=1)
        # gmssl strips every leading "0"/"4" of a key that starts with "04" -- even a 128-digit x‖y whose
        # x begins with byte 0x04. Set the attribute after construction so no key is ever mangled.
        self._crypt.public_key = self._xy_hex

    @classmethod
    def from_private(cls, private_scalar: bytes) -> ReferenceSM2:
        """Derive the public point with gmssl's own arithmetic (independent of OpenSSL)."""
        probe = gm_sm2.CryptSM2(private_key=private_scalar.hex(), public_key="00" * 64, mode=1)
        point = probe._kg(int.from_bytes(private_scalar, "big"), _TABLE["g"])
        return cls(b"\x04" + bytes.fromhex(point), private_scalar)

    @property
    def public_point(self) -> bytes:
        return b"\x04" + bytes.fromhex(self._xy_hex)

    def z_value(self, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """Z = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA), with gmssl's SM3."""
        entl = (len(user_id) * 8).to_bytes(2, "big")
        curve = bytes.fromhex(_TABLE["a"] + _TABLE["b"]) + GX.to_bytes(32, "big") + GY.to_bytes(32, "big")
        return _sm3(entl + user_id + curve + bytes.fromhex(self._xy_hex))

    def digest(self, data: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """e = SM3(Z‖M)."""
        return _sm3(self.z_value(user_id) + data)

    def sign(self, data: bytes, *, user_id: bytes = DEFAULT_USER_ID, k: int | None = None) -> bytes:
        """DER signature; k from :mod:`secrets` unless a published vector fixes it."""
        if not self._private_hex:
            raise ValueError("no private key")
        e = self.digest(data, user_id)
        while True:
            raw = self._crypt.sign(e, f"{k if k is not None else _random_k():064x}")
            if raw is not None:
                return rs_to_der(int(raw[:64], 16), int(raw[64:], 16))
            if k is not None:
                raise ValueError("this k yields r = 0 or s = 0; pick another")

    def verify(self, signature: bytes, data: bytes, *, user_id: bytes = DEFAULT_USER_ID) -> None:
        """Raise InvalidSignature unless the DER signature is valid (r, s range-checked here)."""
        r, s = der_to_rs(signature)
        if not self._crypt.verify(f"{r:064x}{s:064x}", self.digest(data, user_id)):
            raise InvalidSignature()

    def encrypt(self, plaintext: bytes, *, k: int | None = None) -> bytes:
        """C1C3C2 with the 04 prefix: 04‖x1‖y1‖C3‖C2."""
        if not plaintext:
            raise ValueError("the reference cannot encrypt an empty message")
        kk = k if k is not None else _random_k()
        c1 = self._crypt._kg(kk, _TABLE["g"])
        xy = self._crypt._kg(kk, self._xy_hex)
        t = bytes.fromhex(gm_sm3.sm3_kdf(xy.encode("ascii"), len(plaintext)))
        if not any(t):
            raise ValueError("KDF output is all zero; pick another k")
        c2 = bytes(a ^ b for a, b in zip(plaintext, t, strict=True))
        x2, y2 = bytes.fromhex(xy[:64]), bytes.fromhex(xy[64:])
        c3 = _sm3(x2 + plaintext + y2)
        return b"\x04" + bytes.fromhex(c1) + c3 + c2

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Decrypt 04‖x1‖y1‖C3‖C2 and CHECK C3 (gmssl itself does not)."""
        if not self._private_hex:
            raise ValueError("no private key")
        if len(ciphertext) < 98 or ciphertext[0] != 4:
            raise DecryptionError("malformed SM2 ciphertext")
        c1, c3, c2 = ciphertext[1:65], ciphertext[65:97], ciphertext[97:]
        xy = self._crypt._kg(int(self._private_hex, 16), c1.hex())
        t = bytes.fromhex(gm_sm3.sm3_kdf(xy.encode("ascii"), len(c2)))
        plaintext = bytes(a ^ b for a, b in zip(c2, t, strict=True))
        x2, y2 = bytes.fromhex(xy[:64]), bytes.fromhex(xy[64:])
        if not secrets.compare_digest(_sm3(x2 + plaintext + y2), c3):
            raise DecryptionError("SM2 C3 check failed")
        return plaintext


def sm3(data: bytes) -> bytes:
    """gmssl's pure-Python SM3."""
    return _sm3(data)
