"""The ONE error → HTTP table. Every error answer is ``{"error": CODE, "detail": …}``.

Starlette resolves handlers along the exception's MRO, so a subclass row (``DocumentTooLarge``) wins over
its base (``MalformedDocument``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from adapters.errors import (
    AmbiguousFormat,
    DocumentTooLarge,
    MalformedDocument,
    TranslationError,
    UnknownFormat,
)
from gateway.errors import DuplicateConflict, MigrationsPending, StoreError
from gateway.reconcile.errors import ReconcileError, ReportFormatError
from gateway.services.errors import (
    BadRequest,
    BodyReadTimeout,
    CertificateInvalid,
    Conflict,
    Forbidden,
    InvalidTimestamp,
    NotFound,
    PayloadTooLarge,
    ReplayedRequest,
    SignatureRejected,
    StaleTimestamp,
    Unauthenticated,
    UnknownSender,
    Unroutable,
    UnsupportedMediaType,
)
from schemas.errors import ValidationFailed

ERROR_TABLE: dict[type[Exception], tuple[int, str]] = {
    BadRequest: (400, "bad_request"),
    InvalidTimestamp: (400, "invalid_timestamp"),
    UnknownSender: (401, "unknown_sender"),
    SignatureRejected: (401, "invalid_signature"),
    CertificateInvalid: (401, "certificate_invalid"),
    StaleTimestamp: (401, "stale_timestamp"),
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not_found"),
    DuplicateConflict: (409, "duplicate_conflict"),
    ReplayedRequest: (409, "replayed_request"),
    PayloadTooLarge: (413, "payload_too_large"),
    DocumentTooLarge: (413, "payload_too_large"),
    UnsupportedMediaType: (415, "unsupported_media_type"),
    BodyReadTimeout: (408, "request_timeout"),
    MalformedDocument: (400, "malformed_document"),
    UnknownFormat: (415, "unsupported_format"),
    AmbiguousFormat: (415, "unsupported_format"),
    ValidationFailed: (422, "schema_validation_failed"),
    Unroutable: (422, "unroutable"),
    TranslationError: (422, "untranslatable"),
    Conflict: (409, "conflict"),
    ReportFormatError: (400, "bad_report_format"),
    ReconcileError: (500, "reconciliation_failed"),
    MigrationsPending: (503, "not_ready"),
    StoreError: (503, "store_unavailable"),
}


def error_detail(exc: Exception) -> Any:
    if isinstance(exc, ValidationFailed):
        return [
            {"path": p.path, "rule": p.rule, "value": p.value, "message": p.message} for p in exc.problems
        ]
    if isinstance(exc, MalformedDocument):
        return {"code": exc.code, "message": exc.message, "position": exc.position}
    return str(exc)


def error_body(exc: Exception) -> tuple[int, dict[str, Any]]:
    """Status and body for an exception of the table (the most specific row along its MRO)."""
    for klass in type(exc).__mro__:
        if klass in ERROR_TABLE:
            status, code = ERROR_TABLE[klass]
            return status, {"error": code, "detail": error_detail(exc)}
    raise KeyError(type(exc).__name__)


def install(app: FastAPI) -> None:
    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        status, body = error_body(exc)
        return JSONResponse(body, status_code=status)

    for exc_type in ERROR_TABLE:
        app.add_exception_handler(exc_type, handle)
