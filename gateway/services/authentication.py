"""Who is calling: the SPEC §7 signed headers, checked for every party request (ingest, inbox, status).

Order: headers present → known sender → timestamp an RFC 3339 date-time inside the window → certificate
valid now → signature over the one signing string (gateway/wire_signature.py, ADR 0006). Requests other than
ingest then spend their ``X-Message-Id`` as a nonce (:func:`authenticate_once`); ingest has its own
idempotency on the same header (the stored message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.keyring import PartyKeys
from gateway.services.errors import (
    BadRequest,
    CertificateInvalid,
    InvalidTimestamp,
    ReplayedRequest,
    SignatureRejected,
    StaleTimestamp,
    UnknownSender,
)
from gateway.services.ports import ServiceContext
from gateway.wire_signature import SigningStringError, parse_rfc3339, signing_string
from signing.errors import CertificateError, InvalidSignature

_MESSAGE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    sender: str | None
    message_id: str | None
    timestamp: str | None
    signature: str | None
    body: bytes
    query: str = ""
    """The raw query string (without ``?``); signed in canonical form."""
    original_sender: str | None = None
    wire_format: str | None = None
    """``X-Original-Sender`` / ``X-Wire-Format``: push headers, signed when present (absent: empty)."""


@dataclass(frozen=True)
class Caller:
    keys: PartyKeys
    message_id: str
    timestamp: str
    signature: str
    signed_at: datetime

    @property
    def party_id(self) -> str:
        return self.keys.party.id


def _require(value: str | None, header: str) -> str:
    if value is None or not value.strip():
        raise BadRequest(f"missing header {header}")
    return value


def _check_timestamp(text: str, now: datetime, window: int) -> datetime:
    try:
        stamp = parse_rfc3339(text)
    except ValueError as exc:
        raise InvalidTimestamp(f"X-Timestamp {text[:64]!r}: {exc}") from None
    skew = abs((now - stamp).total_seconds())
    if skew > window:
        raise StaleTimestamp(f"X-Timestamp is {int(skew)} s away from the gateway clock (window ±{window} s)")
    return stamp


def authenticate(gw: ServiceContext, request: SignedRequest, now: datetime) -> Caller:
    sender = _require(request.sender, "X-Sender")
    message_id = _require(request.message_id, "X-Message-Id")
    timestamp = _require(request.timestamp, "X-Timestamp")
    signature = _require(request.signature, "X-Signature")
    if not _MESSAGE_ID.match(message_id):
        raise BadRequest("X-Message-Id must be 1-128 printable ASCII characters without spaces")
    keys = gw.keyring.party(sender)
    if keys is None:
        raise UnknownSender(f"{sender!r} is not a registered party")
    signed_at = _check_timestamp(timestamp, now, gw.settings.ingest.timestamp_window_seconds)
    target = f"{request.path}?{request.query}" if request.query else request.path
    try:
        text = signing_string(
            request.method,
            target,
            sender,
            message_id,
            timestamp,
            request.body,
            original_sender=request.original_sender or "",
            wire_format=request.wire_format or "",
        )
    except SigningStringError:
        raise BadRequest("a signed header holds a line break") from None
    try:
        # Every configured key of the sender that is valid now and not revoked (two during a rotation);
        # revocation is checked on every call, so never cache this result across requests.
        gw.keyring.verify(keys, now, text, signature)
    except CertificateError as exc:
        raise CertificateInvalid(f"certificate of {sender}: {exc}") from None
    except InvalidSignature:
        raise SignatureRejected("X-Signature does not verify for this request") from None
    return Caller(keys, message_id, timestamp, signature, signed_at)


def authenticate_once(gw: ServiceContext, request: SignedRequest, now: datetime) -> Caller:
    """:func:`authenticate`, then spend ``X-Message-Id`` as a nonce: a second request of the same sender with
    the same id inside the timestamp window is :class:`ReplayedRequest` (409), whatever else it carries.
    Used nonces are kept while their timestamp could still pass the window, then pruned."""
    caller = authenticate(gw, request, now)
    window = timedelta(seconds=gw.settings.ingest.timestamp_window_seconds)
    with gw.database.unit_of_work() as uow:
        uow.nonces.prune(now - window)
        if not uow.nonces.use(caller.party_id, caller.message_id, caller.signed_at):
            raise ReplayedRequest(
                f"X-Message-Id {caller.message_id!r} was already used by {caller.party_id}: "
                "every signed request needs a fresh one"
            )
        uow.commit()
    return caller
