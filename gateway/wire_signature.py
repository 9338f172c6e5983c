"""The HTTP signing string of SPEC §7 and the signed headers the gateway sends.

Requests: ``METHOD \\n PATH \\n sender \\n message-id \\n timestamp \\n hex(SM3(body))`` (UTF-8).
Responses and pushes use the same string, with the response's HTTP status code in place of the method for a
response (e.g. ``202\\n/v1/messages\\nfiscalgw\\n…``), signed with the gateway's key and profile.
"""

from __future__ import annotations

from datetime import UTC, datetime

from signing import SignatureProfile, SM2PrivateKey, sm3_hex


def signing_string(
    method: str, path: str, sender: str, message_id: str, timestamp: str, body: bytes
) -> bytes:
    return "\n".join([method, path, sender, message_id, timestamp, sm3_hex(body)]).encode("utf-8")


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
) -> dict[str, str]:
    """``X-Sender``, ``X-Message-Id``, ``X-Timestamp`` and ``X-Signature`` for a message the gateway sends."""
    timestamp = rfc3339(at)
    signature = profile.sign(key, signing_string(method, path, sender, message_id, timestamp, body))
    return {
        "X-Sender": sender,
        "X-Message-Id": message_id,
        "X-Timestamp": timestamp,
        "X-Signature": signature,
    }
