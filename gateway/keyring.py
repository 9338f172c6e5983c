"""Key material from the configuration: the gateway's own SM2 key and certificate, the trust roots, and each
party's certificate (or bare public key) with its signature profile. Loaded once at start-up.

A certificate issued by the ``fiscalgw init`` dev CA marks a dev key: outside dev mode the gateway refuses
to start with one (:class:`gateway.errors.DevKeyRefused`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gateway.config import Settings
from gateway.errors import ConfigError, DevKeyRefused
from gateway.parties import Party, SignatureProfileConfig
from signing import (
    Certificate,
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

DEV_CA_ORGANIZATION = "fiscalgw dev CA"
"""The organisation ``fiscalgw init`` writes into its CA; certificates under it are dev certificates."""


def signature_profile(config: SignatureProfileConfig) -> SignatureProfile:
    return SignatureProfile(
        user_id=config.user_id.encode("ascii"), sig_format=config.sig_format, encoding=config.encoding
    )


@dataclass(frozen=True)
class PartyKeys:
    """How to check a party's signatures."""

    party: Party
    public_key: SM2PublicKey
    certificate: Certificate | None
    profile: SignatureProfile


@dataclass(frozen=True)
class Keyring:
    gateway_key: SM2PrivateKey
    gateway_certificate: Certificate
    gateway_profile: SignatureProfile
    trust_roots: tuple[Certificate, ...]
    parties: dict[str, PartyKeys]

    def party(self, party_id: str) -> PartyKeys | None:
        return self.parties.get(party_id)

    def check_certificate(self, keys: PartyKeys, at: datetime) -> None:
        """Raise a :class:`signing.CertificateError` unless the party's certificate is valid at ``at``
        (a bare public key has no certificate to check)."""
        if keys.certificate is not None:
            verify_certificate(keys.certificate, self.trust_roots, at=at)


def is_dev_certificate(certificate: Certificate) -> bool:
    return f"O={DEV_CA_ORGANIZATION}" in certificate.issuer.split(",")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path}: {exc.strerror or exc}") from None


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
    if settings.mode != "dev" and is_dev_certificate(certificate):
        raise DevKeyRefused(
            f"{cert_path} was issued by the `fiscalgw init` dev CA; refusing to run in {settings.mode} mode "
            '(set mode = "dev" for a demo, or configure a real key)'
        )
    roots: list[Certificate] = []
    for root in gw.trust_roots:
        path = settings.path(root)
        try:
            roots.extend(load_certificates(_read(path, "gateway.trust_roots")))
        except SigningError as exc:
            raise ConfigError(f"trust root {path}: {exc}") from None
    parties = {p.id: _party_keys(settings, p) for p in settings.parties}
    return Keyring(key, certificate, signature_profile(gw.signature), tuple(roots), parties)


def _party_keys(settings: Settings, party: Party) -> PartyKeys:
    profile = signature_profile(party.signature)
    try:
        if party.certificate is not None:
            path = settings.path(party.certificate)
            certificate = load_certificate(_read(path, f"party {party.id} certificate"))
            return PartyKeys(party, certificate.public_key, certificate, profile)
        assert party.public_key is not None
        text = party.public_key.strip()
        data = (
            _read(settings.path(text), f"party {party.id} public_key")
            if text.endswith(".pem")
            else text.encode()
        )
        return PartyKeys(party, load_public_key(data), None, profile)
    except SigningError as exc:
        raise ConfigError(f"party {party.id}: {exc}") from None
