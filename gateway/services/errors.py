"""
Exceptions raised by the use cases in gateway/services/. Each carries the stable ``code`` the HTTP layer
sends as ``{"error": code, "detail": …}`` (the status comes from the one table in gateway/api/errors.py).

* ServiceError(code)            - base class
  + BadRequest                  - ``bad_request``: a required header is missing or malformed
    + InvalidText               - ``invalid_text``: a string of the request (query, path, JSON body, form)
                                  holds U+0000 or a lone surrogate, which no text column can store
    + DuplicateKey              - ``duplicate_key``: a JSON request body repeats a key in one object
    + InvalidTimestamp          - ``invalid_timestamp``: ``X-Timestamp`` is not an RFC 3339 date-time
  + UnknownSender               - ``unknown_sender``: ``X-Sender`` is not a registered party
  + CertificateInvalid          - ``certificate_invalid``: the sender's certificate is expired, not yet
                                  valid or does not chain to a trust root
  + SignatureRejected           - ``invalid_signature``: ``X-Signature`` does not verify (reason withheld)
  + StaleTimestamp              - ``stale_timestamp``: ``X-Timestamp`` outside the configured window
  + ReplayedRequest             - ``replayed_request``: a signed inbox / status / trace request whose
                                  ``X-Message-Id`` (its nonce) the sender already used inside the window
  + PayloadTooLarge             - ``payload_too_large``: the body is over the configured limit
  + Forbidden                   - ``forbidden``: the sender does not own what a record asserts
    + TrackingForbidden         - ``tracking_forbidden``: a 资金追踪 request names a division outside the
                                  caller's scope (its own divisions; a person's ``tracking_divisions``)
  + Unroutable                  - ``unroutable``: no registered receiver for a record
  + VoucherUnknown              - ``voucher_unknown``: a bank's 回单 / refund / clearing request names a
                                  payment voucher the gateway never routed
  + NotFound                    - ``not_found``: no such message / inbox item visible to the caller
  + Unauthenticated             - ``unauthenticated``: a person's bearer token is missing or unknown
  + Conflict                    - ``conflict``: the action does not fit the object's current state
                                  (e.g. resolving a closed break)
  + UnsupportedMediaType        - ``unsupported_media_type``: the Content-Type is not a wire document type
  + BodyReadTimeout             - ``request_timeout``: the body did not arrive within the read deadline

Adapter, schema and store errors (``malformed_document``, ``schema_validation_failed``,
``unsupported_format``, ``duplicate_conflict``) keep their own classes; the same table maps them. So do the
控制 errors (ADR 0008): :class:`gateway.services.control.ControlRefused` — 422 with the specific code
(``indicator_exhausted``, ``indicator_unknown``, ``indicator_recalled``, ``indicator_year_mismatch``,
``indicator_ambiguous``, ``func_subject_mismatch``, ``project_mismatch``, ``sangong_mismatch``,
``revenue_fund_mismatch``, ``large_payment``) and a per-voucher detail — and
:class:`gateway.services.control_rules.RuleFileInvalid` (``control_rules_invalid``, a BadRequest).
"""

from __future__ import annotations


class ServiceError(Exception):
    code = "service_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(ServiceError):
    code = "bad_request"


class InvalidText(BadRequest):
    code = "invalid_text"


class DuplicateKey(BadRequest):
    code = "duplicate_key"


class InvalidTimestamp(BadRequest):
    code = "invalid_timestamp"


class ReplayedRequest(ServiceError):
    code = "replayed_request"


class UnknownSender(ServiceError):
    code = "unknown_sender"


class CertificateInvalid(ServiceError):
    code = "certificate_invalid"


class SignatureRejected(ServiceError):
    code = "invalid_signature"


class StaleTimestamp(ServiceError):
    code = "stale_timestamp"


class PayloadTooLarge(ServiceError):
    code = "payload_too_large"


class Forbidden(ServiceError):
    code = "forbidden"


class TrackingForbidden(Forbidden):
    code = "tracking_forbidden"


class Unroutable(ServiceError):
    code = "unroutable"


class VoucherUnknown(ServiceError):
    code = "voucher_unknown"


class NotFound(ServiceError):
    code = "not_found"


class Unauthenticated(ServiceError):
    code = "unauthenticated"


class UnsupportedMediaType(ServiceError):
    code = "unsupported_media_type"


class BodyReadTimeout(ServiceError):
    code = "request_timeout"


class Conflict(ServiceError):
    code = "conflict"
