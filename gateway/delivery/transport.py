"""The outbound port: one POST to a receiver. ``HTTPTransport`` uses httpx; ``MockTransport`` takes a plain
function, for tests (httpx's own transport/mock shape)."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from gateway.delivery.errors import DeliveryFailed


@dataclass(frozen=True)
class Push:
    url: str
    body: bytes
    headers: Mapping[str, str]


class Transport(abc.ABC):
    @abc.abstractmethod
    def send(self, push: Push) -> None:
        """Deliver ``push``; return on a 2xx answer, raise :class:`DeliveryFailed` otherwise."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class HTTPTransport(Transport):
    def __init__(self, timeout: float = 10.0) -> None:
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, push: Push) -> None:
        try:
            response = self._client.post(push.url, content=push.body, headers=dict(push.headers))
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}")

    def close(self) -> None:
        self._client.close()


class MockTransport(Transport):
    """Calls ``handler(push)``; the handler raises :class:`DeliveryFailed` to simulate a failure."""

    def __init__(self, handler: Callable[[Push], None]) -> None:
        self._handler = handler

    def send(self, push: Push) -> None:
        self._handler(push)
