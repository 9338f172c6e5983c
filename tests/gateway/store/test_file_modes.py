"""A SQLite database the gateway creates is readable by its owner only (0600), with its WAL and shared-memory
files, whatever the umask (issue 13). PostgreSQL keeps its files itself."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.store.engine import make_engine
from gateway.store.schema import upgrade


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_a_new_sqlite_database_and_its_wal_files_are_0600(tmp_path: Path) -> None:
    database = tmp_path / "gateway.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        upgrade(engine)
        with engine.connect() as connection:  # an open connection in WAL mode: -wal and -shm exist
            connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()
            files = [database, tmp_path / "gateway.db-wal", tmp_path / "gateway.db-shm"]
            assert all(f.exists() for f in files), [f.name for f in files if not f.exists()]
            assert {f.name: oct(_mode(f)) for f in files} == dict.fromkeys((f.name for f in files), "0o600")
    finally:
        engine.dispose()


@pytest.mark.usefixtures("permissive_umask")
def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    """The gateway does not change the mode of a file it did not create (the operator may have chosen it);
    it warns instead (see the engine's docstring)."""
    database = tmp_path / "shared.db"
    database.touch(mode=0o640)
    os.chmod(database, 0o640)
    engine = make_engine(f"sqlite:///{database}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    assert _mode(database) == 0o640
