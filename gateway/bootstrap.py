"""The composition root: settings → keys, parties, database, adapters. The API, the CLI and the tests build
the gateway here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.registry import AdapterRegistry, default_registry
from gateway.config import Settings
from gateway.keyring import Keyring, load_keyring
from gateway.parties import PartyRegistry
from gateway.services.reconciliation import indicators, payments
from gateway.services.reconciliation.kinds import AnyKind, KindTable
from gateway.store.database import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Gateway:
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
    kinds: tuple[AnyKind, ...] = (indicators.KIND, payments.KIND)
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
