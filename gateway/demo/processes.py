"""Child processes on 127.0.0.1 for the demo and the end-to-end tests: ``fiscalgw serve`` and the
``fiscalgw simulate`` parties, each in its own process group so that stopping the group also stops anything
it spawned, and every start waited for (health check or listening port) with a bounded timeout.

:class:`ProcessGroup` owns the children it starts and stops all of them in :meth:`ProcessGroup.stop_all`
(SIGTERM to each group, SIGKILL after a grace period), which callers put in a ``finally`` so that no child
outlives an error or a Ctrl-C. A failure to start is a :class:`ChildFailed` naming the child and quoting the
last line of its log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from gateway.errors import GatewayError

LOCALHOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_GRACE = 10.0


class ChildFailed(GatewayError):
    """A child process did not start (exited, or did not answer in time), or a port was busy."""


def fiscalgw(*args: str) -> list[str]:
    """The command line of ``fiscalgw ARGS…`` with this interpreter (works without the console script)."""
    return [sys.executable, "-m", "gateway", *args]


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = LOCALHOST) -> bool:
    """Can a server listen on ``host``:``port`` now? (``serve`` and the demo ask before they start anything.)
    The probe sets ``SO_REUSEADDR`` as uvicorn does, so a port only in TIME_WAIT counts as free."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def child_env(database_url: str | None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment, the database URL for the gateway's settings, and ``extra``."""
    env = {**os.environ, **(extra or {})}
    if database_url is not None:
        env["FISCALGW_DATABASE__URL"] = database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path | None
    _handle: IO[bytes] | None = None

    def last_line(self) -> str:
        """Why the child failed, from its log: the last line naming an error (a traceback's final
        exception, ``fiscalgw: error: …``), else the last line; ``""`` without a log."""
        if self.log is None or not self.log.exists():
            return ""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        errors = [line for line in lines if "Error" in line or "error:" in line]
        chosen = errors[-1] if errors else (lines[-1] if lines else "")
        return chosen[:300]

    def failure(self, what: str) -> ChildFailed:
        detail = self.last_line()
        return ChildFailed(f"{self.name} {what}" + (f": {detail}" if detail else ""))

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise self.failure(f"exited with code {self.process.returncode}")


@dataclass
class ProcessGroup:
    """The children of one demo or test; :meth:`stop_all` (in a ``finally``) stops every one of them."""

    log_dir: Path | None = None
    children: list[Child] = field(default_factory=list)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        stderr_pipe: bool = False,
    ) -> Child:
        """Start ``argv`` in a new session (its own process group), output to ``log_dir/name.log``."""
        log: Path | None = None
        handle: IO[bytes] | None = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = self.log_dir / f"{name.replace(' ', '-')}.log"
            handle = log.open("ab")
        try:
            process = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=handle if handle is not None else subprocess.DEVNULL,
                stderr=subprocess.PIPE if stderr_pipe else (handle or subprocess.DEVNULL),
                start_new_session=True,
            )
        except OSError as exc:
            if handle is not None:
                handle.close()
            raise ChildFailed(f"cannot start {name}: {exc.strerror}") from None
        child = Child(name, process, log, handle)
        self.children.append(child)
        return child

    def stop(self, child: Child, grace: float = STOP_GRACE) -> None:
        process = child.process
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=grace)
        else:  # the leader is gone; anything it left in its group goes too
            _signal_group(process, signal.SIGKILL)
        for stream in (process.stderr, child._handle):
            if stream is not None:
                stream.close()
        if child in self.children:
            self.children.remove(child)

    def stop_all(self, grace: float = STOP_GRACE) -> None:
        """Stop every child, newest first (the simulators before the gateway they talk to)."""
        for child in reversed(list(self.children)):
            self.stop(child, grace)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # start_new_session: the child leads its own group
    except (ProcessLookupError, PermissionError):
        pass


def wait_for_http(child: Child, url: str, timeout: float = START_TIMEOUT) -> None:
    """Until ``url`` answers 200; :class:`ChildFailed` if the child exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        child.check_alive()
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise child.failure(f"did not answer {url} within {timeout:.0f} s")


def wait_for_port(child: Child, port: int, timeout: float = START_TIMEOUT) -> None:
    """Until something accepts connections on 127.0.0.1:``port``; :class:`ChildFailed` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        child.check_alive()
        try:
            with socket.create_connection((LOCALHOST, port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.1)
    raise child.failure(f"did not listen on {LOCALHOST}:{port} within {timeout:.0f} s")


def upgrade_database(config_dir: Path, env: Mapping[str, str], timeout: float = 120.0) -> None:
    """``fiscalgw db upgrade --config DIR``; :class:`ChildFailed` with its last error line."""
    done = subprocess.run(
        fiscalgw("db", "upgrade", "--config", str(config_dir)),
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise ChildFailed(f"database upgrade failed: {lines[-1] if lines else done.returncode}")


def start_gateway(group: ProcessGroup, config_dir: Path, port: int, env: Mapping[str, str]) -> str:
    """``fiscalgw serve`` on 127.0.0.1:``port`` (its relay runs in-process); returns the base URL once
    ``/healthz`` answers."""
    if not port_is_free(port):
        raise ChildFailed(f"port {port} on {LOCALHOST} is busy (choose another with --port)")
    child = group.start("gateway", fiscalgw("serve", "--config", str(config_dir), "--port", str(port)), env)
    base = f"http://{LOCALHOST}:{port}"
    wait_for_http(child, f"{base}/healthz")
    return base


def simulator_argv(
    role: str, config_dir: Path, port: int, gateway: str, rules: Sequence[str] = (), party: str | None = None
) -> list[str]:
    argv = fiscalgw("simulate", role, "--config", str(config_dir), "--port", str(port), "--gateway", gateway)
    argv += [arg for rule in rules for arg in ("--rule", rule)]
    return argv + (["--party", party] if party else [])


def start_simulator(
    group: ProcessGroup,
    role: str,
    config_dir: Path,
    port: int,
    gateway: str,
    env: Mapping[str, str],
    *,
    rules: Sequence[str] = (),
    party: str | None = None,
    name: str | None = None,
) -> Child:
    """``fiscalgw simulate ROLE`` on 127.0.0.1:``port``, returned once it listens."""
    if not port_is_free(port):
        raise ChildFailed(f"port {port} on {LOCALHOST} is busy")
    child = group.start(
        name or f"simulated {role}", simulator_argv(role, config_dir, port, gateway, rules, party), env
    )
    wait_for_port(child, port)
    return child


@contextmanager
def simulator(
    role: str,
    config_dir: Path,
    port: int,
    gateway: str,
    database_url: str,
    *rules: str,
    party: str | None = None,
) -> Iterator[Child]:
    """One simulated party for the duration of a ``with`` block (the end-to-end tests)."""
    group = ProcessGroup()
    try:
        yield start_simulator(
            group, role, config_dir, port, gateway, child_env(database_url), rules=rules, party=party
        )
    finally:
        group.stop_all()
