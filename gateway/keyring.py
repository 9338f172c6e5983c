"""Key material from the configuration: the gateway's own SM2 key and certificate, the trust roots, each
party's certificates (or bare public keys) with its signature profile, and the revocation list. Loaded once
at start-up; the revocation list is re-read whenever its file changes.

* A certificate issued by the ``fiscalgw init`` dev CA marks a dev key: outside dev mode the gateway refuses
  to start with one (:class:`gateway.errors.DevKeyRefused`), and it refuses an unencrypted private key too.
* Rotation: a party may list several certificates (or keys); a request is accepted when its signature
  verifies with any of them that is valid now and not revoked. The gateway's own next (or previous)
  certificates are listed in ``gateway.announced_certificates`` so receivers can accept both during a
  changeover (:meth:`Keyring.verify_gateway`).
* Revocation: :class:`RevocationList` — certificate serials and SM3 fingerprints, checked on every request
  (never cached), so a revoked certificate is refused from the first request after the file changes.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gateway.config import Settings
from gateway.errors import ConfigError, DevKeyRefused
from gateway.parties import Party, SignatureProfileConfig
from signing import (
    Certificate,
    CertificateError,
    InvalidSignature,
    SignatureProfile,
    SM2PrivateKey,
    SM2PublicKey,
    load_certificate,
    load_certificates,
    load_private_key,
    load_public_key,
    verify_certificate,
)
from signing.errors import SigningError

log = logging.getLogger(__name__)

DEV_CA_ORGANIZATION = "fiscalgw dev CA"
"""The organisation ``fiscalgw init`` writes into its CA; certificates under it are dev certificates."""

ENCRYPT_KEY_HINT = (
    "encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY.pem -out KEY.enc.pem` (or write a new "
    "one with `fiscalgw init --production DIR`) and name the password's environment variable in "
    "gateway.key_password_env"
)


class CertificateRevoked(CertificateError):
    """The certificate (or bare public key) is on the configured revocation list."""


def signature_profile(config: SignatureProfileConfig) -> SignatureProfile:
    return SignatureProfile(
        user_id=config.user_id.encode("ascii"), sig_format=config.sig_format, encoding=config.encoding
    )


@dataclass(frozen=True)
class Credential:
    """One key a party may sign with: a certificate's key, or a bare public key."""

    public_key: SM2PublicKey
    certificate: Certificate | None
    source: str
    """Where it came from (a path, or ``public_key[i]``), for error messages."""

    def describe(self) -> str:
        if self.certificate is not None:
            return f"certificate serial {self.certificate.serial_number:X} ({self.source})"
        return f"public key {self.public_key.fingerprint()[:16]} ({self.source})"


@dataclass(frozen=True)
class PartyKeys:
    """How to check a party's signatures: every configured credential (two or more during a changeover)."""

    party: Party
    credentials: tuple[Credential, ...]
    profile: SignatureProfile

    @property
    def public_key(self) -> SM2PublicKey:
        """The first configured key (callers that must accept any key use :meth:`Keyring.verify`)."""
        return self.credentials[0].public_key

    @property
    def certificate(self) -> Certificate | None:
        return self.credentials[0].certificate


# ---- revocation ---------------------------------------------------------------------------------------

_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass(frozen=True)
class Revoked:
    serials: frozenset[int] = frozenset()
    fingerprints: frozenset[str] = frozenset()
    """Lowercase hex SM3: of a certificate's DER, or of a bare public key (``SM2PublicKey.fingerprint``)."""


def parse_revocation_list(text: str, where: str = "revocation list") -> Revoked:
    """One entry per line, ``#`` starts a comment:

    * ``serial=1A2B…`` / ``serial:1A2B…`` or bare hex shorter than 64 digits: a certificate serial in hex,
      as ``openssl x509 -noout -serial`` prints it (colons allowed);
    * ``sm3:…`` or bare 64 hex digits: the SM3 fingerprint of a certificate or of a bare public key.
    """
    serials: set[int] = set()
    fingerprints: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().lower()
        if not line:
            continue
        kind = None
        for prefix, name in (("serial=", "serial"), ("serial:", "serial"), ("sm3:", "sm3")):
            if line.startswith(prefix):
                kind, line = name, line[len(prefix) :].strip()
                break
        value = line.replace(":", "")
        if not value or not _HEX.match(value):
            raise ConfigError(f"{where} line {number}: expected a hex serial or an SM3 fingerprint")
        if kind is None:
            kind = "sm3" if len(value) == 64 else "serial"
        if kind == "sm3":
            if len(value) != 64:
                raise ConfigError(f"{where} line {number}: an SM3 fingerprint has 64 hex digits")
            fingerprints.add(value)
        else:
            serials.add(int(value, 16))
    return Revoked(frozenset(serials), frozenset(fingerprints))


class RevocationList:
    """The configured revocation file, re-read when its modification time, size or inode changes.

    A file that cannot be read or parsed at start-up is a :class:`ConfigError`. Later, a broken rewrite
    keeps the last good list (and logs an error) rather than silently forgetting revocations."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._revoked = Revoked()
        self.generation = 0
        """Increases on every reload; a cache of verification results must be keyed on it."""
        if path is not None:
            stamp = self._stat()
            if stamp is None:
                raise ConfigError(f"gateway.revocation_list: cannot read {path}")
            self._load(stamp, strict=True)

    @classmethod
    def empty(cls) -> RevocationList:
        return cls(None)

    def _stat(self) -> tuple[int, int, int] | None:
        assert self.path is not None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self, stamp: tuple[int, int, int], *, strict: bool) -> None:
        assert self.path is not None
        try:
            revoked = parse_revocation_list(self.path.read_text(encoding="utf-8"), str(self.path))
        except (OSError, UnicodeDecodeError, ConfigError) as exc:
            if strict:
                raise ConfigError(f"gateway.revocation_list: {exc}") from None
            log.error("revocation list %s not reloaded, keeping the previous one: %s", self.path, exc)
            self._stamp = stamp
            return
        self._revoked, self._stamp = revoked, stamp
        self.generation += 1
        log.info(
            "revocation list %s loaded: %d serials, %d fingerprints",
            self.path,
            len(revoked.serials),
            len(revoked.fingerprints),
        )

    def current(self) -> Revoked:
        """The list as it is in the file now (one ``stat`` per call)."""
        if self.path is None:
            return self._revoked
        stamp = self._stat()
        if stamp is not None and stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._load(stamp, strict=False)
        elif stamp is None and self._stamp is not None:
            log.error("revocation list %s disappeared; keeping the previous one", self.path)
        return self._revoked

    def check(self, credential: Credential) -> None:
        """Raise :class:`CertificateRevoked` if the credential is on the list."""
        revoked = self.current()
        cert = credential.certificate
        if cert is not None and (
            cert.serial_number in revoked.serials or cert.fingerprint() in revoked.fingerprints
        ):
            raise CertificateRevoked(f"{credential.describe()} is revoked")
        if credential.public_key.fingerprint() in revoked.fingerprints:
            raise CertificateRevoked(f"{credential.describe()} is revoked")


# ---- the keyring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyring:
    gateway_key: SM2PrivateKey
    gateway_certificate: Certificate
    gateway_profile: SignatureProfile
    trust_roots: tuple[Certificate, ...]
    parties: dict[str, PartyKeys]
    gateway_announced: tuple[Certificate, ...] = ()
    """The gateway's other certificates a receiver should accept: the next one before a switch, the
    previous one after it."""
    revocations: RevocationList = field(default_factory=RevocationList.empty, repr=False)
    _chain_ok: dict[bytes, tuple[datetime, datetime]] = field(default_factory=dict, repr=False, compare=False)
    """Certificate DER → the window in which its chain to a trust root has been verified. Revocation is
    never part of this cache: it is checked on every call."""

    def party(self, party_id: str) -> PartyKeys | None:
        return self.parties.get(party_id)

    @property
    def gateway_certificates(self) -> tuple[Certificate, ...]:
        """The gateway's current certificate first, then the announced ones."""
        return (self.gateway_certificate, *self.gateway_announced)

    def _check_chain(self, cert: Certificate, at: datetime) -> None:
        window = self._chain_ok.get(cert.der)
        if window is not None and window[0] <= at <= window[1]:
            return
        verify_certificate(cert, self.trust_roots, at=at)
        issuers = [r for r in self.trust_roots if r.subject_der == cert.issuer_der or r.der == cert.der]
        start = max([cert.not_before, *(r.not_before for r in issuers)])
        end = min([cert.not_after, *(r.not_after for r in issuers)])
        self._chain_ok[cert.der] = (start, end)

    def check_credential(self, credential: Credential, at: datetime) -> None:
        """Raise a :class:`signing.CertificateError` unless the credential may be used at ``at``: not
        revoked and (for a certificate) valid then and chained to a trust root."""
        self.revocations.check(credential)
        if credential.certificate is not None:
            self._check_chain(credential.certificate, at)

    def usable_keys(self, keys: PartyKeys, at: datetime) -> tuple[SM2PublicKey, ...]:
        """The party's keys usable at ``at``; raises the reason when there is none."""
        usable: list[SM2PublicKey] = []
        problems: list[CertificateError] = []
        for credential in keys.credentials:
            try:
                self.check_credential(credential, at)
            except CertificateError as exc:
                problems.append(exc)
            else:
                usable.append(credential.public_key)
        if usable:
            return tuple(usable)
        if len(problems) == 1:
            raise problems[0]
        raise CertificateError("; ".join(str(p) for p in problems))

    def check_certificate(self, keys: PartyKeys, at: datetime) -> None:
        """Raise a :class:`signing.CertificateError` unless at least one of the party's credentials is
        usable at ``at``."""
        self.usable_keys(keys, at)

    def verify(self, keys: PartyKeys, at: datetime, data: bytes, signature: str) -> None:
        """Check ``signature`` over ``data`` against every usable key of the party.

        Raises :class:`signing.CertificateError` when no key is usable, :class:`signing.InvalidSignature`
        when none verifies."""
        for public_key in self.usable_keys(keys, at):
            try:
                keys.profile.verify(public_key, data, signature)
            except InvalidSignature:
                continue
            return
        raise InvalidSignature()

    def verify_gateway(self, data: bytes, signature: str) -> None:
        """For a receiver: accept a signature by the gateway's current or an announced certificate."""
        for certificate in self.gateway_certificates:
            try:
                self.gateway_profile.verify(certificate.public_key, data, signature)
            except InvalidSignature:
                continue
            return
        raise InvalidSignature()


def is_dev_certificate(certificate: Certificate) -> bool:
    return f"O={DEV_CA_ORGANIZATION}" in certificate.issuer.split(",")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path}: {exc.strerror or exc}") from None


def _refuse_dev(settings: Settings, certificates: Iterable[tuple[Path, Certificate]]) -> None:
    if settings.mode == "dev":
        return
    for path, certificate in certificates:
        if is_dev_certificate(certificate):
            raise DevKeyRefused(
                f"{path} was issued by the `fiscalgw init` dev CA; refusing to run in {settings.mode} mode "
                '(set mode = "dev" for a demo, or configure a real key)'
            )


def load_keyring(settings: Settings) -> Keyring:
    """Load and cross-check every key; raises :class:`ConfigError` naming the file at fault."""
    gw = settings.gateway
    password: bytes | None = None
    if gw.key_password_env:
        value = os.environ.get(gw.key_password_env)
        if value is None:
            raise ConfigError(f"gateway.key_password_env names {gw.key_password_env}, which is not set")
        password = value.encode("utf-8")
    key_path, cert_path = settings.path(gw.key), settings.path(gw.certificate)
    try:
        key = load_private_key(_read(key_path, "gateway.key"), password)
        certificate = load_certificate(_read(cert_path, "gateway.certificate"))
    except SigningError as exc:
        raise ConfigError(f"gateway key or certificate ({key_path}, {cert_path}): {exc}") from None
    if certificate.public_key != key.public_key():
        raise ConfigError(f"{cert_path} does not certify the key in {key_path}")
    announced: list[tuple[Path, Certificate]] = []
    for reference in gw.announced_certificates:
        path = settings.path(reference)
        try:
            announced.append((path, load_certificate(_read(path, "gateway.announced_certificates"))))
        except SigningError as exc:
            raise ConfigError(f"gateway.announced_certificates {path}: {exc}") from None
    _refuse_dev(settings, [(cert_path, certificate), *announced])
    if settings.mode != "dev" and password is None:
        raise ConfigError(
            f"gateway.key {key_path} is not encrypted; {settings.mode} mode refuses an unencrypted private "
            f"key: {ENCRYPT_KEY_HINT}"
        )
    roots: list[Certificate] = []
    for root in gw.trust_roots:
        path = settings.path(root)
        try:
            roots.extend(load_certificates(_read(path, "gateway.trust_roots")))
        except SigningError as exc:
            raise ConfigError(f"trust root {path}: {exc}") from None
    revocations = RevocationList(settings.path(gw.revocation_list) if gw.revocation_list else None)
    parties = {p.id: _party_keys(settings, p) for p in settings.parties}
    return Keyring(
        key,
        certificate,
        signature_profile(gw.signature),
        tuple(roots),
        parties,
        gateway_announced=tuple(c for _, c in announced),
        revocations=revocations,
    )


def _party_keys(settings: Settings, party: Party) -> PartyKeys:
    profile = signature_profile(party.signature)
    credentials: list[Credential] = []
    try:
        for reference in party.certificate:
            path = settings.path(reference)
            certificate = load_certificate(_read(path, f"party {party.id} certificate"))
            credentials.append(Credential(certificate.public_key, certificate, str(path)))
        for index, reference in enumerate(party.public_key):
            text = reference.strip()
            data = (
                _read(settings.path(text), f"party {party.id} public_key")
                if text.endswith(".pem")
                else text.encode()
            )
            credentials.append(Credential(load_public_key(data), None, f"public_key[{index}]"))
    except SigningError as exc:
        raise ConfigError(f"party {party.id}: {exc}") from None
    return PartyKeys(party, tuple(credentials), profile)
