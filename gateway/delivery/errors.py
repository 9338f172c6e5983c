"""
Exceptions raised by gateway/delivery/.

* GatewayError (gateway/errors.py)
  + DeliveryError           - base class
    + DeliveryFailed(detail)  - one push attempt failed (network error, timeout or a non-2xx answer);
                                the relay retries with backoff and dead-letters after the configured attempts
"""

from __future__ import annotations

from gateway.errors import GatewayError


class DeliveryError(GatewayError):
    """Base class for every error raised by gateway/delivery/."""


class DeliveryFailed(DeliveryError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
