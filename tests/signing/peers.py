"""The external interop peers: the OpenSSL 3 CLI and BouncyCastle (javac/java + bcprov.jar).

A missing peer FAILS the test with a clear message; it never skips (the issue's rule).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

JAVA_SOURCE = Path(__file__).parent / "java" / "SM2Interop.java"
BCPROV = Path("/usr/share/java/bcprov.jar")


def require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"interop peer missing: `{name}` is not on PATH ({hint})", pytrace=False)
    return path


def openssl(
    *args: str, input_bytes: bytes | None = None, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """Run the OpenSSL CLI; a non-zero exit fails the test with its stderr when ``check``."""
    binary = require_tool("openssl", "apt-get install openssl")
    result = subprocess.run([binary, *args], input=input_bytes, capture_output=True, timeout=60, check=False)
    if check and result.returncode != 0:
        pytest.fail(
            f"openssl {' '.join(args)} failed: {result.stderr.decode(errors='replace')}", pytrace=False
        )
    return result


@dataclass(frozen=True)
class BouncyCastle:
    """The compiled SM2Interop program; :meth:`run` batches many commands into one JVM start."""

    classes: Path
    java: str

    def run(self, commands: list[str]) -> list[str]:
        result = subprocess.run(
            [self.java, "-cp", f"{self.classes}:{BCPROV}", "SM2Interop"],
            input="\n".join(commands).encode("ascii"),
            capture_output=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"BouncyCastle peer failed: {result.stderr.decode(errors='replace')}", pytrace=False)
        lines = result.stdout.decode("ascii").splitlines()
        assert len(lines) == len(commands), "the BouncyCastle peer answered a different number of lines"
        return lines


def compile_bouncycastle(target: Path) -> BouncyCastle:
    javac = require_tool("javac", "apt-get install default-jdk-headless")
    java = require_tool("java", "apt-get install default-jre-headless")
    if not BCPROV.is_file():
        pytest.fail(f"interop peer missing: {BCPROV} (apt-get install -y libbcprov-java)", pytrace=False)
    result = subprocess.run(
        [javac, "-cp", str(BCPROV), "-d", str(target), str(JAVA_SOURCE)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"javac SM2Interop.java failed: {result.stderr.decode(errors='replace')}", pytrace=False)
    return BouncyCastle(target, java)
