"""
Exceptions raised by signing/.

* SigningError                   - base class for every error raised by signing/
  + InvalidSignature             - verification failed (deliberately reason-free)
  + KeyFormatError               - key bytes could not be read (one clear line says why)
  + DecryptionError              - SM2/SM4 decryption failed: wrong key, tampered data or bad padding
  + BackendUnavailable           - libcrypto is missing or lacks SM2/SM3/SM4
  + CertificateError             - a certificate could not be parsed, or does not chain
    + CertificateExpired         - ``at`` is after a certificate's notAfter
    + CertificateNotYetValid     - ``at`` is before a certificate's notBefore
    + UntrustedCertificate       - no valid path to one of the configured roots
"""

from __future__ import annotations


class SigningError(Exception):
    """Base class for every error raised by signing/."""


class InvalidSignature(SigningError):
    """The signature does not verify. Carries no reason on purpose (nothing to leak to a forger)."""


class KeyFormatError(SigningError):
    """Key material that cannot be read as an SM2 key; the message names the problem in one line."""


class DecryptionError(SigningError):
    """Decryption failed: the key, the ciphertext, the tag or the padding is wrong."""


class BackendUnavailable(SigningError):
    """The native backend (system OpenSSL 3 libcrypto) is missing or built without SM2/SM3/SM4."""


class CertificateError(SigningError):
    """A certificate cannot be parsed or does not verify."""


class CertificateExpired(CertificateError):
    """A certificate in the chain is past its notAfter at the checked instant."""


class CertificateNotYetValid(CertificateError):
    """A certificate in the chain is before its notBefore at the checked instant."""


class UntrustedCertificate(CertificateError):
    """No chain of valid SM2-with-SM3 signatures leads from the certificate to a configured root."""
