"""Settings from TOML with FISCALGW_* environment overrides; errors name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomli_w

from gateway.config import CONFIG_FILE_NAME, load_settings
from gateway.errors import ConfigError


def minimal(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": "dev",
        "gateway": {"key": "keys/gw.key.pem", "certificate": "certs/gw.crt.pem", "trust_roots": ["ca.pem"]},
        "parties": [
            {"id": "330300000", "kind": "finance", "name": "温州市财政局", "certificate": "certs/a.pem"},
        ],
    }
    data.update(extra)
    return data


def write(directory: Path, data: dict[str, Any]) -> Path:
    path = directory / CONFIG_FILE_NAME
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_file_values_and_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, minimal()))
    assert settings.mode == "dev"
    assert settings.ingest.timestamp_window_seconds == 300
    assert settings.delivery.max_attempts == 8
    assert settings.path("keys/gw.key.pem") == tmp_path.resolve() / "keys/gw.key.pem"
    assert settings.registry().get("330300000").name == "温州市财政局"


def test_a_directory_means_its_fiscalgw_toml(tmp_path: Path) -> None:
    write(tmp_path, minimal())
    assert load_settings(tmp_path).config_dir == tmp_path.resolve()


def test_relative_sqlite_database_lives_in_the_config_dir(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, minimal()))
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'fiscalgw.db'}"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, minimal(ingest={"timestamp_window_seconds": 60}))
    monkeypatch.setenv("FISCALGW_MODE", "production")
    monkeypatch.setenv("FISCALGW_DATABASE__URL", "postgresql+psycopg://u@127.0.0.1/db")
    monkeypatch.setenv("FISCALGW_INGEST__TIMESTAMP_WINDOW_SECONDS", "120")
    settings = load_settings(path)
    assert settings.mode == "production"
    assert settings.database_url == "postgresql+psycopg://u@127.0.0.1/db"
    assert settings.ingest.timestamp_window_seconds == 120
    assert settings.gateway.key == "keys/gw.key.pem"  # nested file values survive a nested override


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fiscalgw init"):
        load_settings(tmp_path / "nope.toml")


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_FILE_NAME
    path.write_text("mode = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fiscalgw\.toml: not valid TOML"):
        load_settings(path)


def test_invalid_field_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, minimal(delivery={"max_attempts": 0}))
    with pytest.raises(ConfigError, match=r"delivery\.max_attempts"):
        load_settings(path)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="timestamp_windw"):
        load_settings(write(tmp_path, minimal(ingest={"timestamp_windw": 5})))


def test_duplicate_party_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    data = minimal()
    data["parties"] = data["parties"] * 2
    with pytest.raises(ConfigError, match=r"fiscalgw\.toml: party id 330300000 is registered twice"):
        load_settings(write(tmp_path, data))


# ---- Secure cookies and the exposure of /docs and /metrics (issue 13 item 11) ---------------------------


@pytest.mark.parametrize(
    ("host", "secure"),
    [
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("::1", False),
        ("[::1]", False),
        ("localhost", False),
        ("0.0.0.0", True),
        ("::", True),
        ("10.20.30.40", True),
        ("gateway.example.cn", True),
    ],
)
def test_dev_cookies_are_secure_unless_served_on_loopback(tmp_path: Path, host: str, secure: bool) -> None:
    settings = load_settings(write(tmp_path, minimal()))
    assert settings.web.secure_cookies is None and settings.secure_cookies is False  # not served yet
    assert settings.for_bind_host(host).secure_cookies is secure


def test_an_explicit_secure_cookies_setting_wins_in_dev(tmp_path: Path) -> None:
    off = load_settings(write(tmp_path, minimal(web={"secure_cookies": False})))
    assert off.for_bind_host("0.0.0.0").secure_cookies is False
    on = load_settings(write(tmp_path, minimal(web={"secure_cookies": True})))
    assert on.for_bind_host("127.0.0.1").secure_cookies is True


def test_production_cookies_are_always_secure(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, minimal(mode="production")))
    assert settings.secure_cookies is True
    assert settings.for_bind_host("127.0.0.1").secure_cookies is True
    with pytest.raises(ConfigError, match="secure_cookies = false is refused in production"):
        load_settings(write(tmp_path, minimal(mode="production", web={"secure_cookies": False})))


def test_docs_and_metrics_follow_the_mode_unless_set(tmp_path: Path) -> None:
    dev = load_settings(write(tmp_path, minimal()))
    assert (dev.docs_exposure, dev.metrics_exposure) == ("open", "open")
    production = load_settings(write(tmp_path, minimal(mode="production")))
    assert (production.docs_exposure, production.metrics_exposure) == ("off", "token")
    chosen = load_settings(
        write(tmp_path, minimal(mode="production", api={"docs": "token", "metrics": "off"}))
    )
    assert (chosen.docs_exposure, chosen.metrics_exposure) == ("token", "off")
    with pytest.raises(ConfigError, match=r"api\.docs"):
        load_settings(write(tmp_path, minimal(api={"docs": "public"})))
