"""The session cookie: signed per purpose, expires, and ends when the person's token or role changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from starlette.requests import Request

from gateway.config import Person, Settings, WebSection, load_settings
from gateway.web.auth import SESSION_COOKIE, SessionCodec, session_value, signed_in
from signing import sm3_hex

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
    cookie = session_value(codec, alice, now=1000)
    who = signed_in(request_with(cookie), codec, settings, now=1010)
    assert who is not None and (who.name, who.can_act, who.actor) == ("alice", True, "ops:alice")
    rotated = settings_with(demo_dir, (alice.model_copy(update={"token_sm3": sm3_hex(b"new-token")}),))
    assert signed_in(request_with(cookie), codec, rotated, now=1010) is None
    demoted = settings_with(demo_dir, (alice.model_copy(update={"role": "viewer"}),))
    assert signed_in(request_with(cookie), codec, demoted, now=1010) is None
    assert signed_in(request_with(cookie), codec, settings_with(demo_dir, ()), now=1010) is None


def test_without_a_configured_secret_each_process_draws_its_own(demo_dir: Path) -> None:
    settings = load_settings(demo_dir)
    assert settings.web.session_secret is None
    first, second = SessionCodec.from_settings(settings), SessionCodec.from_settings(settings)
    value = first.dumps("session", {"t": 1})
    assert first.loads("session", value, now=1, max_age=60) is not None
    assert second.loads("session", value, now=1, max_age=60) is None
