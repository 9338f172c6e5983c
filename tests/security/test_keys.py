"""Key rotation and revocation (issue #7): two valid certificates per party during a changeover, a revocation
list re-read when its file changes (and never hidden by a cache), and the gateway's own key rotation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.config import load_settings
from gateway.errors import ConfigError
from gateway.keyring import load_keyring, parse_revocation_list
from gateway.wire_signature import signing_string
from signing import InvalidSignature, SM2PrivateKey, load_certificate, load_private_key
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.samples import NOW, indicator_document, indicator_row
from tests.security.helpers import (
    CITY,
    COUNTY,
    PROVINCE,
    edit_config,
    error_code,
    issue,
    post,
    set_party_certificates,
)

ISSUED = NOW - timedelta(days=1)
_serial = 0


def indicator() -> bytes:
    global _serial
    _serial += 1
    return indicator_document(indicator_row(PROVINCE, CITY, f"3300002026ROT{_serial:02d}", Decimal("1.00")))


def write_list(path: Path, text: str) -> None:
    """Replace the revocation file atomically, as the procedure in docs/threat-model.md says."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture
def rebuild(database_url: str) -> Iterator[Any]:
    """Build (or rebuild, after a configuration change) a harness on the test's database."""
    built: list[Harness] = []

    def make(config_dir: Path) -> Harness:
        h = build_harness(config_dir, database_url)
        built.append(h)
        return h

    yield make
    for h in built:
        h.client.close()
        h.gateway.close()


# ---- a party rotating its key ---------------------------------------------------------------------------


def test_two_certificates_are_both_accepted_during_a_changeover(demo_dir: Path, rebuild: Any) -> None:
    _key, _cert, new_path = issue(demo_dir, "province-2026", now=ISSUED)
    set_party_certificates(demo_dir, PROVINCE, [f"certs/{PROVINCE}.crt.pem", new_path])
    h = rebuild(demo_dir)
    assert post(h, PROVINCE, indicator(), "old-key").status_code == 202
    assert post(h, PROVINCE, indicator(), "new-key", key_of="province-2026").status_code == 202
    assert error_code(post(h, PROVINCE, indicator(), "city-key", key_of=CITY)) == "invalid_signature"

    # The changeover ends: the old certificate is removed from the registry; its key no longer works.
    set_party_certificates(demo_dir, PROVINCE, [new_path])
    h = rebuild(demo_dir)
    assert error_code(post(h, PROVINCE, indicator(), "old-again")) == "invalid_signature"
    assert post(h, PROVINCE, indicator(), "new-again", key_of="province-2026").status_code == 202


def test_an_expired_old_certificate_does_not_block_the_new_one(demo_dir: Path, rebuild: Any) -> None:
    _key, _cert, short_path = issue(demo_dir, "province-short", now=ISSUED, valid_days=2)
    _key, _cert, long_path = issue(demo_dir, "province-long", now=ISSUED, valid_days=400)
    set_party_certificates(demo_dir, PROVINCE, [short_path, long_path])
    h = rebuild(demo_dir)
    h.clock.now = NOW + timedelta(days=10)  # the short one has expired
    assert post(h, PROVINCE, indicator(), "long-ok", key_of="province-long").status_code == 202
    assert error_code(post(h, PROVINCE, indicator(), "short-no", key_of="province-short")) == (
        "invalid_signature"
    )
    h.clock.now = NOW + timedelta(days=500)  # both expired: the reason names each
    response = post(h, PROVINCE, indicator(), "both-gone", key_of="province-long")
    assert error_code(response) == "certificate_invalid"
    assert response.json()["detail"].count("expired") == 2


def test_registry_accepts_a_list_and_refuses_an_empty_or_repeated_entry(demo_dir: Path) -> None:
    set_party_certificates(demo_dir, PROVINCE, [f"certs/{PROVINCE}.crt.pem", f"certs/{PROVINCE}.crt.pem"])
    with pytest.raises(ConfigError, match="listed twice"):
        load_settings(demo_dir)
    set_party_certificates(demo_dir, PROVINCE, [])
    with pytest.raises(ConfigError, match="exactly one of certificate or public_key"):
        load_settings(demo_dir)


def test_bare_public_keys_rotate_too(demo_dir: Path, rebuild: Any) -> None:
    old = load_private_key((demo_dir / "keys" / f"{PROVINCE}.key.pem").read_bytes())
    new = SM2PrivateKey.generate()
    (demo_dir / "keys" / "province-bare.key.pem").write_bytes(new.to_pem())
    old_hex = old.public_key().to_raw().hex()

    def change(data: dict[str, Any]) -> None:
        for party in data["parties"]:
            if party["id"] == PROVINCE:
                del party["certificate"]
                party["public_key"] = [old_hex, new.public_key().to_raw().hex()]

    edit_config(demo_dir, change)
    h = rebuild(demo_dir)
    assert post(h, PROVINCE, indicator(), "bare-old").status_code == 202
    assert post(h, PROVINCE, indicator(), "bare-new", key_of="province-bare").status_code == 202
    assert error_code(post(h, PROVINCE, indicator(), "bare-city", key_of=CITY)) == "invalid_signature"


# ---- revocation -----------------------------------------------------------------------------------------


def _with_revocation_list(demo_dir: Path, text: str = "# nothing revoked yet\n") -> Path:
    path = demo_dir / "revoked.txt"
    write_list(path, text)

    def change(data: dict[str, Any]) -> None:
        data["gateway"]["revocation_list"] = "revoked.txt"

    edit_config(demo_dir, change)
    return path


def test_revoking_a_serial_takes_effect_on_the_next_request(demo_dir: Path, rebuild: Any) -> None:
    revoked = _with_revocation_list(demo_dir)
    h = rebuild(demo_dir)
    assert post(h, PROVINCE, indicator(), "before").status_code == 202  # certificate checks now warm

    cert = load_certificate((demo_dir / "certs" / f"{PROVINCE}.crt.pem").read_bytes())
    write_list(revoked, f"# key compromised 2026-03-02\nserial={cert.serial_number:X}\n")
    response = post(h, PROVINCE, indicator(), "after")
    assert response.status_code == 401
    assert error_code(response) == "certificate_invalid"
    assert "revoked" in response.json()["detail"]
    city_issues = indicator_document(indicator_row(CITY, COUNTY, "3303002026ROT99", Decimal("1.00")))
    assert post(h, CITY, city_issues, "others-fine").status_code == 202  # only that certificate is refused

    write_list(revoked, "")  # withdrawn by mistake: accepted again
    assert post(h, PROVINCE, indicator(), "restored").status_code == 202


def test_revoking_by_fingerprint_leaves_the_other_certificate_of_a_changeover(
    demo_dir: Path, rebuild: Any
) -> None:
    _key, _cert, new_path = issue(demo_dir, "province-next", now=ISSUED)
    set_party_certificates(demo_dir, PROVINCE, [f"certs/{PROVINCE}.crt.pem", new_path])
    old = load_certificate((demo_dir / "certs" / f"{PROVINCE}.crt.pem").read_bytes())
    _with_revocation_list(demo_dir, f"sm3:{old.fingerprint()}\n")
    h = rebuild(demo_dir)
    assert error_code(post(h, PROVINCE, indicator(), "old-revoked")) == "invalid_signature"
    assert post(h, PROVINCE, indicator(), "next-ok", key_of="province-next").status_code == 202


def test_a_revoked_bare_public_key(demo_dir: Path, rebuild: Any) -> None:
    key = load_private_key((demo_dir / "keys" / f"{PROVINCE}.key.pem").read_bytes())

    def change(data: dict[str, Any]) -> None:
        for party in data["parties"]:
            if party["id"] == PROVINCE:
                del party["certificate"]
                party["public_key"] = key.public_key().to_raw().hex()

    edit_config(demo_dir, change)
    _with_revocation_list(demo_dir, key.public_key().fingerprint() + "\n")
    h = rebuild(demo_dir)
    response = post(h, PROVINCE, indicator(), "bare-revoked")
    assert error_code(response) == "certificate_invalid"
    assert "public key" in response.json()["detail"] and "revoked" in response.json()["detail"]


def test_a_broken_revocation_list_is_refused_at_start_and_kept_on_reload(
    demo_dir: Path, rebuild: Any
) -> None:
    revoked = _with_revocation_list(demo_dir, "serial=not-hex\n")
    with pytest.raises(ConfigError, match="line 1"):
        load_keyring(load_settings(demo_dir))
    cert = load_certificate((demo_dir / "certs" / f"{PROVINCE}.crt.pem").read_bytes())
    write_list(revoked, f"{cert.serial_number:x}\n")
    h = rebuild(demo_dir)
    assert error_code(post(h, PROVINCE, indicator(), "r1")) == "certificate_invalid"
    write_list(revoked, "this line is garbage\n")  # a broken rewrite does not forget the revocation
    assert error_code(post(h, PROVINCE, indicator(), "r2")) == "certificate_invalid"


def test_revocation_list_format() -> None:
    fingerprint = "ab" * 32
    parsed = parse_revocation_list(
        f"serial=0A:1B  # comment\nSERIAL:ff\n1c\nsm3:{fingerprint.upper()}\n"
        f"{fingerprint}\n\n# only a comment\n"
    )
    assert parsed.serials == {0x0A1B, 0xFF, 0x1C}
    assert parsed.fingerprints == {fingerprint}
    with pytest.raises(ConfigError, match="64 hex"):
        parse_revocation_list("sm3:abcd\n")


# ---- the gateway's own key -------------------------------------------------------------------------------


def _verifies(keyring: Any, response: Any) -> bool:
    text = signing_string(
        str(response.status_code),
        "/v1/messages",
        response.headers["X-Sender"],
        response.headers["X-Message-Id"],
        response.headers["X-Timestamp"],
        response.content,
    )
    try:
        keyring.verify_gateway(text, response.headers["X-Signature"])
    except InvalidSignature:
        return False
    return True


def test_gateway_key_rotation_announce_then_switch(demo_dir: Path, rebuild: Any, tmp_path: Path) -> None:
    """1. announce the next certificate; 2. receivers that know both accept either; 3. switch; the old one
    stays announced until every receiver has the new one; 4. a receiver that never learnt it refuses."""
    old_only = load_keyring(load_settings(demo_dir))  # a receiver configured before the rotation
    _key, _cert, next_path = issue(demo_dir, "fiscalgw-next", now=ISSUED)

    def announce(data: dict[str, Any]) -> None:
        data["gateway"]["announced_certificates"] = [next_path]

    edit_config(demo_dir, announce)
    receiver = load_keyring(load_settings(demo_dir))  # a receiver that took the announcement
    assert [c.der for c in receiver.gateway_certificates] == [
        old_only.gateway_certificate.der,
        load_certificate((demo_dir / next_path).read_bytes()).der,
    ]
    h = rebuild(demo_dir)
    before = post(h, PROVINCE, indicator(), "gw-before")
    assert before.status_code == 202
    assert _verifies(receiver, before) and _verifies(old_only, before)

    def switch(data: dict[str, Any]) -> None:
        data["gateway"]["key"] = "keys/fiscalgw-next.key.pem"
        data["gateway"]["certificate"] = next_path
        data["gateway"]["announced_certificates"] = ["certs/fiscalgw.crt.pem"]

    edit_config(demo_dir, switch)
    h = rebuild(demo_dir)
    after = post(h, PROVINCE, indicator(), "gw-after")
    assert after.status_code == 202
    assert _verifies(receiver, after)  # knew both: no interruption
    assert not _verifies(old_only, after)  # never took the announcement: must update before the switch
    assert _verifies(h.gateway.keyring, after)


def test_gateway_certificates_endpoint_announces_the_next_key(demo_dir: Path, rebuild: Any) -> None:
    _key, next_cert, next_path = issue(demo_dir, "fiscalgw-next", now=ISSUED)

    def announce(data: dict[str, Any]) -> None:
        data["gateway"]["announced_certificates"] = [next_path]

    edit_config(demo_dir, announce)
    h = rebuild(demo_dir)
    response = h.client.get("/v1/gateway/certificates")
    assert response.status_code == 200
    listed = response.json()["certificates"]
    assert [(c["status"], c["fingerprint_sm3"]) for c in listed] == [
        ("current", h.gateway.keyring.gateway_certificate.fingerprint()),
        ("announced", next_cert.fingerprint()),
    ]
    assert load_certificate(listed[1]["pem"].encode()) == next_cert
    text = signing_string(
        "200",
        "/v1/gateway/certificates",
        response.headers["X-Sender"],
        response.headers["X-Message-Id"],
        response.headers["X-Timestamp"],
        response.content,
    )
    h.gateway.keyring.verify_gateway(text, response.headers["X-Signature"])
