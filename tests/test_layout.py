"""The dependency rule (SPEC §2): schemas/, signing/ and adapters/ are libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "schemas": {
        "gateway",
        "signing",
        "adapters",
        "fastapi",
        "sqlalchemy",
        "apscheduler",
        "starlette",
    },
    "signing": {
        "gateway",
        "schemas",
        "adapters",
        "fastapi",
        "sqlalchemy",
        "apscheduler",
        "starlette",
    },
    "adapters": {
        "gateway",
        "signing",
        "fastapi",
        "sqlalchemy",
        "apscheduler",
        "starlette",
        "httpx",
    },
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_library_packages_do_not_import_the_application(package: str) -> None:
    offenders = []
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    for path in files:
        bad = _imported_roots(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_fastapi_is_imported_only_under_gateway_api() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "gateway").rglob("*.py"))
        if "fastapi" in _imported_roots(p) and "api" not in p.relative_to(ROOT).parts
    ]
    assert offenders == []


SERVICE_FORBIDDEN = {"gateway.store", "gateway.bootstrap", "sqlalchemy", "fastapi", "starlette", "httpx"}
SERVICE_ALLOWED = {
    # The intake transaction runs inside the group committer (gateway.store.group_commit: Discard, and the
    # SQLAlchemy unit of work's savepoints); ADR 0009.
}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_services_import_neither_the_store_nor_the_composition_root() -> None:
    files = sorted((ROOT / "gateway" / "services").rglob("*.py"))
    assert len(files) > 10
    offenders = []
    for path in files:
        if path.name in SERVICE_ALLOWED and path.parent.name == "services":
            continue
        bad = {
            m
            for m in _imported_modules(path)
            if any(m == f or m.startswith(f + ".") for f in SERVICE_FORBIDDEN)
        }
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []
