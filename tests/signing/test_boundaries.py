"""Module boundaries inside signing/: one native-backend module, gmssl never on the production path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.signing.peers import require_tool

ROOT = Path(__file__).resolve().parents[2]
SIGNING = ROOT / "signing"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules_importing(prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        path.name
        for path in SIGNING.rglob("*.py")
        if any(name == p or name.startswith(p + ".") for name in _imports(path) for p in prefixes)
    )


def test_only_the_backend_touches_ctypes_and_hazmat() -> None:
    assert _modules_importing(("ctypes", "cryptography")) == ["_backend.py"]


def test_only_the_reference_imports_gmssl_and_nothing_imports_the_reference() -> None:
    assert _modules_importing(("gmssl",)) == ["reference.py"]
    assert _modules_importing(("signing.reference",)) == []


def test_importing_signing_does_not_load_gmssl() -> None:
    code = "import signing, sys; signing.sm3(b''); print('gmssl' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_public_api_is_exported() -> None:
    import signing

    expected = {
        "DEFAULT_USER_ID", "sm3", "sm3_hex", "sm4_cbc_encrypt", "sm4_cbc_decrypt", "sm4_gcm_encrypt",
        "sm4_gcm_decrypt", "SM2PublicKey", "SM2PrivateKey", "load_private_key", "load_public_key",
        "SignatureProfile", "DEFAULT_PROFILE", "Certificate", "load_certificate", "load_certificates",
        "verify_certificate", "create_ca", "issue_certificate", "SigningError", "InvalidSignature",
        "KeyFormatError", "DecryptionError", "BackendUnavailable", "CertificateError", "CertificateExpired",
        "CertificateNotYetValid", "UntrustedCertificate",
    }  # fmt: skip
    assert expected <= set(signing.__all__)
    for name in signing.__all__:
        assert hasattr(signing, name), name
    for error in ("InvalidSignature", "KeyFormatError", "DecryptionError", "BackendUnavailable"):
        assert issubclass(getattr(signing, error), signing.SigningError)
    for error in ("CertificateExpired", "CertificateNotYetValid", "UntrustedCertificate"):
        assert issubclass(getattr(signing, error), signing.CertificateError)


def test_a_missing_interop_peer_fails_loudly_instead_of_skipping() -> None:
    with pytest.raises(pytest.fail.Exception, match="interop peer missing: `fiscalgw-no-such-peer`"):
        require_tool("fiscalgw-no-such-peer", "install it")
