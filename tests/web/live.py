"""The real server (``fiscalgw serve`` as a subprocess on 127.0.0.1) and a browser's sign-in over plain HTTP,
with the cookies handled by hand so each test sees exactly what ``Set-Cookie`` said."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import httpx

from gateway.web.auth import LOGIN_COOKIE, SESSION_COOKIE
from tests.conftest import free_port, wait_until_up
from tests.web.conftest import csrf_of


@contextmanager
def serving(config: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``fiscalgw serve --config CONFIG --port P ARGS…``; yields the base URL once ``/healthz`` answers."""
    port = free_port()
    command = [sys.executable, "-m", "gateway", "serve", "--config", str(config), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process, timeout=60)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """``Set-Cookie`` headers by cookie name (the whole header, attributes included)."""
    out: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        out[header.split("=", 1)[0].strip()] = header
    return out


def cookie_value(header: str) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(header)
    (morsel,) = cookie.values()
    return morsel.value


def sign_in_over_http(base: str, token: str) -> httpx.Response:
    """GET /ui/login, then POST the form with its CSRF token and login cookie; the answer is the 303."""
    page = httpx.get(f"{base}/ui/login", timeout=10)
    assert page.status_code == 200, page.text
    login = cookie_value(set_cookies(page)[LOGIN_COOKIE])
    answer = httpx.post(
        f"{base}/ui/login",
        data={"csrf": csrf_of(page.text), "token": token, "next": ""},
        headers={"Cookie": f"{LOGIN_COOKIE}={login}"},
        timeout=10,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert SESSION_COOKIE in set_cookies(answer), answer.headers
    return answer


def page_with(base: str, session: str, path: str = "/ui/dashboard") -> httpx.Response:
    """A fresh connection each time (with several workers, any of them may answer)."""
    with httpx.Client(timeout=10) as client:
        return client.get(f"{base}{path}", headers={"Cookie": f"{SESSION_COOKIE}={session}"})
