"""Sessions for people: sign in with an ops or viewer token, a signed cookie, CSRF tokens on every form.

The session cookie is ``base64url(JSON) "." hex(HMAC-SHA256(secret, purpose ‖ "." ‖ payload))``: HttpOnly,
SameSite=Strict, ``Secure`` unless the gateway serves plain HTTP on loopback in dev mode
(:attr:`gateway.config.Settings.secure_cookies`). It carries the person's name and role, a random CSRF
token, the issue time, the first 16 hex digits of the person's token digest — so removing a person,
changing their role or rotating their token ends their sessions at the next request — and a random session
id. The session is good only while the database holds a row for that id (``web_sessions``, keyed by its
SM3): signing out deletes the row, so a copy of the cookie is refused by every process sharing the
database, not only by the browser that signed out. The bearer token itself is never stored in the cookie.

Before sign-in, the form's CSRF token is bound to a short-lived signed ``login`` cookie (double submit).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request

from gateway.config import Person, Settings
from gateway.services.text import storable_pairs
from signing import sm3_hex

SESSION_COOKIE = "fiscalgw_session"
LOGIN_COOKIE = "fiscalgw_login"
LOGIN_MAX_AGE = 15 * 60
MAX_FORM_BYTES = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


class CsrfFailed(Exception):
    """A form arrived without the CSRF token of the session (or of the sign-in page)."""


class NeedsSignIn(Exception):
    """No valid session."""


class NeedsOps(Exception):
    """The signed-in person is a viewer; the action needs the ops role."""


@dataclass(frozen=True)
class SignedIn:
    name: str
    role: str
    csrf: str

    @property
    def can_act(self) -> bool:
        return self.role == "ops"

    @property
    def actor(self) -> str:
        """The audit actor, as the API writes it (``ops:<name>``)."""
        return f"{self.role}:{self.name}"


class SessionCodec:
    """Signs and checks cookie payloads (one ``purpose`` per cookie, so one cannot stand in for another)."""

    def __init__(self, secret: bytes, max_age: int) -> None:
        if len(secret) < 32:
            raise ValueError("the session secret must be at least 32 bytes")
        self._secret = secret
        self.max_age = max_age

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionCodec:
        configured = settings.web.session_secret
        secret = (
            configured.get_secret_value().encode("utf-8")
            if configured is not None
            else secrets.token_bytes(32)
        )
        return cls(secret, settings.web.session_max_age_seconds)

    def _mac(self, purpose: str, payload: str) -> str:
        return hmac.new(self._secret, f"{purpose}.{payload}".encode("ascii"), sha256).hexdigest()

    def dumps(self, purpose: str, data: dict[str, Any]) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode("utf-8"))
        text = payload.decode("ascii").rstrip("=")
        return f"{text}.{self._mac(purpose, text)}"

    def loads(self, purpose: str, value: str | None, *, now: float, max_age: int) -> dict[str, Any] | None:
        """The payload, or ``None`` when absent, forged, malformed or older than ``max_age`` seconds."""
        if not value or value.count(".") != 1 or len(value) > 4096:
            return None
        text, mac = value.split(".")
        if not hmac.compare_digest(mac, self._mac(purpose, text)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("t"), int | float):
            return None
        if not 0 <= now - data["t"] <= max_age:
            return None
        return data


def fingerprint(person: Person) -> str:
    return person.token_sm3[:16]


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def session_digest(session_id: str) -> str:
    """What the server keeps of a session id (``web_sessions.id``): its hex SM3."""
    return sm3_hex(session_id.encode("utf-8"))


def session_value(codec: SessionCodec, person: Person, now: float, session_id: str) -> str:
    return codec.dumps(
        "session",
        {
            "n": person.name,
            "r": person.role,
            "f": fingerprint(person),
            "c": secrets.token_urlsafe(24),
            "s": session_id,
            "t": now,
        },
    )


def session_id_of(request: Request, codec: SessionCodec, now: float) -> str | None:
    """The session id of a validly signed, unexpired session cookie (whether or not it is still live)."""
    data = codec.loads("session", request.cookies.get(SESSION_COOKIE), now=now, max_age=codec.max_age)
    session_id = None if data is None else data.get("s")
    return session_id if isinstance(session_id, str) and session_id else None


def signed_in(
    request: Request,
    codec: SessionCodec,
    settings: Settings,
    now: float,
    is_live: Callable[[str], bool],
) -> SignedIn | None:
    """The person of the request's session cookie, if it is signed, unexpired, names a configured person
    with the same role and token, and ``is_live(session_digest(id))`` (the server still holds it)."""
    data = codec.loads("session", request.cookies.get(SESSION_COOKIE), now=now, max_age=codec.max_age)
    if data is None:
        return None
    session_id = data.get("s")
    if not isinstance(session_id, str) or not session_id:
        return None  # a cookie from before server-side sessions: sign in again
    for person in settings.people:
        if (
            person.name == data.get("n")
            and person.role == data.get("r")
            and hmac.compare_digest(fingerprint(person), str(data.get("f", "")))
        ):
            if not is_live(session_digest(session_id)):
                return None
            return SignedIn(person.name, person.role, str(data.get("c", "")))
    return None


def login_csrf(request: Request, codec: SessionCodec, now: float) -> str | None:
    data = codec.loads("login", request.cookies.get(LOGIN_COOKIE), now=now, max_age=LOGIN_MAX_AGE)
    return None if data is None else str(data.get("c", ""))


async def read_form(request: Request) -> dict[str, str]:
    """A URL-encoded form (the only kind the pages send); the last value of a repeated field wins."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        raise CsrfFailed("not a form submission")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise CsrfFailed("form too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CsrfFailed("form is not UTF-8") from None
    form = {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}
    storable_pairs(form.items(), "form field")  # no U+0000 / lone surrogate reaches a use case (invalid_text)
    return form


def check_csrf(expected: str | None, form: dict[str, str]) -> None:
    sent = form.get("csrf", "")
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfFailed("missing or wrong CSRF token")
