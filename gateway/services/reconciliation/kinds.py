"""What one reconciliation kind supplies to the run bookkeeping (:mod:`.runs`), and the kind → strategy table.

:mod:`.runs` owns what every kind shares: the run row (start, finish, fail), the persistent breaks (opened,
seen again, reopened, auto-closed), the audit entry, listing runs, the stored report and the dashboard. A
:class:`Kind` owns the rest: its request (scope plus knobs), how the store is read and fed to its engine,
how an engine break becomes a stored break, the run summary and audit detail, the report rebuilt from its
JSON, and what the dashboard shows. The table of kinds is built by the composition root
(:func:`gateway.bootstrap.reconciliation_kinds`) and carried on the gateway as ``reconciliation_kinds``.

Adding a kind is one strategy module here (plus its engine under ``gateway/reconcile``); nothing in
:mod:`.runs`, the API or the pages switches on a kind's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from gateway.reconcile.breaks import BreakType
from gateway.rows import BreakRow, FoundBreak
from gateway.services.break_closing import Verdict
from gateway.services.errors import BadRequest
from gateway.services.ports import Counterparts, ServiceContext
from schemas.money import to_fen


class Scope(Protocol):
    """What the bookkeeping needs of a run scope: a stable key (runs and breaks are grouped by it) and the
    JSON stored with the run."""

    @property
    def key(self) -> str: ...

    def as_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Computed:
    """One finished computation, booked by :func:`gateway.services.reconciliation.runs.run_now`."""

    found: list[FoundBreak]
    summary: dict[str, Any]
    body: dict[str, Any]
    """The JSON report (stored with the run; :meth:`Kind.render` turns it into the other formats)."""
    audit_detail: dict[str, Any]
    as_of: datetime
    in_transit: frozenset[str] = field(default_factory=frozenset)
    """Entities (:func:`gateway.services.break_closing.entity`) found inside their in-transit window: a
    vanished break on one of them stays open."""


RequestT = TypeVar("RequestT")
ScopeT = TypeVar("ScopeT", bound=Scope)


class Kind(Protocol[RequestT, ScopeT]):
    """One reconciliation kind (``indicators``, ``payments``, ``statements``), over its request model and its
    scope type."""

    @property
    def name(self) -> str:
        """The ``kind`` of its runs and breaks."""
        ...

    @property
    def label_zh(self) -> str: ...

    @property
    def request_model(self) -> type[BaseModel]:
        """The pydantic model of ``POST /v1/reconciliations`` for this kind (``kind`` plus its fields)."""
        ...

    @property
    def break_types(self) -> tuple[str, ...]:
        """The break types the dashboard counts (open breaks by type)."""
        ...

    @property
    def total_keys(self) -> tuple[str, ...]:
        """The run-summary keys the dashboard shows as totals."""
        ...

    def request(self, body: Mapping[str, Any]) -> RequestT:
        """A validated request of ``request_model`` (BadRequest naming the field); it has ``as_of``."""
        ...

    def scope(self, request: RequestT) -> ScopeT:
        """The scope of a validated request."""
        ...

    def scope_filter(self, values: Mapping[str, Any]) -> str | None:
        """The scope key a run list filter names (``values``: the query's scope fields, None where absent),
        ``None`` when it names none of this kind's scope fields; BadRequest when it names them partly."""
        ...

    def compute(self, gw: ServiceContext, request: RequestT, scope: ScopeT, as_of: datetime) -> Computed:
        """Read the scope from the store and reconcile it (no bookkeeping). Raises
        :class:`gateway.reconcile.errors.ReconcileError` (or ValueError) when the engine cannot finish."""
        ...

    def render(self, body: Mapping[str, Any], summary: Mapping[str, Any], fmt: str) -> bytes:
        """A stored JSON report in ``csv | xlsx | html`` (``json`` too)."""
        ...

    def status_text(self, summary: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """(status, what to show) of a run summary (see :func:`gateway.services.reconciliation.runs.
        status_text`)."""
        ...

    def dashboard_order(self, keys: list[str]) -> list[str]:
        """The dashboard's order of this kind's scope keys."""
        ...

    def scope_text(self, scope: Mapping[str, Any]) -> str:
        """A stored scope (:meth:`Scope.as_dict`) in 简体中文, for the pages that list runs and breaks of
        any kind."""
        ...

    def recheck(self, repo: Counterparts, vanished: Sequence[BreakRow]) -> dict[int, Verdict]:
        """A verdict per break of this kind a run no longer finds (:func:`gateway.services.break_closing.
        judge` applies the rules every kind shares first): close it only when the store shows its
        counterpart, naming the record."""
        ...


AnyKind = Kind[Any, Any]
KindTable = Mapping[str, AnyKind]


class ReconciliationContext(ServiceContext, Protocol):
    """What the run bookkeeping uses: the service context plus the kind table of the composition root
    (:class:`gateway.bootstrap.Gateway` satisfies it)."""

    @property
    def reconciliation_kinds(self) -> KindTable: ...


MAX_HOURS = 24 * 366
"""The largest in-transit / unpaid / uncleared window a request may ask for."""


def checked_as_of(value: datetime | None) -> datetime | None:
    """A request's ``as_of``: zoned and within 2000…2100 (ValueError otherwise, for the request models)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("as_of needs a zone (Z or ±hh:mm)")
    if not 2000 <= value.year <= 2100:
        raise ValueError("as_of must fall within 2000…2100")
    return value


def timestamp_input(value: Any) -> Any:
    """``as_of`` arrives as an RFC 3339 string (JSON) or a datetime (Python callers); nothing else."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("as_of must be an RFC 3339 timestamp")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("as_of must be an RFC 3339 timestamp") from None


def parse_request(kind: AnyKind, body: Mapping[str, Any], *, takes: str) -> Any:
    """Validate ``body`` (``kind`` included or not) with the kind's request model; BadRequest naming the
    field otherwise. ``takes`` names the kind's required fields (for the messages)."""
    model = kind.request_model
    unknown = sorted(set(body) - set(model.model_fields))
    if unknown:
        raise BadRequest(f"{_a(kind.name)} run takes {takes}, not {' / '.join(unknown)}")
    try:
        return model.model_validate({**body, "kind": kind.name})
    except ValidationError as exc:
        raise BadRequest(_first_problem(kind, exc, takes)) from None


def _a(name: str) -> str:
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def _first_problem(kind: AnyKind, exc: ValidationError, takes: str) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in error["loc"])
    if error["type"] == "missing":
        return f"{_a(kind.name)} run needs {takes} ({where} is missing)"
    message = str(error["msg"]).removeprefix("Value error, ")
    return message if not where or message.startswith(where) else f"{where}: {message}"


def fen(value: Decimal | None) -> int | None:
    """An engine amount (yuan, ``Decimal``) as stored: integer fen, ``None`` kept."""
    return None if value is None else to_fen(value)


def stored_break(
    *,
    key: str,
    ident: str,
    type_: BreakType,
    upper: Decimal | None,
    lower: Decimal | None,
    difference: Decimal | None,
    detail: dict[str, Any],
    sized_by: Sequence[Decimal | None] | None = None,
) -> FoundBreak:
    """One engine break as the bookkeeping stores it, for every kind: amounts in fen, ``detail`` (the
    break's report JSON, which must hold ``fields``) with the ops label ``type_zh`` added. ``amount_fen``,
    the size the break lists sort by, is ``|difference|``, else the first of ``sized_by`` that is not
    ``None`` (default: upper, then lower), else 0."""
    diff = fen(difference)
    candidates = (upper, lower) if sized_by is None else sized_by
    first = next((a for a in candidates if a is not None), None)
    magnitude = abs(diff) if diff is not None else (abs(to_fen(first)) if first is not None else 0)
    detail["type_zh"] = type_.label_zh
    return FoundBreak(
        key=key,
        type=type_.value,
        ident=ident,
        amount_fen=magnitude,
        upper_amount_fen=fen(upper),
        lower_amount_fen=fen(lower),
        difference_fen=diff,
        fields=detail["fields"],
        detail=detail,
    )
