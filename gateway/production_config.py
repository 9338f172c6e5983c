"""``fiscalgw init --production DIR``: the start of a production configuration.

Unlike the demo it issues no certificates (a real CA does that): it writes the gateway's new SM2 key
encrypted at rest (PBES2 PKCS#8: PBKDF2-HMAC-SHA256 + AES-256-CBC, readable by ``openssl pkey``), the
public key to hand to the CA, an empty revocation list and a ``fiscalgw.toml`` in production mode that
names the environment variable holding the key's password. The password itself is never written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import tomli_w

from gateway.config import CONFIG_FILE_NAME
from gateway.errors import ConfigError
from signing import SM2PrivateKey

MIN_PASSWORD_LENGTH = 12
KEY_FILE = "keys/fiscalgw.key.pem"
PUBLIC_KEY_FILE = "keys/fiscalgw.pub.pem"
CERTIFICATE_FILE = "certs/fiscalgw.crt.pem"
CA_FILE = "certs/ca.crt.pem"
REVOCATION_FILE = "revoked.txt"

_HEADER = """\
# fiscalgw production configuration written by `fiscalgw init --production`.
# Before `fiscalgw db upgrade` and `fiscalgw serve`:
#   1. have your CA certify keys/fiscalgw.pub.pem and save the certificate as certs/fiscalgw.crt.pem;
#   2. save the CA certificate(s) parties chain to as certs/ca.crt.pem;
#   3. set [database] url and add one [[parties]] entry per counterparty;
#   4. export the key's password in the environment variable named by gateway.key_password_env;
#   5. add one [[people]] entry (name, role ops | viewer, token_sm3) per person: the web pages need one to
#      sign in, and /metrics is served only with a viewer's or ops bearer token (api.metrics = "token");
#      give it tracking_divisions = ["330324000", …] (or ["*"]) to read 资金追踪 — none by default.
# The web pages' cookies are Secure (serve them over HTTPS); /docs and /openapi.json are off.
"""


def write_production(directory: Path, *, password: bytes, password_env: str, force: bool = False) -> Path:
    """Write the files; returns the configuration file's path. Raises :class:`ConfigError`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"the key password must be at least {MIN_PASSWORD_LENGTH} characters")
    config_path = directory / CONFIG_FILE_NAME
    if config_path.exists() and not force:
        raise ConfigError(f"{config_path} already exists (use --force to overwrite it)")
    key = SM2PrivateKey.generate()
    (directory / "keys").mkdir(parents=True, exist_ok=True)
    (directory / "certs").mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.to_pem(password))
    (directory / PUBLIC_KEY_FILE).write_bytes(key.public_key().to_pem())
    revocations = directory / REVOCATION_FILE
    if not revocations.exists():
        revocations.write_text(
            "# Revoked certificates, one per line: serial=HEX (as `openssl x509 -noout -serial` prints it)\n"
            "# or sm3:FINGERPRINT. Replace the file atomically; the gateway re-reads it when it changes.\n",
            encoding="utf-8",
        )
    config: dict[str, Any] = {
        "mode": "production",
        "gateway": {
            "id": "fiscalgw",
            "name": "fiscalgw gateway",
            "key": KEY_FILE,
            "key_password_env": password_env,
            "certificate": CERTIFICATE_FILE,
            "trust_roots": [CA_FILE],
            "revocation_list": REVOCATION_FILE,
        },
        "database": {"url": "postgresql+psycopg://fiscalgw@127.0.0.1:5432/fiscalgw"},
        "web": {"secure_cookies": True},
        "api": {"docs": "off", "metrics": "token"},
        "parties": [],
    }
    config_path.write_text(_HEADER + tomli_w.dumps(config), encoding="utf-8")
    return config_path
