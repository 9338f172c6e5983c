"""Fixtures for signing/: the BouncyCastle peer, compiled once per session."""

from __future__ import annotations

import pytest

from tests.signing.peers import BouncyCastle, compile_bouncycastle


@pytest.fixture(scope="session")
def bouncycastle(tmp_path_factory: pytest.TempPathFactory) -> BouncyCastle:
    return compile_bouncycastle(tmp_path_factory.mktemp("bc-classes"))
