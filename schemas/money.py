"""Money: the one place where amounts are parsed, bounded, converted and written.

An amount is a ``Decimal`` with exactly two places (yuan.fen) or an integer number of fen; never a float.
Every conversion in the project goes through this module:

* :func:`parse_money` — wire text / ``int`` / ``Decimal`` → two-place ``Decimal`` (refusing, see below);
* :func:`to_fen` — a ``Decimal`` or wire text → integer fen;
* :func:`from_fen` — integer fen → two-place ``Decimal``;
* :func:`format_money` / :func:`format_fen` — the canonical text ``-1234.50`` (no exponent, no grouping,
  ``0.00`` never ``-0.00``);
* :func:`format_grouped` — the same amount for people to read: ``-1,234.50`` (thousands grouped).

**One rounding rule: none.** An amount with more than two decimal places is refused
(``amount_precision``), never rounded; ``12`` and ``12.3`` are the same amounts as ``12.00`` and ``12.30``
(padding, not rounding). Conversions between yuan and fen are exact integer arithmetic.

**Text is read strictly.** The wire form is ASCII ``-?digits[.d[d]]``. Refused, each with its own code
(the ``rule`` of a :class:`~schemas.errors.Problem`, and :attr:`MoneyFormatError.code`):

========================  ===========================================================================
``amount_whitespace``     leading or trailing whitespace (``" 100.00"``)
``amount_not_ascii``      any non-ASCII character: full-width ``１００.００``, Arabic-Indic ``١٠٠``
                          (Python's ``Decimal()`` accepts both), other Unicode digits or signs
``amount_sign``           a leading ``+`` (``"+100.00"``)
``negative_zero``         ``-0``, ``-0.00``: a zero has no sign
``amount_not_decimal``    anything else that is not a plain decimal: ``1E3``, ``NaN``, ``1,000.00``,
                          ``.5``, ``""``; non-finite ``Decimal``; a value of another type
``amount_float``          a ``float`` (or ``bool``)
``amount_precision``      more than two decimal places
``amount_out_of_range``   magnitude above :data:`MAX_AMOUNT`
``amount_negative``       a negative value where the field is non-negative
``amount_not_negative``   zero or positive where the field is a refund (strictly negative)
========================  ===========================================================================

Legitimately negative amounts (ADJUST deltas, differences, 2252/2302 refunds) stay valid: ``-100.00`` is a
plain decimal.

**The maximum amount** is :data:`MAX_AMOUNT` = 999,999,999,999.99 yuan (10^12 yuan less one fen; at most
12 integer digits), i.e. :data:`MAX_FEN` = 99,999,999,999,999 fen. Why this bound:

* the store keeps fen in ``BIGINT`` columns (and DuckDB in ``BIGINT``/``HUGEINT``): 2^63 − 1 fen is about
  9.22 × 10^16 yuan. One amount at the maximum uses 1/92,233 of that, so a sum of **92,233 maximal
  amounts** (an indicator row after many adjustments, a day's clearing total, a pair's ledger total) still
  fits a signed 64-bit integer; in practice sums are taken as PostgreSQL ``NUMERIC`` (``SUM(bigint)``),
  DuckDB ``HUGEINT`` or Python ``int`` anyway, so they cannot overflow at all;
* it is far above any single real amount: a whole year of China's general public budget spending is of
  the order of 3 × 10^13 yuan, spread over tens of millions of vouchers and indicators; a whole province's
  year of central transfer payments is of the order of 10^11–10^12 yuan, and one indicator, voucher or
  quota balance is a part of such a total;
* it is the bound the property tests of the indicator models always drew from.

Amounts beyond it are refused at parse time (``amount_out_of_range``), so the adapters answer with a 4xx
(``schema_validation_failed`` naming the field) instead of a database overflow later.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

MAX_INTEGER_DIGITS = 12
"""Integer digits of the largest amount (leading zeros not counted)."""
MAX_FEN = 10 ** (MAX_INTEGER_DIGITS + 2) - 1
"""The largest magnitude of one amount, in fen: 99,999,999,999,999."""
MAX_AMOUNT = Decimal(MAX_FEN).scaleb(-2)
"""The largest magnitude of one amount, in yuan: 999999999999.99."""

AMOUNT_PATTERN = rf"-?0*[0-9]{{1,{MAX_INTEGER_DIGITS}}}(\.[0-9]{{1,2}})?"
"""An amount cell that :func:`parse_money` may accept (the columnar engines use it in SQL). It also
matches negative zeros; :data:`NEGATIVE_ZERO_PATTERN` tells those apart."""
NEGATIVE_ZERO_PATTERN = r"-0+(\.0{1,2})?"

_CANONICAL = re.compile(rf"-?[0-9]{{1,{MAX_INTEGER_DIGITS}}}\.[0-9]{{2}}")  # the fast path: "1234.50"
_DECIMAL = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")


class MoneyFormatError(ValueError):
    """An amount that is not a plain decimal with at most two places within :data:`MAX_AMOUNT`.

    ``code`` is the specific rule (see the module docstring)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _parse_text(value: str, *, bounded: bool = True) -> Decimal:
    if _CANONICAL.fullmatch(value) is not None:
        if value[0] == "-" and not value.strip("-0."):
            raise MoneyFormatError("negative_zero", "a zero amount has no sign (write 0.00)")
        return Decimal(value)
    if not value.isascii():
        raise MoneyFormatError("amount_not_ascii", "amount must be written with ASCII digits 0-9")
    if value != value.strip():
        raise MoneyFormatError("amount_whitespace", "amount must not have leading or trailing whitespace")
    if value.startswith("+"):
        raise MoneyFormatError("amount_sign", "amount must not carry a + sign")
    match = _DECIMAL.fullmatch(value)
    if match is None:
        raise MoneyFormatError("amount_not_decimal", "amount must be a plain decimal like 1234.50")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > 2:
        raise MoneyFormatError("amount_precision", "amount has more than two decimal places")
    if bounded and len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise MoneyFormatError("amount_out_of_range", f"amount exceeds the maximum of {MAX_AMOUNT} yuan")
    if value.startswith("-") and not (whole + fraction).strip("0"):
        raise MoneyFormatError("negative_zero", "a zero amount has no sign (write 0.00)")
    return Decimal(value).quantize(CENT)


def _two_places(value: Decimal) -> Decimal:
    """A finite ``Decimal`` with at most two places, as exactly two places (any magnitude)."""
    if not value.is_finite():
        raise MoneyFormatError("amount_not_decimal", "amount must be finite")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    exact = Context(prec=max(28, value.adjusted() + 4))  # enough digits to never round the integer part
    result = value.quantize(CENT, context=exact)
    if exponent < -2 and value != result:
        raise MoneyFormatError("amount_precision", "amount has more than two decimal places")
    return ZERO if result.is_zero() else result  # a computed -0.00 is the zero amount


def _in_range(result: Decimal) -> Decimal:
    if abs(result) > MAX_AMOUNT:
        raise MoneyFormatError("amount_out_of_range", f"amount exceeds the maximum of {MAX_AMOUNT} yuan")
    return result


def parse_money(value: object) -> Decimal:
    """Convert ``value`` to a two-place ``Decimal`` or raise :class:`MoneyFormatError` (with its code)."""
    if type(value) is str:
        return _parse_text(value)
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyFormatError(
            "amount_float", "amounts must be decimal strings, Decimal or integer yuan, never float"
        )
    if isinstance(value, int):
        if abs(value) > MAX_AMOUNT:
            raise MoneyFormatError("amount_out_of_range", f"amount exceeds the maximum of {MAX_AMOUNT} yuan")
        return Decimal(value).quantize(CENT)
    if isinstance(value, Decimal):
        return _in_range(_two_places(value))
    if isinstance(value, str):  # a str subclass (e.g. a JSON number's text): judged as text
        return _parse_text(str(value))
    raise MoneyFormatError("amount_not_decimal", f"amount of type {type(value).__name__} is not accepted")


def parse_sum(value: str) -> Decimal:
    """Text of a total or a difference of amounts (e.g. read back from a stored report): the same strict
    text rules as :func:`parse_money`, without the one-amount maximum (a sum may exceed it)."""
    return _parse_text(value, bounded=False)


def format_money(value: Decimal) -> str:
    """The wire form: a plain two-decimal string (no exponent, no thousands separators, no ``-0.00``).

    Any magnitude (totals too); more than two places is ``amount_precision``, never rounded."""
    return f"{_two_places(value):f}"


def format_grouped(value: Decimal) -> str:
    """For people (the ops pages): the canonical text with the thousands grouped by commas —
    ``1,234,567.89``, ``-1,234.00``, ``0.00``. Exact (integer digits only, any magnitude); more than two
    places is ``amount_precision``, never rounded. Never the wire form: :func:`parse_money` refuses it."""
    text = format_money(value)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, cents = digits.split(".")
    return f"{sign}{int(whole):,}.{cents}"


def to_fen(value: Decimal | str) -> int:
    """Yuan → integer fen, exactly. Wire text is read by :func:`parse_money` (every rule, the maximum
    included); a ``Decimal`` — an amount, or a sum or difference of amounts, so of any magnitude — must be
    finite with at most two places (``amount_precision`` otherwise: never rounded)."""
    amount = parse_money(value) if isinstance(value, str) else _two_places(value)
    sign, digits, exponent = amount.as_tuple()
    assert exponent == -2  # parse_money always answers with two places
    fen = int("".join(map(str, digits)) or "0")
    return -fen if sign else fen


def from_fen(fen: int) -> Decimal:
    """Integer fen → yuan as a two-place ``Decimal``, exactly, of any size (a sum may exceed one amount's
    bound; the text constructor never rounds, unlike ``Decimal`` arithmetic in a 28-digit context)."""
    return Decimal(format_fen(fen))


def format_fen(fen: int) -> str:
    """Integer fen → the canonical text ``-12.05`` (integer arithmetic only)."""
    whole, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{whole}.{cents:02d}"


def check_fen(fen: int) -> int:
    """``fen`` if its magnitude is at most :data:`MAX_FEN`, else ``amount_out_of_range``."""
    if abs(fen) > MAX_FEN:
        raise MoneyFormatError("amount_out_of_range", f"amount exceeds the maximum of {MAX_AMOUNT} yuan")
    return fen


def _custom(error: MoneyFormatError) -> PydanticCustomError:
    return PydanticCustomError(error.code, error.message)


def _validate_signed(value: object) -> Decimal:
    try:
        return parse_money(value)
    except MoneyFormatError as exc:
        raise _custom(exc) from None


def _validate_non_negative(value: object) -> Decimal:
    result = _validate_signed(value)
    if result < 0:
        raise PydanticCustomError("amount_negative", "amount must not be negative")
    return result


def _validate_negative(value: object) -> Decimal:
    result = _validate_signed(value)
    if result >= 0:
        raise PydanticCustomError("amount_not_negative", "amount must be negative (a refund)")
    return result


# PlainValidator, not BeforeValidator: the function already returns a finite two-place ``Decimal``, so a
# second (core) Decimal validation pass would only cost time.
_SERIALIZE = PlainSerializer(format_money, return_type=str, when_used="always")
_JSON_SCHEMA = WithJsonSchema({"type": "string", "pattern": rf"^-?\d{{1,{MAX_INTEGER_DIGITS}}}\.\d{{2}}$"})

Money = Annotated[Decimal, PlainValidator(_validate_signed), _SERIALIZE, _JSON_SCHEMA]
"""A signed amount (adjustment deltas, differences)."""

NonNegativeMoney = Annotated[Decimal, PlainValidator(_validate_non_negative), _SERIALIZE, _JSON_SCHEMA]
"""An amount that may be zero but never negative (payments, indicators)."""

NegativeMoney = Annotated[Decimal, PlainValidator(_validate_negative), _SERIALIZE, _JSON_SCHEMA]
"""A strictly negative amount (2252 收款银行退款通知 carries refunds as negative amounts)."""
