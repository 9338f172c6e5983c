"""/healthz needs nothing; /readyz is 503 until the database is migrated to the newest revision."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from gateway.api.app import create_app
from gateway.bootstrap import build_gateway
from gateway.config import DatabaseSection, load_settings


def test_readyz_waits_for_migrations(demo_dir: Path, database_url: str) -> None:
    settings = load_settings(demo_dir)
    settings = settings.model_copy(update={"database": DatabaseSection(url=database_url)})
    gateway = build_gateway(settings)
    try:
        with TestClient(create_app(gateway)) as client:
            assert client.get("/healthz").json()["status"] == "ok"
            before = client.get("/readyz")
            assert before.status_code == 503
            assert "fiscalgw db upgrade" in before.json()["detail"]
            gateway.database.upgrade()
            after = client.get("/readyz")
            assert after.status_code == 200 and after.json()["status"] == "ready"
    finally:
        gateway.close()


def test_readyz_reports_an_unreachable_database(demo_dir: Path, tmp_path: Path) -> None:
    settings = load_settings(demo_dir)
    missing = f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}"
    gateway = build_gateway(settings.model_copy(update={"database": DatabaseSection(url=missing)}))
    try:
        with TestClient(create_app(gateway)) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert "unreachable" in response.json()["detail"]
    finally:
        gateway.close()
