"""The session cookie: signed per purpose, expires, and ends when the person's token or role changes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from starlette.requests import Request

from gateway.config import Person, Settings, WebSection, load_settings
from gateway.store.database import Database
from gateway.web.auth import (
    SESSION_COOKIE,
    SessionCodec,
    fingerprint,
    session_digest,
    session_value,
    signed_in,
)
from signing import sm3_hex
from tests.web.conftest import csrf_of
from tests.web.live import cookie_value, page_with, serving, set_cookies, sign_in_over_http
from tests.web.seed import tokens

SECRET = b"s" * 32


def request_with(cookie: str) -> Request:
    return Request({"type": "http", "headers": [(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())]})


def test_a_payload_round_trips_only_for_its_purpose_and_age() -> None:
    codec = SessionCodec(SECRET, max_age=60)
    value = codec.dumps("session", {"n": "alice", "t": 1000})
    assert codec.loads("session", value, now=1030, max_age=60) == {"n": "alice", "t": 1000}
    assert codec.loads("login", value, now=1030, max_age=60) is None  # a login cookie is no session
    assert codec.loads("session", value, now=1061, max_age=60) is None  # expired
    assert codec.loads("session", value, now=999, max_age=60) is None  # from the future
    assert SessionCodec(b"t" * 32, max_age=60).loads("session", value, now=1030, max_age=60) is None
    for broken in ("", "no-dot", "a.b.c", value[:-1] + ("0" if value[-1] != "0" else "1"), "x" * 5000):
        assert codec.loads("session", broken, now=1030, max_age=60) is None


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        SessionCodec(b"short", max_age=60)
    with pytest.raises(ValidationError):
        WebSection(session_secret=SecretStr("short"))


def settings_with(demo_dir: Path, people: tuple[Person, ...]) -> Settings:
    settings = load_settings(demo_dir)
    return settings.model_copy(
        update={"people": people, "web": WebSection(session_secret=SecretStr("k" * 32))}
    )


def test_a_session_ends_when_the_token_rotates_or_the_role_changes(demo_dir: Path) -> None:
    alice = Person(name="alice", role="ops", token_sm3=sm3_hex(b"old-token"))
    settings = settings_with(demo_dir, (alice,))
    codec = SessionCodec.from_settings(settings)
    live = {session_digest("sid-1")}
    cookie = session_value(codec, alice, now=1000, session_id="sid-1")
    who = signed_in(request_with(cookie), codec, settings, 1010, live.__contains__)
    assert who is not None and (who.name, who.can_act, who.actor) == ("alice", True, "ops:alice")
    rotated = settings_with(demo_dir, (alice.model_copy(update={"token_sm3": sm3_hex(b"new-token")}),))
    assert signed_in(request_with(cookie), codec, rotated, 1010, live.__contains__) is None
    demoted = settings_with(demo_dir, (alice.model_copy(update={"role": "viewer"}),))
    assert signed_in(request_with(cookie), codec, demoted, 1010, live.__contains__) is None
    assert (
        signed_in(request_with(cookie), codec, settings_with(demo_dir, ()), 1010, live.__contains__) is None
    )


def test_a_session_the_server_no_longer_holds_is_refused(demo_dir: Path) -> None:
    alice = Person(name="alice", role="ops", token_sm3=sm3_hex(b"token"))
    settings = settings_with(demo_dir, (alice,))
    codec = SessionCodec.from_settings(settings)
    cookie = session_value(codec, alice, now=1000, session_id="sid-1")
    assert signed_in(request_with(cookie), codec, settings, 1010, lambda _digest: False) is None
    # A cookie signed before server-side sessions (no session id) is refused whatever the server holds.
    old = codec.dumps("session", {"n": "alice", "r": "ops", "f": fingerprint(alice), "c": "x", "t": 1000})
    assert signed_in(request_with(old), codec, settings, 1010, lambda _digest: True) is None


def test_without_a_configured_secret_each_process_draws_its_own(demo_dir: Path) -> None:
    settings = load_settings(demo_dir)
    assert settings.web.session_secret is None
    first, second = SessionCodec.from_settings(settings), SessionCodec.from_settings(settings)
    value = first.dumps("session", {"t": 1})
    assert first.loads("session", value, now=1, max_age=60) is not None
    assert second.loads("session", value, now=1, max_age=60) is None


# ---- over real HTTP: sign-out ends the session on the server (issue 13 item 11) -------------------------


@pytest.mark.e2e
def test_a_signed_out_cookie_is_refused_by_every_worker(demo_dir: Path, database_url: str) -> None:
    """Sign in, keep a copy of the cookie, sign out: the copy no longer opens a page — on SQLite (one
    process) and on PostgreSQL with two worker processes sharing nothing but the database."""
    env = {"FISCALGW_DATABASE__URL": database_url, "FISCALGW_WEB__SESSION_SECRET": "w" * 32}
    workers = ("--workers", "2") if database_url.startswith("postgresql") else ()
    with serving(demo_dir, *workers, env=env) as base:
        session = cookie_value(set_cookies(sign_in_over_http(base, tokens(demo_dir)["ops"]))[SESSION_COOKIE])
        for _ in range(4):  # several connections: with two workers both have answered at least once
            page = page_with(base, session)
            assert page.status_code == 200, page.text
        logout = httpx.post(
            f"{base}/ui/logout",
            data={"csrf": csrf_of(page.text)},
            headers={"Cookie": f"{SESSION_COOKIE}={session}"},
            timeout=10,
            follow_redirects=False,
        )
        assert logout.status_code == 303
        for _ in range(4):
            replayed = page_with(base, session)
            assert replayed.status_code == 303, "a signed-out session cookie still opens the pages"
            assert replayed.headers["location"].startswith("/ui/login")
        # Signing in again works; the audit log has the sign-in, the sign-out and the new sign-in.
        again = cookie_value(set_cookies(sign_in_over_http(base, tokens(demo_dir)["ops"]))[SESSION_COOKIE])
        assert page_with(base, again).status_code == 200
    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            actions = [(e.actor, e.action) for e in uow.audit.entries()]
    finally:
        database.dispose()
    assert actions == [("ops:demo-ops", a) for a in ("web.sign_in", "web.sign_out", "web.sign_in")]


@pytest.mark.e2e
def test_on_loopback_in_dev_mode_cookies_are_not_secure(demo_dir: Path) -> None:
    """The dev default over plain HTTP on 127.0.0.1 (a browser would drop a Secure cookie there)."""
    with serving(demo_dir, "--host", "127.0.0.1") as base:
        header = set_cookies(sign_in_over_http(base, tokens(demo_dir)["viewer"]))[SESSION_COOKIE]
    attributes = [part.strip().lower() for part in header.split(";")]
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert "secure" not in attributes
