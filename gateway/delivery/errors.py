"""
Exceptions raised by gateway/delivery/.

* GatewayError (gateway/errors.py)
  + DeliveryError           - base class
    + DeliveryFailed(detail)  - one push attempt failed (network error, timeout or a non-2xx answer);
                                the relay retries with backoff and dead-letters after the configured attempts
"""

from __future__ import annotations

import re

from gateway.errors import GatewayError

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class DeliveryError(GatewayError):
    """Base class for every error raised by gateway/delivery/."""


class DeliveryFailed(DeliveryError):
    """``detail`` is what the outbox row's ``last_error`` and the log show: the receiver's bytes may be in
    it (a garbage status line, an error page), so control characters and lone surrogates are written as
    ``\\xNN`` / ``\\uNNNN`` escapes — PostgreSQL text cannot hold NUL, and a log line must stay one line."""

    def __init__(self, detail: str) -> None:
        detail = printable(detail)
        super().__init__(detail)
        self.detail = detail


def printable(text: str) -> str:
    """``text`` with every control character and lone surrogate escaped (``\\x00``, ``\\udc80``)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    point = ord(found.group())
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"
