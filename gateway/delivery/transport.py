"""The outbound port: one POST to a receiver. ``HTTPTransport`` posts over kept-alive ``http.client``
connections (:mod:`gateway.delivery.connections`); ``MockTransport`` takes a plain function, for tests."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gateway.delivery.connections import ConnectionPool, PushError
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
    """POSTs with ``timeout`` seconds for the connect and for every read and write; redirects are not
    followed (a 3xx is a failed delivery like any non-2xx)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._pool = ConnectionPool(timeout=timeout)

    def send(self, push: Push) -> None:
        try:
            answer = self._pool.post(push.url, push.body, push.headers)
        except PushError as exc:
            raise DeliveryFailed(str(exc)) from None
        if not 200 <= answer.status < 300:
            raise DeliveryFailed(f"HTTP {answer.status}: {answer.text}")

    def close(self) -> None:
        self._pool.close()


class MockTransport(Transport):
    """Calls ``handler(push)``; the handler raises :class:`DeliveryFailed` to simulate a failure."""

    def __init__(self, handler: Callable[[Push], None]) -> None:
        self._handler = handler

    def send(self, push: Push) -> None:
        self._handler(push)
