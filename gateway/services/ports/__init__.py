"""The ports of the use cases (STYLE.md §4.1–4.2): what :mod:`gateway.services` depends on, as Protocols.

The services import these and :mod:`gateway.rows` / :mod:`gateway.model`, never :mod:`gateway.store` or
:mod:`gateway.bootstrap` (``tests/test_layout.py`` checks). The SQLAlchemy implementation lives in
:mod:`gateway.store`; the in-memory one for service tests in ``tests/fakes/``."""

from gateway.services.ports.repositories import (
    Breaks,
    ControlRules,
    Counterparts,
    DeliveryListing,
    Ledger,
    MessageBrowser,
    Messages,
    Nonces,
    Outbox,
    PaymentLines,
    Runs,
    Spends,
    StatementLines,
    TraceReader,
    Tracking,
)
from gateway.services.ports.unit_of_work import (
    Clock,
    ServiceContext,
    Store,
    UnitOfWork,
    UnitOfWorkFactory,
)

__all__ = [
    "Breaks",
    "Clock",
    "ControlRules",
    "Counterparts",
    "DeliveryListing",
    "Ledger",
    "MessageBrowser",
    "Messages",
    "Nonces",
    "Outbox",
    "PaymentLines",
    "Runs",
    "ServiceContext",
    "Spends",
    "StatementLines",
    "Store",
    "TraceReader",
    "Tracking",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
