"""Money: ``Decimal`` with exactly two places (yuan.fen), or integer fen. Never a float.

Accepted inputs are ``Decimal``, ``int`` and plain decimal strings (``"12"``, ``"12.3"``, ``"-0.50"``).
Rejected: floats, exponent notation (``"1E3"``), more than two decimal places, NaN/Infinity, and amounts
beyond the 18 integer digits of the standard's NUMBER columns. Values serialise as two-decimal strings.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

CENT = Decimal("0.01")
_MAX_INTEGER_DIGITS = 18
_PLAIN = re.compile(r"^[+-]?\d{1,18}(\.\d{1,2})?$")


class MoneyFormatError(ValueError):
    """An amount that is not a plain decimal with at most two places."""


def parse_money(value: object) -> Decimal:
    """Convert ``value`` to a two-place ``Decimal`` or raise :class:`MoneyFormatError`."""
    if type(value) is str:
        # the common case (wire text): the regex bounds the digits, so only "12" / "12.3" need quantizing
        text = value.strip()
        if _PLAIN.match(text) is not None:
            result = Decimal(text)
            return result if text[-3:-2] == "." else result.quantize(CENT)
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyFormatError("amounts must be decimal strings, Decimal or integer fen, never float")
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyFormatError("amount must be finite")
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        if exponent < -2 and value != value.quantize(CENT):
            raise MoneyFormatError("amount has more than two decimal places")
        result = value
    elif isinstance(value, str):
        text = value.strip()
        if not _PLAIN.match(text):
            if re.match(r"^[+-]?\d+\.\d{3,}$", text):
                raise MoneyFormatError("amount has more than two decimal places")
            raise MoneyFormatError("amount must be a plain decimal like 1234.50")
        try:  # pragma: no cover - a matching plain string took the fast path above
            result = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
            raise MoneyFormatError("amount must be a plain decimal like 1234.50") from exc
    else:
        raise MoneyFormatError(f"amount of type {type(value).__name__} is not accepted")
    result = result.quantize(CENT)
    if len(result.as_tuple().digits) - 2 > _MAX_INTEGER_DIGITS:
        raise MoneyFormatError("amount exceeds 18 integer digits")
    return result


def format_money(value: Decimal) -> str:
    """The wire form: a plain two-decimal string (no exponent, no thousands separators)."""
    return f"{value.quantize(CENT):f}"


def to_fen(value: Decimal) -> int:
    """Yuan as ``Decimal`` → integer fen."""
    return int(value.quantize(CENT) * 100)


def from_fen(fen: int) -> Decimal:
    """Integer fen → yuan as a two-place ``Decimal``."""
    return (Decimal(fen) / 100).quantize(CENT)


def _validate_signed(value: object) -> Decimal:
    return parse_money(value)


def _validate_non_negative(value: object) -> Decimal:
    result = parse_money(value)
    if result < 0:
        raise MoneyFormatError("amount must not be negative")
    return result


def _validate_negative(value: object) -> Decimal:
    result = parse_money(value)
    if result >= 0:
        raise MoneyFormatError("amount must be negative (a refund)")
    return result


# PlainValidator, not BeforeValidator: the function already returns a finite two-place ``Decimal``, so a
# second (core) Decimal validation pass would only cost time.
_SERIALIZE = PlainSerializer(format_money, return_type=str, when_used="always")
_JSON_SCHEMA = WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,18}\.\d{2}$"})

Money = Annotated[Decimal, PlainValidator(_validate_signed), _SERIALIZE, _JSON_SCHEMA]
"""A signed amount (adjustment deltas, differences)."""

NonNegativeMoney = Annotated[Decimal, PlainValidator(_validate_non_negative), _SERIALIZE, _JSON_SCHEMA]
"""An amount that may be zero but never negative (payments, indicators)."""

NegativeMoney = Annotated[Decimal, PlainValidator(_validate_negative), _SERIALIZE, _JSON_SCHEMA]
"""A strictly negative amount (2252 收款银行退款通知 carries refunds as negative amounts)."""
