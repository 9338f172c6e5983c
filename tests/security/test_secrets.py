"""Secrets (issue #7): keys never in a repr or a log line, private keys encrypted at rest outside dev mode,
and constant-time comparison wherever tokens or digests are compared."""

from __future__ import annotations

import ast
import base64
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.config import load_settings
from gateway.delivery.relay import Relay
from gateway.delivery.transport import HTTPTransport
from gateway.errors import ConfigError
from gateway.keyring import load_keyring
from signing import SM2PrivateKey, create_ca, issue_certificate, load_private_key
from tests.gateway.conftest import build_harness
from tests.gateway.peer import push_receiver
from tests.gateway.samples import NOW, indicator_document, indicator_row, signed_headers
from tests.security.helpers import CITY, COUNTY, PROVINCE, edit_config, post

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


# ---- keys never in reprs or logs ----------------------------------------------------------------------


def _secrets_of(config_dir: Path) -> list[str]:
    """Every private key of the demo, in the forms a leak would take: PEM lines, scalar hex and base64."""
    found: list[str] = []
    for path in sorted((config_dir / "keys").glob("*.key.pem")):
        pem = path.read_text(encoding="ascii")
        found += [line for line in pem.splitlines() if line and not line.startswith("-----")]
        scalar = load_private_key(pem.encode()).to_raw()
        found += [scalar.hex(), scalar.hex().upper(), base64.b64encode(scalar).decode()]
    assert len(found) > 20
    return found


def test_keys_never_appear_in_logs_or_reprs_during_ingest_and_delivery(
    demo_dir: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = _secrets_of(demo_dir)
    caplog.set_level(logging.DEBUG)
    with push_receiver() as city:

        def point(data: dict[str, Any]) -> None:
            for party in data["parties"]:
                if party["id"] == CITY:
                    party["push_url"] = f"http://127.0.0.1:{city.port}/v1/push"

        edit_config(demo_dir, point)
        h = build_harness(demo_dir, database_url)
        transport = HTTPTransport()
        try:
            body = indicator_document(
                indicator_row(PROVINCE, CITY, "3300002026KEY01", Decimal("10.00")),
                indicator_row(PROVINCE, COUNTY, "3300002026KEY02", Decimal("20.00")),
            )
            assert post(h, PROVINCE, body, "leak-1").status_code == 202
            assert post(h, PROVINCE, body, "leak-1").status_code == 202  # replayed
            assert post(h, PROVINCE, body, "leak-2", key_of=CITY).status_code == 401  # rejected, audited
            report = Relay(h.gateway, transport).run_once()
            assert city.received and report is not None
            pull = signed_headers(demo_dir, COUNTY, b"", "pull-1", NOW, path="/v1/inbox", method="GET")
            assert h.client.get("/v1/inbox", headers=pull).status_code == 200
            shown = " ".join(
                [caplog.text, repr(h.gateway), repr(h.gateway.keyring), repr(h.gateway.settings)]
                + [repr(keys) for keys in h.gateway.keyring.parties.values()]
            )
        finally:
            transport.close()
            h.client.close()
            h.gateway.close()
    assert caplog.records, "nothing was logged: the test would prove nothing"
    leaked = [secret[:12] for secret in secrets if secret in shown]
    assert not leaked, f"key material in logs or reprs: {leaked}"
    assert "PRIVATE KEY" not in shown


def test_the_key_password_is_not_in_the_settings_or_keyring(tmp_path: Path, monkeypatch: Any) -> None:
    directory = _production_dir(tmp_path, encrypted=True)
    monkeypatch.setenv("FISCALGW_KEY_PASSWORD", PASSWORD)
    settings = load_settings(directory)
    keyring = load_keyring(settings)
    for shown in (repr(settings), repr(keyring), str(settings.model_dump())):
        assert PASSWORD not in shown


# ---- private keys encrypted at rest outside dev mode ---------------------------------------------------


def _production_dir(tmp_path: Path, *, encrypted: bool) -> Path:
    """A production configuration under a (non-dev) CA; the gateway key encrypted or not."""
    directory = tmp_path / "prod"
    (directory / "keys").mkdir(parents=True)
    (directory / "certs").mkdir()
    now = NOW - timedelta(days=1)
    ca_key = SM2PrivateKey.generate()
    ca = create_ca(ca_key, "浙江省财政厅 root CA", organization="Zhejiang Finance PKI", now=now)
    (directory / "certs" / "ca.crt.pem").write_bytes(ca.to_pem())
    for name in ("fiscalgw", PROVINCE):
        key = SM2PrivateKey.generate()
        cert = issue_certificate(ca_key, ca, key.public_key(), name, now=now)
        pem = key.to_pem(PASSWORD.encode()) if encrypted and name == "fiscalgw" else key.to_pem()
        (directory / "keys" / f"{name}.key.pem").write_bytes(pem)
        (directory / "certs" / f"{name}.crt.pem").write_bytes(cert.to_pem())
    gateway = 'key = "keys/fiscalgw.key.pem"\ncertificate = "certs/fiscalgw.crt.pem"\n'
    gateway += 'trust_roots = ["certs/ca.crt.pem"]\n'
    if encrypted:
        gateway += 'key_password_env = "FISCALGW_KEY_PASSWORD"\n'
    (directory / "fiscalgw.toml").write_text(
        'mode = "production"\n[gateway]\n'
        + gateway
        + f'[[parties]]\nid = "{PROVINCE}"\nkind = "finance"\nname = "浙江省财政厅"\n'
        + f'certificate = "certs/{PROVINCE}.crt.pem"\n',
        encoding="utf-8",
    )
    return directory


def test_production_refuses_an_unencrypted_gateway_key(tmp_path: Path) -> None:
    settings = load_settings(_production_dir(tmp_path, encrypted=False))
    with pytest.raises(ConfigError, match="not encrypted") as info:
        load_keyring(settings)
    assert "openssl pkcs8 -topk8" in str(info.value) and "fiscalgw init --production" in str(info.value)
    # The same key is fine in dev mode (the demo), and an encrypted one is fine in production.
    load_keyring(settings.model_copy(update={"mode": "dev"}))


def test_production_loads_an_encrypted_key_with_its_password(tmp_path: Path, monkeypatch: Any) -> None:
    directory = _production_dir(tmp_path, encrypted=True)
    monkeypatch.delenv("FISCALGW_KEY_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="FISCALGW_KEY_PASSWORD, which is not set"):
        load_keyring(load_settings(directory))
    monkeypatch.setenv("FISCALGW_KEY_PASSWORD", "wrong password!")
    with pytest.raises(ConfigError):
        load_keyring(load_settings(directory))
    monkeypatch.setenv("FISCALGW_KEY_PASSWORD", PASSWORD)
    keyring = load_keyring(load_settings(directory))
    assert keyring.gateway_certificate.public_key == keyring.gateway_key.public_key()


def test_serve_refuses_an_unencrypted_key_in_one_line(tmp_path: Path) -> None:
    directory = _production_dir(tmp_path, encrypted=False)
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--config", str(directory), "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "not encrypted" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.interop
@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")
def test_the_documented_openssl_command_encrypts_a_key_the_gateway_reads(
    tmp_path: Path, monkeypatch: Any
) -> None:
    directory = _production_dir(tmp_path, encrypted=False)
    plain = directory / "keys" / "fiscalgw.key.pem"
    encrypted = directory / "keys" / "fiscalgw.enc.pem"
    subprocess.run(
        [
            *("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc"),
            *("-in", str(plain), "-out", str(encrypted), "-passout", "env:FISCALGW_KEY_PASSWORD"),
        ],
        env={**os.environ, "FISCALGW_KEY_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert b"ENCRYPTED PRIVATE KEY" in encrypted.read_bytes()
    text = (directory / "fiscalgw.toml").read_text(encoding="utf-8")
    text = text.replace('key = "keys/fiscalgw.key.pem"', 'key = "keys/fiscalgw.enc.pem"')
    text = text.replace("[gateway]\n", '[gateway]\nkey_password_env = "FISCALGW_KEY_PASSWORD"\n')
    (directory / "fiscalgw.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("FISCALGW_KEY_PASSWORD", PASSWORD)
    keyring = load_keyring(load_settings(directory))
    assert keyring.gateway_key.to_raw() == load_private_key(plain.read_bytes()).to_raw()


def _fiscalgw(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        cwd=cwd,
    )


def test_init_production_writes_an_encrypted_key_and_a_production_config(
    tmp_path: Path, monkeypatch: Any
) -> None:
    target = tmp_path / "prod"
    refused = _fiscalgw("init", "--production", str(target), env={"FISCALGW_KEY_PASSWORD": ""}, cwd=tmp_path)
    assert refused.returncode == 2 and "FISCALGW_KEY_PASSWORD" in refused.stderr
    assert "Traceback" not in refused.stderr and not target.exists()

    result = _fiscalgw(
        "init", "--production", str(target), env={"FISCALGW_KEY_PASSWORD": PASSWORD}, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    key_file = target / "keys" / "fiscalgw.key.pem"
    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key_file.stat().st_mode & 0o077 == 0
    assert PASSWORD not in (target / "fiscalgw.toml").read_text(encoding="utf-8") + result.stdout
    key = load_private_key(key_file.read_bytes(), PASSWORD.encode())

    # The operator's next steps: the CA certifies the public key; one party is added.
    now = NOW - timedelta(days=1)
    ca_key = SM2PrivateKey.generate()
    ca = create_ca(ca_key, "PKI root", organization="Zhejiang Finance PKI", now=now)
    public = load_private_key(key_file.read_bytes(), PASSWORD.encode()).public_key()
    assert (target / "keys" / "fiscalgw.pub.pem").read_bytes() == public.to_pem()
    (target / "certs" / "ca.crt.pem").write_bytes(ca.to_pem())
    (target / "certs" / "fiscalgw.crt.pem").write_bytes(
        issue_certificate(ca_key, ca, key.public_key(), "fiscalgw", now=now).to_pem()
    )
    settings = load_settings(target)
    assert settings.mode == "production"
    monkeypatch.delenv("FISCALGW_KEY_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="FISCALGW_KEY_PASSWORD"):
        load_keyring(settings)
    monkeypatch.setenv("FISCALGW_KEY_PASSWORD", PASSWORD)
    keyring = load_keyring(settings)
    assert keyring.gateway_key.public_key() == key.public_key()
    assert keyring.revocations.path == target / "revoked.txt"


# ---- constant-time comparison ---------------------------------------------------------------------------

_SECRETISH = re.compile(r"token|digest|hash|sm3|signature|mac|password|secret|fingerprint", re.IGNORECASE)


def _identifiers(node: ast.AST) -> list[str]:
    names: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.append(child.id)
        elif isinstance(child, ast.Attribute):
            names.append(child.attr)
    return [n for n in names if not n.isupper()]  # CONSTANTS such as an OID name are not secrets


def test_tokens_and_digests_are_compared_in_constant_time() -> None:
    """No ``==`` / ``!=`` between two values named like a token, digest, hash or signature in the shipped
    packages: those use ``hmac.compare_digest``."""
    offenders: list[str] = []
    for package in ("gateway", "signing", "adapters", "schemas"):
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.Compare):
                    continue
                if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                    continue
                operands = [node.left, *node.comparators]
                if any(isinstance(o, ast.Constant) for o in operands):
                    continue  # against a literal (None, "", a fixed code): nothing secret to time
                if any(_SECRETISH.search(name) for o in operands for name in _identifiers(o)):
                    offenders.append(
                        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.get_source_segment(source, node)}"
                    )
    assert not offenders, "\n".join(offenders)
