"""Who is calling: the SPEC §7 signed headers, checked for every party request (ingest, inbox, status).

Order: headers present → known sender → timestamp inside the window → certificate valid now → signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from gateway.bootstrap import Gateway
from gateway.keyring import PartyKeys
from gateway.services.errors import (
    BadRequest,
    CertificateInvalid,
    SignatureRejected,
    StaleTimestamp,
    UnknownSender,
)
from gateway.wire_signature import signing_string
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


@dataclass(frozen=True)
class Caller:
    keys: PartyKeys
    message_id: str
    timestamp: str
    signature: str

    @property
    def party_id(self) -> str:
        return self.keys.party.id


def _require(value: str | None, header: str) -> str:
    if value is None or not value.strip():
        raise BadRequest(f"missing header {header}")
    return value


def _check_timestamp(text: str, now: datetime, window: int) -> None:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest("X-Timestamp is not an RFC 3339 timestamp") from None
    if stamp.tzinfo is None:
        raise BadRequest("X-Timestamp must carry a zone (Z or ±hh:mm)")
    skew = abs((now - stamp).total_seconds())
    if skew > window:
        raise StaleTimestamp(f"X-Timestamp is {int(skew)} s away from the gateway clock (window ±{window} s)")


def authenticate(gw: Gateway, request: SignedRequest, now: datetime) -> Caller:
    sender = _require(request.sender, "X-Sender")
    message_id = _require(request.message_id, "X-Message-Id")
    timestamp = _require(request.timestamp, "X-Timestamp")
    signature = _require(request.signature, "X-Signature")
    if not _MESSAGE_ID.match(message_id):
        raise BadRequest("X-Message-Id must be 1-128 printable ASCII characters without spaces")
    keys = gw.keyring.party(sender)
    if keys is None:
        raise UnknownSender(f"{sender!r} is not a registered party")
    _check_timestamp(timestamp, now, gw.settings.ingest.timestamp_window_seconds)
    text = signing_string(request.method, request.path, sender, message_id, timestamp, request.body)
    try:
        # Every configured key of the sender that is valid now and not revoked (two during a rotation);
        # revocation is checked on every call, so never cache this result across requests.
        gw.keyring.verify(keys, now, text, signature)
    except CertificateError as exc:
        raise CertificateInvalid(f"certificate of {sender}: {exc}") from None
    except InvalidSignature:
        raise SignatureRejected("X-Signature does not verify for this request") from None
    return Caller(keys, message_id, timestamp, signature)
