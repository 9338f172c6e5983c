"""The ONE error → HTTP table. Every error answer is ``{"error": CODE, "detail": …}``.

Starlette resolves handlers along the exception's MRO, so a subclass row (``DocumentTooLarge``) wins over
its base (``MalformedDocument``). FastAPI's own request validation (a query parameter that is not an
integer, …) answers ``422 invalid_request`` in the same shape, its detail a list of ``{"path", "rule",
"message"}`` like ``schema_validation_failed``'s. A value the database refuses (:class:`ValueNotStorable`,
or a driver ``DataError`` outside a unit of work) is ``400 invalid_value``: a net behind the input checks.
A document no adapter recognises is ``415 unsupported_format`` whose detail says why (``reason``: ``empty``,
``binary``, ``not_well_formed`` with ``line`` / ``column``, ``unknown_root`` with ``found`` / ``expected``…).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DataError

from adapters.errors import (
    AmbiguousFormat,
    DocumentTooLarge,
    MalformedDocument,
    TranslationError,
    UnknownFormat,
    UnrecognisedFormat,
)
from gateway.errors import DuplicateConflict, MigrationsPending, StoreError, ValueNotStorable
from gateway.reconcile.errors import ReconcileError, ReportFormatError
from gateway.services.control import ControlRefused
from gateway.services.control_rules import RuleFileInvalid
from gateway.services.errors import (
    BadRequest,
    BodyReadTimeout,
    CertificateInvalid,
    Conflict,
    DuplicateKey,
    Forbidden,
    InvalidText,
    InvalidTimestamp,
    NotFound,
    PayloadTooLarge,
    ReplayedRequest,
    SignatureRejected,
    StaleTimestamp,
    TrackingForbidden,
    Unauthenticated,
    UnknownSender,
    Unroutable,
    UnsupportedMediaType,
    VoucherUnknown,
)
from schemas.errors import ValidationFailed

ERROR_TABLE: dict[type[Exception], tuple[int, str]] = {
    BadRequest: (400, "bad_request"),
    InvalidText: (400, "invalid_text"),
    DuplicateKey: (400, "duplicate_key"),
    RequestValidationError: (422, "invalid_request"),
    InvalidTimestamp: (400, "invalid_timestamp"),
    UnknownSender: (401, "unknown_sender"),
    SignatureRejected: (401, "invalid_signature"),
    CertificateInvalid: (401, "certificate_invalid"),
    StaleTimestamp: (401, "stale_timestamp"),
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    TrackingForbidden: (403, "tracking_forbidden"),
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
    VoucherUnknown: (422, "voucher_unknown"),
    ControlRefused: (422, "control_refused"),  # the body names the specific code (indicator_exhausted, …)
    RuleFileInvalid: (400, "control_rules_invalid"),
    TranslationError: (422, "untranslatable"),
    Conflict: (409, "conflict"),
    ReportFormatError: (400, "bad_report_format"),
    ReconcileError: (500, "reconciliation_failed"),
    ValueNotStorable: (400, "invalid_value"),
    DataError: (400, "invalid_value"),
    MigrationsPending: (503, "not_ready"),
    StoreError: (503, "store_unavailable"),
}


def error_detail(exc: Exception) -> Any:
    if isinstance(exc, ValidationFailed):
        return [
            {"path": p.path, "rule": p.rule, "value": p.value, "message": p.message} for p in exc.problems
        ]
    if isinstance(exc, UnrecognisedFormat):  # 415 unsupported_format, and why (adapters.diagnosis)
        return {
            "code": exc.code,
            "reason": exc.reason,
            "message": str(exc),
            "line": exc.line,
            "column": exc.column,
            "found": exc.found,
            "expected": list(exc.expected),
            "known_formats": list(exc.known_formats),
        }
    if isinstance(exc, MalformedDocument):
        return {"code": exc.code, "message": exc.message, "position": exc.position}
    if isinstance(exc, RequestValidationError):
        return [
            {
                "path": ".".join(str(part) for part in error.get("loc", ())),
                "rule": str(error.get("type", "")),
                "message": str(error.get("msg", "")),
            }
            for error in exc.errors()
        ]
    if isinstance(exc, ControlRefused):
        return exc.as_detail()
    if isinstance(exc, DataError):
        return f"the database cannot hold a value of this request ({type(exc.orig).__name__})"
    return str(exc)


def error_body(exc: Exception) -> tuple[int, dict[str, Any]]:
    """Status and body for an exception of the table (the most specific row along its MRO)."""
    for klass in type(exc).__mro__:
        if klass in ERROR_TABLE:
            status, code = ERROR_TABLE[klass]
            if isinstance(exc, ControlRefused):
                code = exc.rule_code
            return status, {"error": code, "detail": error_detail(exc)}
    raise KeyError(type(exc).__name__)


def encode_body(body: dict[str, Any]) -> bytes:
    """The answer's bytes: UTF-8 JSON with the text as is — or, should a detail quote a lone surrogate
    (which UTF-8 cannot encode), ``\\u`` escapes, never a failed answer."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":")).encode("ascii")


def install(app: FastAPI) -> None:
    async def handle(_request: Request, exc: Exception) -> Response:
        status, body = error_body(exc)
        return Response(encode_body(body), status_code=status, media_type="application/json")

    for exc_type in ERROR_TABLE:
        app.add_exception_handler(exc_type, handle)
