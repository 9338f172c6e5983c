"""The composition root: settings → keys, parties, database, adapters; and the relay, its transport and the
scheduler built over them. The API, the CLI and the tests build the gateway here and nowhere else; this is
the one module that names the concrete classes behind the ports (:mod:`gateway.services.ports`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from adapters.registry import AdapterRegistry, default_registry
from gateway.config import Settings
from gateway.keyring import Keyring, load_keyring
from gateway.parties import PartyRegistry
from gateway.services.ports import ServiceContext, Store
from gateway.services.reconciliation import indicators, payments, statements
from gateway.services.reconciliation.kinds import AnyKind, KindTable
from gateway.store.database import Database

if TYPE_CHECKING:  # imported where built: httpx and APScheduler load only for the processes that run them
    from gateway.delivery.relay import Relay
    from gateway.delivery.transport import Transport
    from gateway.scheduler import ReconciliationScheduler


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Gateway:
    """The container; the use cases see it only as a :class:`~gateway.services.ports.ServiceContext`."""

    settings: Settings
    registry: PartyRegistry
    keyring: Keyring
    database: Database
    adapters: AdapterRegistry
    clock: Callable[[], datetime] = field(default=utc_now)
    reconciliation_kinds: KindTable = field(default_factory=lambda: reconciliation_kinds())

    def close(self) -> None:
        self.database.dispose()


def reconciliation_kinds() -> dict[str, AnyKind]:
    """The reconciliation kinds this gateway runs, by name (``POST /v1/reconciliations {"kind": …}``)."""
    kinds: tuple[AnyKind, ...] = (indicators.KIND, payments.KIND, statements.KIND)
    return {kind.name: kind for kind in kinds}


def build_gateway(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Gateway:
    """Load every key (refusing dev keys outside dev mode) and connect the database (lazily)."""
    return Gateway(
        settings=settings,
        registry=settings.registry(),
        keyring=load_keyring(settings),
        database=Database(settings.database_url),
        adapters=default_registry(),
        clock=clock,
        reconciliation_kinds=reconciliation_kinds(),
    )


def build_transport() -> Transport:
    """The push transport of a running gateway (HTTP; tests pass a ``MockTransport`` to the relay)."""
    from gateway.delivery.transport import HTTPTransport

    return HTTPTransport()


def build_relay(gateway: Gateway, transport: Transport) -> Relay:
    from gateway.delivery.relay import Relay

    return Relay(gateway, transport)


def build_scheduler(gateway: Gateway) -> ReconciliationScheduler:
    """The ``[[reconciliation.pairs]]`` / payment scheduler over ``gateway`` (not started; ADR 0005).
    A bad schedule raises :class:`gateway.errors.ConfigError`."""
    from gateway.scheduler import ReconciliationScheduler

    return ReconciliationScheduler(gateway)


def _ports(gateway: Gateway) -> tuple[ServiceContext, Store]:
    """Never called: ``mypy --strict`` checks here that the container and the SQLAlchemy store satisfy the
    ports the use cases are written against."""
    return gateway, gateway.database
