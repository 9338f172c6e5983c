"""Prometheus ``/metrics``: ingest count and latency by message type and result, outbox depth by status
(``dead`` is the dead-letter count). One registry per app, so several apps in one process do not collide.

Who may scrape is ``api.metrics`` (:attr:`gateway.config.Settings.metrics_exposure`): ``open``, ``token``
(a viewer's or ops bearer token, ``401 unauthenticated`` without one) or ``off`` (the route is not
mounted: 404)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool

from gateway.bootstrap import Gateway
from gateway.services import people

router = APIRouter(tags=["metrics"])


class OutboxCollector(Collector):
    """Reads the outbox depth from the database at scrape time."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "fiscalgw_outbox_rows", "Outbox rows by status (dead = dead letters)", labels=["status"]
        )
        with self._gateway.database.unit_of_work() as uow:
            depth = uow.outbox.depth()
        for status, count in sorted(depth.items()):
            family.add_metric([status.value], count)
        yield family


class Metrics:
    def __init__(self, gateway: Gateway) -> None:
        self.registry = CollectorRegistry()
        self.ingest = Counter(
            "fiscalgw_ingest",
            "Documents posted to /v1/messages, by message type and result",
            ["message_type", "result"],
            registry=self.registry,
        )
        self.ingest_seconds = Histogram(
            "fiscalgw_ingest_seconds",
            "Ingest latency (request to committed answer), by message type and result",
            ["message_type", "result"],
            registry=self.registry,
        )
        self.registry.register(OutboxCollector(gateway))

    def observe(self, message_type: str, result: str, seconds: float) -> None:
        self.ingest.labels(message_type, result).inc()
        self.ingest_seconds.labels(message_type, result).observe(seconds)


@router.get("/metrics")
async def metrics(request: Request, authorization: Annotated[str | None, Header()] = None) -> Response:
    gateway: Gateway = request.app.state.gateway
    if gateway.settings.metrics_exposure == "token":
        people.person_for(gateway, authorization, need="viewer")
    registry: CollectorRegistry = request.app.state.metrics.registry
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
