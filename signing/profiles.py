"""Per-counterparty signature conventions (SPEC §6): user ID, DER or raw r‖s, base64 or hex text."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Literal

from signing.errors import InvalidSignature
from signing.keys import DEFAULT_USER_ID, SM2PrivateKey, SM2PublicKey
from signing.signature_encoding import der_to_raw, raw_to_der

SignatureFormat = Literal["der", "raw"]
TextEncoding = Literal["base64", "hex"]


@dataclass(frozen=True)
class SignatureProfile:
    """How one counterparty signs: the SM2 ``user_id`` for Z, the signature bytes (``der`` =
    ``SEQUENCE{r, s}``, ``raw`` = 64-byte r‖s) and their text form (``base64`` or lowercase ``hex``).
    The default is GM/T 0009: uid 1234567812345678, DER, base64."""

    user_id: bytes = DEFAULT_USER_ID
    sig_format: SignatureFormat = "der"
    encoding: TextEncoding = "base64"

    def __post_init__(self) -> None:
        if not isinstance(self.user_id, bytes) or not self.user_id:
            raise ValueError("user_id must be non-empty bytes")
        if self.sig_format not in ("der", "raw"):
            raise ValueError(f"sig_format must be 'der' or 'raw', got {self.sig_format!r}")
        if self.encoding not in ("base64", "hex"):
            raise ValueError(f"encoding must be 'base64' or 'hex', got {self.encoding!r}")

    def sign(self, key: SM2PrivateKey, data: bytes) -> str:
        """The encoded signature text of ``data``."""
        signature = key.sign(data, user_id=self.user_id)
        if self.sig_format == "raw":
            signature = der_to_raw(signature)
        if self.encoding == "hex":
            return signature.hex()
        return base64.b64encode(signature).decode("ascii")

    def verify(self, key: SM2PublicKey, data: bytes, signature_text: str) -> None:
        """Raise InvalidSignature unless ``signature_text`` is a valid signature of ``data`` in this
        profile. Malformed text, encoding or length also raise InvalidSignature (opaque on purpose)."""
        key.verify(self.decode(signature_text), data, user_id=self.user_id)

    def decode(self, signature_text: str) -> bytes:
        """The DER signature carried by ``signature_text``; InvalidSignature when it is malformed."""
        if not isinstance(signature_text, str):
            raise InvalidSignature()
        text = signature_text.strip()
        try:
            if self.encoding == "hex":
                raw = bytes.fromhex(text)
            else:
                raw = base64.b64decode(text.encode("ascii"), validate=True)
        except (ValueError, binascii.Error, UnicodeEncodeError):
            raise InvalidSignature() from None
        if self.sig_format == "raw":
            return raw_to_der(raw)
        der_to_raw(raw)  # canonical-DER and range check; raises InvalidSignature
        return raw


DEFAULT_PROFILE = SignatureProfile()
