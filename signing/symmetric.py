"""SM4 (GB/T 32907) in CBC with PKCS#7 padding and in GCM (ciphertext‖16-byte tag).

Key and IV/nonce lengths that are wrong are programming errors (ValueError); ciphertext that does not
decrypt raises DecryptionError. CBC has no integrity: prefer GCM, or sign the ciphertext.
"""

from __future__ import annotations

from signing import _backend


def sm4_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """SM4-CBC with PKCS#7 padding; 16-byte key and IV."""
    return _backend.sm4_cbc_encrypt(key, iv, plaintext)


def sm4_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`sm4_cbc_encrypt`; DecryptionError on bad length or padding."""
    return _backend.sm4_cbc_decrypt(key, iv, ciphertext)


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """SM4-GCM; returns ciphertext‖16-byte tag. Never reuse a nonce with the same key (12 bytes usual)."""
    return _backend.sm4_gcm_encrypt(key, nonce, plaintext, aad)


def sm4_gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes = b"") -> bytes:
    """Inverse of :func:`sm4_gcm_encrypt`; DecryptionError when the tag does not match."""
    return _backend.sm4_gcm_decrypt(key, nonce, data, aad)
