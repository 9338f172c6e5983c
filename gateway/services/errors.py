"""
Exceptions raised by the use cases in gateway/services/: the :class:`ServiceError` branch of the one
:class:`gateway.errors.GatewayError` tree. The classes say what went wrong; the stable wire code and the HTTP
status of each live in ONE table, :data:`gateway.api.errors.ERROR_TABLE` (the web pages and the CLI map the
same classes to their own answers).

* GatewayError (gateway/errors.py)
  + ServiceError(detail)        - base class of the use-case errors
    + BadRequest                - a required header or parameter is missing or malformed
      + InvalidText             - a string of the request (query, path, JSON body, form) holds U+0000 or a
                                  lone surrogate, which no text column can store
      + DuplicateKey            - a JSON request body repeats a key in one object
      + InvalidTimestamp        - ``X-Timestamp`` is not an RFC 3339 date-time
    + UnknownSender             - ``X-Sender`` is not a registered party
    + CertificateInvalid        - the sender's certificate is expired, not yet valid or does not chain to a
                                  trust root
    + SignatureRejected         - ``X-Signature`` does not verify (reason withheld)
    + StaleTimestamp            - ``X-Timestamp`` outside the configured window
    + ReplayedRequest           - a signed inbox / status / trace request whose ``X-Message-Id`` (its nonce)
                                  the sender already used inside the window
    + PayloadTooLarge           - the body is over the configured limit
    + Forbidden                 - the sender does not own what a record asserts
      + TrackingForbidden       - a 资金追踪 request names a division outside the caller's scope (its own
                                  divisions; a person's ``tracking_divisions``)
    + Unroutable                - no registered receiver for a record
    + VoucherUnknown            - a bank's 回单 / refund / clearing request names a payment voucher the
                                  gateway never routed
    + NotFound                  - no such message / inbox item / run / break visible to the caller
    + Unauthenticated           - a person's bearer token is missing or unknown
    + Conflict                  - the action does not fit the object's current state (e.g. resolving a
                                  closed break)
    + UnsupportedMediaType      - the Content-Type is not a wire document type
    + BodyReadTimeout           - the body did not arrive within the read deadline
    + ControlRefused            - (gateway/services/control.py, ADR 0008) a voucher failed a 控制 rule whose
                                  action is ``refuse``; ``rule_code`` names the first failed rule
                                  (``indicator_exhausted``, …), the detail every voucher
    + RuleFileInvalid           - (gateway/services/control_rules.py) a control-rule file that cannot be used
                                  (a BadRequest)

Adapter, schema and store errors keep their own classes (:mod:`adapters.errors`, :mod:`schemas.errors`,
:mod:`gateway.errors`); the same table maps them.
"""

from __future__ import annotations

from gateway.errors import GatewayError


class ServiceError(GatewayError):
    """Base class of the use-case errors; ``detail`` is the text the caller may be shown."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(ServiceError):
    """The request is malformed or names something that cannot be asked for."""


class InvalidText(BadRequest):
    """A string of the request holds U+0000 or a lone surrogate."""


class DuplicateKey(BadRequest):
    """A JSON object of the request body repeats a key."""


class InvalidTimestamp(BadRequest):
    """``X-Timestamp`` is not an RFC 3339 date-time."""


class ReplayedRequest(ServiceError):
    """The sender already used this nonce (``X-Message-Id``) inside the timestamp window."""


class UnknownSender(ServiceError):
    """``X-Sender`` is not a registered party."""


class CertificateInvalid(ServiceError):
    """The sender's certificate is not valid now or does not chain to a trust root."""


class SignatureRejected(ServiceError):
    """The request signature does not verify (the reason goes to the log only)."""


class StaleTimestamp(ServiceError):
    """``X-Timestamp`` is outside the configured window."""


class PayloadTooLarge(ServiceError):
    """The body is over the configured limit."""


class Forbidden(ServiceError):
    """The caller may not do or see this."""


class TrackingForbidden(Forbidden):
    """A 资金追踪 request names a division outside the caller's scope."""


class Unroutable(ServiceError):
    """No registered receiver for a record."""


class VoucherUnknown(ServiceError):
    """A 回单 / refund / clearing request names a payment voucher the gateway never routed."""


class NotFound(ServiceError):
    """Nothing of that id visible to the caller."""


class Unauthenticated(ServiceError):
    """A person's bearer token is missing or unknown."""


class UnsupportedMediaType(ServiceError):
    """The Content-Type is not a wire document type."""


class BodyReadTimeout(ServiceError):
    """The request body did not arrive within the read deadline."""


class Conflict(ServiceError):
    """The action does not fit the object's current state."""
