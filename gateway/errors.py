"""
Exceptions raised by gateway/ (the application layer: configuration, store, audit).

* GatewayError                    - base class of every error raised by gateway/
  + ConfigError                   - the configuration or party registry is unusable; names the file and field
    + DevKeyRefused               - a dev key (issued by the ``fiscalgw init`` dev CA) outside dev mode
  + UnknownParty                  - no party with that id in the registry
  + StoreError                    - the database refused or is not in the expected state
    + MigrationsPending           - the schema is not at the newest Alembic revision (``fiscalgw db upgrade``)
    + MessageExists(stored)       - (sender, message id) is already stored (the caller compares bodies)
    + DuplicateConflict           - (sender, message id) already stored with a different body
    + ValueNotStorable            - the database refused a value of the input (a number beyond BIGINT, text
                                    PostgreSQL cannot hold): a safety net behind the input checks
  + AuditChainBroken(problems)    - the SM3 hash chain of the audit log does not verify; lists every break
  + ServiceError(detail)          - a use case refused the request: the tree is in gateway/services/errors.py
  + DeliveryError                 - a push failed: gateway/delivery/errors.py

HTTP mapping lives in one table in :mod:`gateway.api.errors`; these classes carry no status codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class GatewayError(Exception):
    """Base class for every error raised by gateway/."""


class ConfigError(GatewayError):
    """The configuration file or party registry cannot be used as it stands."""


class DevKeyRefused(ConfigError):
    """The gateway key was issued by the ``fiscalgw init`` dev CA but the gateway is not in dev mode."""


class UnknownParty(GatewayError):
    """No party with that id (or division code) is registered."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"no registered party for {what}")


class StoreError(GatewayError):
    """The database refused an operation or is not in the state the gateway needs."""


class MigrationsPending(StoreError):
    """The database schema is behind the newest migration."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        shown = current or "(none)"
        super().__init__(f"database schema is at {shown}, newest is {head}; run `fiscalgw db upgrade`")


class MessageExists(StoreError):
    """(sender, message id) is already stored; ``body_sm3`` and ``response`` are the stored ones."""

    def __init__(self, sender: str, message_id: str, body_sm3: str, response: Mapping[str, Any]) -> None:
        self.sender = sender
        self.message_id = message_id
        self.body_sm3 = body_sm3
        self.response = response
        super().__init__(f"message id {message_id!r} from {sender} is already stored")


class DuplicateConflict(StoreError):
    """The same (sender, message id) was stored before with a different body."""

    def __init__(self, sender: str, message_id: str) -> None:
        self.sender = sender
        self.message_id = message_id
        super().__init__(f"message id {message_id!r} from {sender} was already used for a different body")


class ValueNotStorable(StoreError):
    """The database refused a value as outside its column's range or type — a number beyond BIGINT, text with
    U+0000 on PostgreSQL. The input's fault, not the database's: the inputs are checked before the store
    (``invalid_text``, the money maximum); this is the net behind those checks, never a 500 or a 503."""


class AuditChainBroken(GatewayError):
    """The audit log's hash chain does not verify; ``problems`` names each broken entry."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("AuditChainBroken needs at least one problem")
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{self.problems[0]}{more}")
