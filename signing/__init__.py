"""SM2 / SM3 / SM4 national cryptography for the fiscal gateway.

A library: it imports nothing of the gateway's own packages, FastAPI or SQLAlchemy.

* SM3 (GB/T 32905): :func:`sm3`, :func:`sm3_hex`.
* SM4 (GB/T 32907): CBC with PKCS#7 padding and GCM (ciphertext‖tag).
* SM2 (GB/T 32918): :class:`SM2PrivateKey` / :class:`SM2PublicKey` sign and verify over SM3(Z‖M) with a
  configurable user ID (default ``1234567812345678``, GM/T 0009), encrypt and decrypt (GM/T 0009 ASN.1 or
  C1C3C2); :func:`load_private_key` / :func:`load_public_key` read what OpenSSL 3 and banks write.
* :class:`SignatureProfile`: a counterparty's convention (user ID, DER or raw r‖s, base64 or hex).
* Certificates: SM2-with-SM3 X.509 — parse, verify a chain to configured roots, issue a dev CA.

pyca style: ``verify`` raises :class:`InvalidSignature` and never returns a bool; key material never
appears in a repr. The arithmetic runs in the system OpenSSL 3 libcrypto (see docs/adr/0001); the only
module touching it is ``signing._backend``. ``signing.reference`` wraps the pure-Python ``gmssl`` as a
test oracle and is never used on a production path.
"""

from signing.certificates import (
    Certificate,
    create_ca,
    issue_certificate,
    load_certificate,
    load_certificates,
    verify_certificate,
)
from signing.errors import (
    BackendUnavailable,
    CertificateError,
    CertificateExpired,
    CertificateNotYetValid,
    DecryptionError,
    InvalidSignature,
    KeyFormatError,
    SigningError,
    UntrustedCertificate,
)
from signing.hashes import sm3, sm3_hex
from signing.keys import DEFAULT_USER_ID, SM2PrivateKey, SM2PublicKey, load_private_key, load_public_key
from signing.profiles import DEFAULT_PROFILE, SignatureProfile
from signing.symmetric import sm4_cbc_decrypt, sm4_cbc_encrypt, sm4_gcm_decrypt, sm4_gcm_encrypt

__all__ = [
    "DEFAULT_PROFILE",
    "DEFAULT_USER_ID",
    "BackendUnavailable",
    "Certificate",
    "CertificateError",
    "CertificateExpired",
    "CertificateNotYetValid",
    "DecryptionError",
    "InvalidSignature",
    "KeyFormatError",
    "SM2PrivateKey",
    "SM2PublicKey",
    "SignatureProfile",
    "SigningError",
    "UntrustedCertificate",
    "create_ca",
    "issue_certificate",
    "load_certificate",
    "load_certificates",
    "load_private_key",
    "load_public_key",
    "sm3",
    "sm3_hex",
    "sm4_cbc_decrypt",
    "sm4_cbc_encrypt",
    "sm4_gcm_decrypt",
    "sm4_gcm_encrypt",
    "verify_certificate",
]
