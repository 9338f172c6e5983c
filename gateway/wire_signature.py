"""The ONE HTTP signing string (SPEC §7, ADR 0006) and the signed headers the gateway sends.

Every signer and every verifier — the gateway's authentication, its answers and pushes, the simulated
receivers, the demo client, the tests and the benchmarks — builds the text with :func:`signing_string`
(or :func:`signing_string_of`, which reads the fields from a message's headers), UTF-8, nine lines::

    METHOD              POST, GET, … (an answer: its HTTP status code, e.g. 202)
    PATH                canonical path: percent-decoded, then re-encoded per RFC 3986 (unreserved kept)
    QUERY               canonical query: pairs sorted by key (stable: a repeated key keeps its order),
                        key and value percent-encoded per RFC 3986, joined ``k=v&k=v``; empty if none
    X-Sender
    X-Message-Id
    X-Timestamp         the header text exactly as sent (RFC 3339, checked strictly by the gateway)
    X-Original-Sender   pushes: the party that sent the document to the gateway; empty otherwise
    X-Wire-Format       pushes: the wire format of the body; empty otherwise
    hex(SM3(body))

A header that is absent is an empty line, so adding one after signing breaks the signature as surely as
changing one. No field may contain CR or LF (:class:`SigningStringError`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from signing import SignatureProfile, SM2PrivateKey, sm3_hex

SIGNED_HEADERS = ("X-Sender", "X-Message-Id", "X-Timestamp", "X-Original-Sender", "X-Wire-Format")
"""The headers the signing string covers, in its order (after METHOD, PATH, QUERY; before the body)."""

_UNRESERVED = "-._~"  # RFC 3986 §2.3, with ALPHA / DIGIT (quote never encodes those)


class SigningStringError(ValueError):
    """A field cannot go into the signing string (it holds a line break)."""


def canonical_path(path: str) -> str:
    """``path`` percent-decoded, then re-encoded with only RFC 3986 unreserved characters and ``/`` bare."""
    return quote(unquote(path), safe="/" + _UNRESERVED)


def canonical_query(query: str) -> str:
    """The query as the server parses it (``+`` is a space, blank values kept), re-encoded per RFC 3986,
    pairs sorted by key with a repeated key's values in their original order."""
    pairs = [
        (quote(key, safe=_UNRESERVED), quote(value, safe=_UNRESERVED))
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    pairs.sort(key=lambda pair: pair[0])  # stable: repeated keys stay in order
    return "&".join(f"{key}={value}" for key, value in pairs)


def signing_string(
    method: str,
    target: str,
    sender: str,
    message_id: str,
    timestamp: str,
    body: bytes,
    *,
    original_sender: str = "",
    wire_format: str = "",
) -> bytes:
    """The signing string of one request, answer or push; ``target`` is the path with its ``?query`` if any
    (an absolute URL is accepted too: scheme and host are not signed)."""
    if target.startswith("/"):
        path, _, query = target.partition("?")
    else:
        parts = urlsplit(target)
        path, query = parts.path, parts.query
    fields = [
        method,
        canonical_path(path or "/"),
        canonical_query(query),
        sender,
        message_id,
        timestamp,
        original_sender,
        wire_format,
    ]
    if any("\n" in f or "\r" in f for f in fields):
        raise SigningStringError("a signed field holds a line break")
    return "\n".join([*fields, sm3_hex(body)]).encode("utf-8")


def signing_string_of(method: str, target: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """:func:`signing_string` with the fields read from ``headers`` (any case; absent → empty)."""
    lower = {k.lower(): v for k, v in headers.items()}
    sender, message_id, timestamp, original_sender, wire_format = (
        lower.get(name.lower(), "") for name in SIGNED_HEADERS
    )
    return signing_string(
        method,
        target,
        sender,
        message_id,
        timestamp,
        body,
        original_sender=original_sender,
        wire_format=wire_format,
    )


_RFC3339 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]+))?(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 §5.6 ``date-time`` and nothing else: ``YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)``.

    ``T`` and ``Z`` may be lower case (§5.6: the ABNF's literals are case-insensitive). Refused
    (:class:`ValueError`): a space or no separator, no offset, ``+0800`` (no colon), missing seconds, week or
    ordinal dates, basic format, a leap second (``:60``, which ``datetime`` cannot hold), out-of-range
    fields. ``datetime.fromisoformat`` alone accepts most of those, hence the pattern first.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError("not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM))")
    offset = match["offset"]
    if offset not in ("Z", "z") and (int(offset[1:3]) > 23 or int(offset[4:6]) > 59):
        raise ValueError("the offset is out of range")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = "+00:00" if offset in ("Z", "z") else offset
    return datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}{zone}")


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def signed_headers(
    *,
    key: SM2PrivateKey,
    profile: SignatureProfile,
    method: str,
    path: str,
    sender: str,
    message_id: str,
    at: datetime,
    body: bytes,
    original_sender: str | None = None,
    wire_format: str | None = None,
) -> dict[str, str]:
    """``X-Sender``, ``X-Message-Id``, ``X-Timestamp`` and ``X-Signature`` (and, for a push,
    ``X-Original-Sender`` and ``X-Wire-Format``) for a message signed with ``key``; ``path`` is the target
    (path and query) the message is sent to."""
    headers = {"X-Sender": sender, "X-Message-Id": message_id, "X-Timestamp": rfc3339(at)}
    if original_sender is not None:
        headers["X-Original-Sender"] = original_sender
    if wire_format is not None:
        headers["X-Wire-Format"] = wire_format
    headers["X-Signature"] = profile.sign(key, signing_string_of(method, path, headers, body))
    return headers
