"""SM3 (GB/T 32905) through ``hashlib`` (CPython's OpenSSL)."""

from __future__ import annotations

from signing import _backend
from signing._backend import Hasher


def sm3(data: bytes) -> bytes:
    """The 32-byte SM3 digest of ``data``."""
    return _backend.sm3(data)


def sm3_hex(data: bytes) -> str:
    """The SM3 digest of ``data`` as lowercase hex."""
    return _backend.sm3(data).hex()


def sm3_hasher() -> Hasher:
    """An incremental SM3 (``update``/``digest``/``hexdigest``) for streaming large inputs."""
    return _backend.sm3_hasher()
