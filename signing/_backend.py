"""The native backend: the ONLY module that touches ctypes/libcrypto and cryptography's hazmat layer.

* SM2 (sign, verify, encrypt, decrypt, key generation, d·G): the system OpenSSL 3 ``libcrypto`` through
  ctypes. ctypes releases the GIL for every foreign call, so threads sign in parallel. The SM2
  distinguishing ID is ALWAYS set with ``EVP_PKEY_CTX_set1_id`` (OpenSSL 3's default ID is empty).
* SM3: ``hashlib.new("sm3")`` (CPython's OpenSSL).
* SM4-CBC/GCM, AES-CBC (for PBES2) : pyca ``cryptography``. PBKDF2: ``hashlib.pbkdf2_hmac``.

Everything here raises signing's own errors; no OpenSSL or cryptography exception leaves this module.
Private keys live in OpenSSL as ``EVP_PKEY`` objects; every scalar operation on them runs in OpenSSL.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import threading
import weakref
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from signing.errors import BackendUnavailable, DecryptionError, KeyFormatError

_P = ctypes.c_void_p
_SIZE = ctypes.c_size_t
_INT = ctypes.c_int
_BUF = ctypes.c_char_p
_SIZE_P = ctypes.POINTER(ctypes.c_size_t)

_MAX_SM2_DER_SIGNATURE = 72
SM4_BLOCK = 16
SM4_KEY_SIZE = 16
GCM_TAG_SIZE = 16


class Hasher(Protocol):
    """The part of ``hashlib``'s hash object that SM3 streaming needs."""

    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


# ---- libcrypto loading --------------------------------------------------------------------------------


def _declare(lib: ctypes.CDLL, name: str, restype: Any, *argtypes: Any) -> None:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


def _load_libcrypto() -> ctypes.CDLL:
    candidates = ["libcrypto.so.3", ctypes.util.find_library("crypto")]
    last_error: OSError | None = None
    for name in candidates:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            last_error = exc
            continue
        try:
            lib.OpenSSL_version_num.restype = ctypes.c_ulong
            if lib.OpenSSL_version_num() < 0x30000000:
                continue
            _declare(lib, "ERR_get_error", ctypes.c_ulong)
            _declare(lib, "ERR_clear_error", None)
            _declare(lib, "ERR_error_string_n", None, ctypes.c_ulong, ctypes.c_char_p, _SIZE)
            _declare(lib, "EVP_PKEY_free", None, _P)
            _declare(lib, "EVP_PKEY_is_a", _INT, _P, ctypes.c_char_p)
            _declare(lib, "d2i_AutoPrivateKey", _P, _P, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long)
            _declare(lib, "d2i_PUBKEY", _P, _P, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long)
            _declare(lib, "i2d_PUBKEY", _INT, _P, ctypes.POINTER(ctypes.c_char_p))
            _declare(lib, "EVP_PKEY_CTX_new", _P, _P, _P)
            _declare(lib, "EVP_PKEY_CTX_new_from_name", _P, _P, ctypes.c_char_p, ctypes.c_char_p)
            _declare(lib, "EVP_PKEY_CTX_free", None, _P)
            _declare(lib, "EVP_PKEY_CTX_set1_id", _INT, _P, ctypes.c_char_p, _INT)
            _declare(lib, "EVP_PKEY_keygen_init", _INT, _P)
            _declare(lib, "EVP_PKEY_generate", _INT, _P, ctypes.POINTER(_P))
            _declare(lib, "EVP_PKEY_get_bn_param", _INT, _P, ctypes.c_char_p, ctypes.POINTER(_P))
            _declare(lib, "BN_bn2binpad", _INT, _P, ctypes.c_char_p, _INT)
            _declare(lib, "BN_clear_free", None, _P)
            _declare(lib, "EVP_MD_CTX_new", _P)
            _declare(lib, "EVP_MD_CTX_free", None, _P)
            _declare(lib, "EVP_MD_CTX_reset", _INT, _P)
            _declare(lib, "EVP_MD_CTX_set_pkey_ctx", None, _P, _P)
            _declare(lib, "EVP_sm3", _P)
            _declare(lib, "EVP_DigestSignInit", _INT, _P, _P, _P, _P, _P)
            _declare(lib, "EVP_DigestSign", _INT, _P, _BUF, _SIZE_P, _BUF, _SIZE)
            _declare(lib, "EVP_DigestVerifyInit", _INT, _P, _P, _P, _P, _P)
            _declare(lib, "EVP_DigestVerify", _INT, _P, _BUF, _SIZE, _BUF, _SIZE)
            _declare(lib, "EVP_PKEY_encrypt_init", _INT, _P)
            _declare(lib, "EVP_PKEY_encrypt", _INT, _P, _BUF, _SIZE_P, _BUF, _SIZE)
            _declare(lib, "EVP_PKEY_decrypt_init", _INT, _P)
            _declare(lib, "EVP_PKEY_decrypt", _INT, _P, _BUF, _SIZE_P, _BUF, _SIZE)
        except AttributeError as exc:
            raise BackendUnavailable(f"{name} lacks a function signing/ needs: {exc}") from None
        return lib
    raise BackendUnavailable(f"OpenSSL 3 libcrypto not found (libcrypto.so.3): {last_error}")


_lib_instance: ctypes.CDLL | None = None
_lib_lock = threading.Lock()


def _lib() -> ctypes.CDLL:
    global _lib_instance
    if _lib_instance is None:
        with _lib_lock:
            if _lib_instance is None:
                lib = _load_libcrypto()
                if not lib.EVP_sm3():
                    raise BackendUnavailable("libcrypto was built without SM3")
                _lib_instance = lib
    return _lib_instance


def _openssl_error(lib: ctypes.CDLL) -> str:
    """Drain the thread's OpenSSL error queue into one short string."""
    code = lib.ERR_get_error()
    buffer = ctypes.create_string_buffer(256)
    text = ""
    if code:
        lib.ERR_error_string_n(code, buffer, len(buffer))
        text = buffer.value.decode("ascii", "replace")
    lib.ERR_clear_error()
    return text


def openssl_version() -> str:
    lib = _lib()
    _declare(lib, "OpenSSL_version", ctypes.c_char_p, _INT)
    version: bytes = lib.OpenSSL_version(0)
    return version.decode("ascii")


# ---- SM2 keys -----------------------------------------------------------------------------------------


class NativeKey:
    """An owned ``EVP_PKEY*`` of type SM2, freed with the object. Opaque: no key material in repr."""

    __slots__ = ("__weakref__", "_finalizer", "pointer")

    def __init__(self, pointer: int) -> None:
        self.pointer = pointer
        self._finalizer = weakref.finalize(self, _lib().EVP_PKEY_free, pointer)

    def __repr__(self) -> str:
        return "<NativeKey SM2>"


def _own(lib: ctypes.CDLL, pointer: int | None, what: str) -> NativeKey:
    if not pointer:
        raise KeyFormatError(f"OpenSSL rejected the {what}: {_openssl_error(lib) or 'unknown error'}")
    if lib.EVP_PKEY_is_a(pointer, b"SM2") != 1:
        lib.EVP_PKEY_free(pointer)
        raise KeyFormatError(f"the {what} is not an SM2 key")
    return NativeKey(pointer)


def load_private_pkcs8(der: bytes) -> NativeKey:
    """Load an unencrypted PKCS#8 SM2 key. OpenSSL computes the public point d·G if it is absent."""
    lib = _lib()
    cursor = ctypes.c_char_p(der)
    pointer = lib.d2i_AutoPrivateKey(None, ctypes.byref(cursor), len(der))
    return _own(lib, pointer, "private key")


def load_public_spki(der: bytes) -> NativeKey:
    """Load a SubjectPublicKeyInfo; OpenSSL checks the point lies on the curve."""
    lib = _lib()
    cursor = ctypes.c_char_p(der)
    pointer = lib.d2i_PUBKEY(None, ctypes.byref(cursor), len(der))
    return _own(lib, pointer, "public key")


def public_spki(key: NativeKey) -> bytes:
    """The SubjectPublicKeyInfo DER of a key (public or private) as OpenSSL writes it."""
    lib = _lib()
    size = lib.i2d_PUBKEY(key.pointer, None)
    if size <= 0:
        raise KeyFormatError(f"OpenSSL cannot encode the public key: {_openssl_error(lib)}")
    buffer = ctypes.create_string_buffer(size)
    cursor = ctypes.c_char_p(ctypes.addressof(buffer))
    written = lib.i2d_PUBKEY(key.pointer, ctypes.byref(cursor))
    return buffer.raw[:written]


def generate() -> tuple[NativeKey, bytes]:
    """A fresh SM2 key pair from OpenSSL's CSPRNG: the key and its 32-byte private scalar."""
    lib = _lib()
    ctx = lib.EVP_PKEY_CTX_new_from_name(None, b"SM2", None)
    if not ctx:
        raise BackendUnavailable(f"libcrypto has no SM2: {_openssl_error(lib)}")
    try:
        pointer = _P()
        if lib.EVP_PKEY_keygen_init(ctx) != 1 or lib.EVP_PKEY_generate(ctx, ctypes.byref(pointer)) != 1:
            raise BackendUnavailable(f"SM2 key generation failed: {_openssl_error(lib)}")
    finally:
        lib.EVP_PKEY_CTX_free(ctx)
    key = _own(lib, pointer.value, "generated key")
    return key, private_scalar(key)


def private_scalar(key: NativeKey) -> bytes:
    """The private scalar d as 32 big-endian bytes."""
    lib = _lib()
    bn = _P()
    if lib.EVP_PKEY_get_bn_param(key.pointer, b"priv", ctypes.byref(bn)) != 1:
        raise KeyFormatError(f"not a private key: {_openssl_error(lib)}")
    try:
        buffer = ctypes.create_string_buffer(32)
        if lib.BN_bn2binpad(bn, buffer, 32) != 32:
            raise KeyFormatError("private scalar does not fit in 32 bytes")
        return buffer.raw
    finally:
        lib.BN_clear_free(bn)


# ---- SM2 sign / verify --------------------------------------------------------------------------------

_local = threading.local()


def _md_ctx(lib: ctypes.CDLL) -> int:
    """A per-thread EVP_MD_CTX, reused across calls (reset after each use)."""
    ctx: int | None = getattr(_local, "md_ctx", None)
    if ctx is None:
        ctx = lib.EVP_MD_CTX_new()
        if not ctx:
            raise MemoryError("EVP_MD_CTX_new failed")
        _local.md_ctx = ctx
        _local.finalizer = weakref.finalize(threading.current_thread(), lib.EVP_MD_CTX_free, ctx)
    return ctx


def _pkey_ctx_with_id(lib: ctypes.CDLL, key: NativeKey, user_id: bytes) -> int:
    pctx: int | None = lib.EVP_PKEY_CTX_new(key.pointer, None)
    if not pctx:
        raise MemoryError(f"EVP_PKEY_CTX_new failed: {_openssl_error(lib)}")
    if lib.EVP_PKEY_CTX_set1_id(pctx, user_id, len(user_id)) != 1:
        lib.EVP_PKEY_CTX_free(pctx)
        raise ValueError(f"OpenSSL refused the SM2 user ID: {_openssl_error(lib)}")
    return pctx


def sign(key: NativeKey, data: bytes, user_id: bytes) -> bytes:
    """DER ``SEQUENCE{r, s}`` over SM3(Z‖M), Z computed with ``user_id``."""
    lib = _lib()
    mctx = _md_ctx(lib)
    pctx = _pkey_ctx_with_id(lib, key, user_id)
    try:
        lib.EVP_MD_CTX_set_pkey_ctx(mctx, pctx)
        if lib.EVP_DigestSignInit(mctx, None, lib.EVP_sm3(), None, key.pointer) != 1:
            raise KeyFormatError(f"cannot sign with this key: {_openssl_error(lib)}")
        out = ctypes.create_string_buffer(_MAX_SM2_DER_SIGNATURE)
        size = _SIZE(len(out))
        if lib.EVP_DigestSign(mctx, out, ctypes.byref(size), data, len(data)) != 1:
            raise KeyFormatError(f"SM2 signing failed: {_openssl_error(lib)}")
        return out.raw[: size.value]
    finally:
        lib.EVP_MD_CTX_reset(mctx)
        lib.EVP_PKEY_CTX_free(pctx)


def verify(key: NativeKey, signature: bytes, data: bytes, user_id: bytes) -> bool:
    """True when ``signature`` (DER) is valid for ``data`` under ``user_id``; False otherwise."""
    lib = _lib()
    mctx = _md_ctx(lib)
    pctx = _pkey_ctx_with_id(lib, key, user_id)
    try:
        lib.EVP_MD_CTX_set_pkey_ctx(mctx, pctx)
        if lib.EVP_DigestVerifyInit(mctx, None, lib.EVP_sm3(), None, key.pointer) != 1:
            raise KeyFormatError(f"cannot verify with this key: {_openssl_error(lib)}")
        result = lib.EVP_DigestVerify(mctx, signature, len(signature), data, len(data))
        if result != 1:
            lib.ERR_clear_error()
        return bool(result == 1)
    finally:
        lib.EVP_MD_CTX_reset(mctx)
        lib.EVP_PKEY_CTX_free(pctx)


# ---- SM2 encryption (GM/T 0009 ASN.1 form on the OpenSSL side) -----------------------------------------


def encrypt(key: NativeKey, plaintext: bytes) -> bytes:
    """SM2 public-key encryption with SM3; returns the GM/T 0009 ``SEQUENCE{x, y, C3, C2}`` DER."""
    lib = _lib()
    ctx = lib.EVP_PKEY_CTX_new(key.pointer, None)
    if not ctx:
        raise MemoryError(f"EVP_PKEY_CTX_new failed: {_openssl_error(lib)}")
    try:
        if lib.EVP_PKEY_encrypt_init(ctx) != 1:
            raise KeyFormatError(f"cannot encrypt to this key: {_openssl_error(lib)}")
        size = _SIZE(0)
        if lib.EVP_PKEY_encrypt(ctx, None, ctypes.byref(size), plaintext, len(plaintext)) != 1:
            raise ValueError(f"SM2 encryption failed: {_openssl_error(lib)}")
        out = ctypes.create_string_buffer(size.value)
        if lib.EVP_PKEY_encrypt(ctx, out, ctypes.byref(size), plaintext, len(plaintext)) != 1:
            raise ValueError(f"SM2 encryption failed: {_openssl_error(lib)}")
        return out.raw[: size.value]
    finally:
        lib.EVP_PKEY_CTX_free(ctx)


def decrypt(key: NativeKey, ciphertext: bytes) -> bytes:
    """Decrypt GM/T 0009 ASN.1 SM2 ciphertext; OpenSSL checks C3. Raises DecryptionError."""
    lib = _lib()
    ctx = lib.EVP_PKEY_CTX_new(key.pointer, None)
    if not ctx:
        raise MemoryError(f"EVP_PKEY_CTX_new failed: {_openssl_error(lib)}")
    try:
        if lib.EVP_PKEY_decrypt_init(ctx) != 1:
            raise DecryptionError("cannot decrypt with this key")
        size = _SIZE(0)
        if lib.EVP_PKEY_decrypt(ctx, None, ctypes.byref(size), ciphertext, len(ciphertext)) != 1:
            lib.ERR_clear_error()
            raise DecryptionError("SM2 decryption failed")
        out = ctypes.create_string_buffer(max(size.value, 1))
        if lib.EVP_PKEY_decrypt(ctx, out, ctypes.byref(size), ciphertext, len(ciphertext)) != 1:
            lib.ERR_clear_error()
            raise DecryptionError("SM2 decryption failed")
        return out.raw[: size.value]
    finally:
        lib.EVP_PKEY_CTX_free(ctx)


# ---- SM3 ----------------------------------------------------------------------------------------------


def sm3_hasher() -> Hasher:
    try:
        return hashlib.new("sm3")
    except ValueError:
        raise BackendUnavailable("hashlib has no sm3 (CPython built without OpenSSL SM3)") from None


def sm3(data: bytes) -> bytes:
    hasher = sm3_hasher()
    hasher.update(data)
    return hasher.digest()


def pbkdf2(prf: str, password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    """PBKDF2 with HMAC-``prf`` (``"sha256"``, ``"sm3"``, ``"sha1"``...)."""
    try:
        return hashlib.pbkdf2_hmac(prf, password, salt, iterations, length)
    except ValueError:
        raise KeyFormatError(f"PBKDF2 with HMAC-{prf} is not available") from None


# ---- block ciphers ------------------------------------------------------------------------------------


def _check_lengths(key: bytes, iv: bytes, key_size: int, iv_name: str, iv_size: int) -> None:
    if len(key) != key_size:
        raise ValueError(f"key must be {key_size} bytes, got {len(key)}")
    if len(iv) != iv_size:
        raise ValueError(f"{iv_name} must be {iv_size} bytes, got {len(iv)}")


def _cbc_encrypt(algorithm: algorithms.SM4 | algorithms.AES, iv: bytes, plaintext: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithm, modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def _cbc_decrypt(algorithm: algorithms.SM4 | algorithms.AES, iv: bytes, ciphertext: bytes) -> bytes:
    if not ciphertext or len(ciphertext) % 16:
        raise DecryptionError("CBC ciphertext length is not a positive multiple of 16")
    decryptor = Cipher(algorithm, modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptionError("bad padding: wrong key or corrupted ciphertext") from None


def sm4_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    _check_lengths(key, iv, SM4_KEY_SIZE, "iv", SM4_BLOCK)
    return _cbc_encrypt(algorithms.SM4(key), iv, plaintext)


def sm4_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    _check_lengths(key, iv, SM4_KEY_SIZE, "iv", SM4_BLOCK)
    return _cbc_decrypt(algorithms.SM4(key), iv, ciphertext)


def sm4_cbc_encrypt_nopad(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Raw CBC over whole blocks, no padding (test vectors and benchmarks)."""
    _check_lengths(key, iv, SM4_KEY_SIZE, "iv", SM4_BLOCK)
    if len(data) % SM4_BLOCK:
        raise ValueError("data must be a multiple of 16 bytes")
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    if len(key) not in (16, 24, 32) or len(iv) != 16:
        raise KeyFormatError("bad AES key or IV length in the encrypted key")
    return _cbc_decrypt(algorithms.AES(key), iv, ciphertext)


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    if len(key) not in (16, 24, 32) or len(iv) != 16:
        raise ValueError("AES-CBC needs a 16/24/32-byte key and a 16-byte IV")
    return _cbc_encrypt(algorithms.AES(key), iv, plaintext)


def _check_gcm(key: bytes, nonce: bytes) -> None:
    if len(key) != SM4_KEY_SIZE:
        raise ValueError(f"key must be {SM4_KEY_SIZE} bytes, got {len(key)}")
    if not 8 <= len(nonce) <= 128:
        raise ValueError(f"GCM nonce must be 8 to 128 bytes (12 recommended), got {len(nonce)}")


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    _check_gcm(key, nonce)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return body + encryptor.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    _check_gcm(key, nonce)
    if len(data) < GCM_TAG_SIZE:
        raise DecryptionError("GCM data is shorter than its 16-byte tag")
    body, tag = data[:-GCM_TAG_SIZE], data[-GCM_TAG_SIZE:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise DecryptionError("GCM tag mismatch: wrong key, nonce, AAD or tampered data") from None
