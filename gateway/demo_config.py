"""``fiscalgw init DIR``: a working demo configuration with a dev CA and a key per party.

Writes ``DIR/fiscalgw.toml``, ``DIR/keys/<id>.key.pem`` (PKCS#8, readable by ``openssl pkey``, mode 0600),
``DIR/certs/<id>.crt.pem``, the CA (``DIR/certs/ca.crt.pem``, ``DIR/keys/ca.key.pem``) and two people's
bearer tokens (``DIR/tokens.txt``, mode 0600: ``ops …`` and ``viewer …``; the TOML keeps only their SM3).
Every certificate is issued by the dev CA (organisation ``fiscalgw dev CA``), so the gateway runs with them
only in dev mode.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from gateway.config import CONFIG_FILE_NAME
from gateway.errors import ConfigError
from gateway.keyring import DEV_CA_ORGANIZATION
from signing import SM2PrivateKey, create_ca, issue_certificate, sm3_hex

GATEWAY_ID = "fiscalgw"


@dataclass(frozen=True)
class DemoParty:
    id: str
    kind: str
    name: str
    wire_format: str
    push_port: int | None = None
    adm_div_code: str | None = None
    bank_codes: tuple[str, ...] = ()


DEMO_PARTIES: tuple[DemoParty, ...] = (
    DemoParty("330000000", "finance", "浙江省财政厅", "mof.json", adm_div_code="330000"),
    DemoParty("330300000", "finance", "温州市财政局", "mof.json", push_port=8101, adm_div_code="330300"),
    DemoParty("330324000", "finance", "永嘉县财政局", "mof.json", adm_div_code="330324"),
    DemoParty(
        "102333300018", "bank", "中国工商银行永嘉支行 (demo)", "evoucher", push_port=8102, bank_codes=("102",)
    ),
    DemoParty("3303240000", "pbc", "国家金库永嘉县支库 (demo)", "evoucher", push_port=8103),
)
"""Province, city (push), county (pull), one agency bank (12-digit 行号, 代理银行编码 102) and the PBOC
treasury (TreCode). The PBOC receives e-vouchers (2301/2302) here; a CFX-speaking treasury sets ``cfx``."""


def _write_key(path: Path, key: SM2PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.to_pem())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_demo(directory: Path, *, now: datetime, force: bool = False) -> Path:
    """Create the demo in ``directory``; returns the configuration file's path.

    Refuses (:class:`ConfigError`) to overwrite an existing configuration unless ``force``."""
    config_path = directory / CONFIG_FILE_NAME
    if config_path.exists() and not force:
        raise ConfigError(f"{config_path} already exists (use --force to overwrite the demo)")
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = SM2PrivateKey.generate()
    ca = create_ca(ca_key, "fiscalgw dev root CA", organization=DEV_CA_ORGANIZATION, now=now)
    _write_key(directory / "keys" / "ca.key.pem", ca_key)
    _write(directory / "certs" / "ca.crt.pem", ca.to_pem())

    def issue(party_id: str, name: str) -> None:
        key = SM2PrivateKey.generate()
        cert = issue_certificate(ca_key, ca, key.public_key(), party_id, organization=name, now=now)
        _write_key(directory / "keys" / f"{party_id}.key.pem", key)
        _write(directory / "certs" / f"{party_id}.crt.pem", cert.to_pem())

    issue(GATEWAY_ID, "fiscalgw gateway")
    parties: list[dict[str, Any]] = []
    for demo in DEMO_PARTIES:
        issue(demo.id, demo.name)
        entry: dict[str, Any] = {
            "id": demo.id,
            "kind": demo.kind,
            "name": demo.name,
            "certificate": f"certs/{demo.id}.crt.pem",
            "wire_format": demo.wire_format,
        }
        if demo.adm_div_code is not None:
            entry["adm_div_codes"] = {demo.id: demo.adm_div_code}
        if demo.kind == "finance":
            entry["also_accepts"] = ["evoucher"]  # 回单, refunds and clearing receipts as the bank sends them
        if demo.bank_codes:
            entry["bank_codes"] = list(demo.bank_codes)
        if demo.push_port is not None:
            entry["push_url"] = f"http://127.0.0.1:{demo.push_port}/v1/push"
        parties.append(entry)
    config: dict[str, Any] = {
        "mode": "dev",
        "gateway": {
            "id": GATEWAY_ID,
            "name": "fiscalgw demo gateway",
            "key": f"keys/{GATEWAY_ID}.key.pem",
            "certificate": f"certs/{GATEWAY_ID}.crt.pem",
            "trust_roots": ["certs/ca.crt.pem"],
        },
        "database": {"url": "sqlite:///fiscalgw.db"},
        "ingest": {"timestamp_window_seconds": 300},
        "delivery": {"max_attempts": 8, "backoff_base_seconds": 2.0, "backoff_cap_seconds": 600.0},
        "parties": parties,
    }
    tokens = {"ops": secrets.token_urlsafe(24), "viewer": secrets.token_urlsafe(24)}
    config["people"] = [
        {
            "name": f"demo-{role}",
            "role": role,
            "token_sm3": sm3_hex(token.encode("utf-8")),
            "tracking_divisions": ["*"],  # 资金追踪: the demo's people read every division
        }
        for role, token in tokens.items()
    ]
    token_file = directory / "tokens.txt"
    descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(f"{role} {token}\n" for role, token in tokens.items())
    header = "# fiscalgw demo configuration written by `fiscalgw init` — dev keys, dev mode only.\n"
    config_path.write_text(header + tomli_w.dumps(config), encoding="utf-8")
    return config_path
