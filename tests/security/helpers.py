"""Helpers for the security tests: row counts that prove nothing was stored, and configuration surgery
(extra parties, extra certificates) on a copy of the demo configuration."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import tomli_w

from gateway import audit
from gateway.store import tables
from signing import (
    Certificate,
    SM2PrivateKey,
    create_ca,
    issue_certificate,
    load_certificate,
    load_private_key,
)
from tests.gateway.conftest import Harness
from tests.gateway.samples import signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
BANK, PBC = "102333300018", "3303240000"
OTHER_BANK = "104333300027"
"""A second agency bank (中国银行, 代理银行编码 104) added by :func:`add_party` where a test needs it."""

STORED_TABLES = ("messages", "records", "trace_keys", "lifecycle_events", "routes", "outbox", "inbox_items")


def stored(h: Harness) -> dict[str, int]:
    """Row counts of every table an accepted message writes (the audit log aside)."""
    with h.gateway.database.engine.connect() as connection:
        return {
            name: int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(tables.metadata.tables[name])
                ).scalar_one()
            )
            for name in STORED_TABLES
        }


def audit_actions(h: Harness) -> list[str]:
    """The audit log's actions in order, after checking its chain."""
    with h.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        return [entry.action for entry in uow.audit.entries()]


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    return str(body["error"])


def post(h: Harness, sender: str, body: bytes, message_id: str, **kw: Any) -> httpx.Response:
    at = kw.pop("at", h.clock.now)
    headers = signed_headers(h.config_dir, sender, body, message_id, at, **kw)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    return response


def edit_config(config_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = config_dir / "fiscalgw.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def demo_ca(config_dir: Path) -> tuple[SM2PrivateKey, Certificate]:
    key = load_private_key((config_dir / "keys" / "ca.key.pem").read_bytes())
    return key, load_certificate((config_dir / "certs" / "ca.crt.pem").read_bytes())


def issue(
    config_dir: Path,
    name: str,
    *,
    now: datetime,
    key: SM2PrivateKey | None = None,
    ca: tuple[SM2PrivateKey, Certificate] | None = None,
    valid_days: int = 825,
) -> tuple[SM2PrivateKey, Certificate, str]:
    """A key and a certificate for it (by the demo CA unless ``ca``), written as ``keys/<name>.key.pem`` and
    ``certs/<name>.crt.pem``; returns the key, the certificate and the certificate's relative path."""
    key = key or SM2PrivateKey.generate()
    ca_key, ca_cert = ca or demo_ca(config_dir)
    cert = issue_certificate(ca_key, ca_cert, key.public_key(), name, now=now, valid_days=valid_days)
    (config_dir / "keys" / f"{name}.key.pem").write_bytes(key.to_pem())
    (config_dir / "certs" / f"{name}.crt.pem").write_bytes(cert.to_pem())
    return key, cert, f"certs/{name}.crt.pem"


def foreign_ca(now: datetime) -> tuple[SM2PrivateKey, Certificate]:
    """A CA the gateway does not trust."""
    key = SM2PrivateKey.generate()
    return key, create_ca(key, "somebody else's CA", organization="elsewhere", now=now)


def add_other_bank(config_dir: Path, now: datetime) -> None:
    """Register a second agency bank (行号 104333300027, 代理银行编码 104) with its own demo key."""
    _key, _cert, path = issue(config_dir, OTHER_BANK, now=now)

    def change(data: dict[str, Any]) -> None:
        data["parties"].append(
            {
                "id": OTHER_BANK,
                "kind": "bank",
                "name": "中国银行永嘉支行 (test)",
                "certificate": path,
                "wire_format": "evoucher",
                "bank_codes": ["104"],
            }
        )

    edit_config(config_dir, change)


def set_party_certificates(config_dir: Path, party_id: str, certificates: list[str]) -> None:
    def change(data: dict[str, Any]) -> None:
        for party in data["parties"]:
            if party["id"] == party_id:
                party["certificate"] = certificates

    edit_config(config_dir, change)
