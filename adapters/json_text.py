"""Strict JSON text: the one way the gateway reads JSON it did not write (``mof.json`` documents, API request
bodies, canonical JSON on the command line).

Python's :func:`json.loads` keeps the *last* of two equal keys, reads integers of any length, ``NaN`` and
``Infinity``, and decodes a lone ``\\ud800`` escape into a string no UTF-8 encoder (and no database) accepts.
A receiver that keeps the *first* key would read another document than the one authorised, and the others
end as unmapped 500s; so :func:`loads` refuses each of them with a :class:`MalformedDocument` code:

* ``duplicate_key`` — a key repeated in one object (any object, at any depth; values need not differ);
* ``number_too_large`` — an integer literal of more than :data:`MAX_INTEGER_DIGITS` digits (no field of
  ours holds one, and ``int()`` / ``Decimal`` work on such a literal is bounded only by its length);
* ``not_json`` — ``NaN`` / ``Infinity`` / ``-Infinity``, or not JSON at all;
* ``invalid_text`` — a key or string with a lone surrogate (``\\ud800`` … ``\\udfff`` not part of a pair):
  not a Unicode scalar value, so not UTF-8, so not storable;
* ``too_deep`` — nesting beyond the interpreter's recursion limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, NoReturn

from adapters.errors import MalformedDocument

MAX_INTEGER_DIGITS = 20
"""Longest integer literal accepted (sign aside): above the 18 integer digits of the standard's amount
columns, far below anything that costs time to convert."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""Cheap pre-check on the text (a literal prefix, so a fast scan): in text decoded strictly from bytes, only
an escape can put a surrogate into a decoded string."""


def _refuse_constant(name: str) -> NoReturn:
    raise MalformedDocument("not_json", f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise MalformedDocument(
            "number_too_large", f"an integer of {len(text)} digits; at most {MAX_INTEGER_DIGITS} are accepted"
        )
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise MalformedDocument("duplicate_key", f"the key {key[:64]!r} appears twice in one object")
            seen.add(key)
    return obj


def lone_surrogate(value: str) -> str | None:
    """The first lone surrogate of ``value`` as ``U+D800``, or ``None`` (a str holds no valid pairs: a
    decoded pair is one code point)."""
    found = _SURROGATE.search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _refuse_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            bad = lone_surrogate(item)
            if bad is not None:
                raise MalformedDocument(
                    "invalid_text", f"a string holds the lone surrogate {bad}, which is not a character"
                )
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads(text: str, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """``text`` as JSON, strictly (see the module docstring); ``parse_float`` as for :func:`json.loads`.
    ``text`` is decoded strictly from bytes (``bytes.decode("utf-8")``), so it holds no surrogate itself."""
    try:
        value = json.loads(
            text,
            parse_float=parse_float,
            parse_int=_bounded_int,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise MalformedDocument("too_deep", "JSON nesting is too deep") from None
    except json.JSONDecodeError as exc:
        raise MalformedDocument(
            "not_json", f"not valid JSON: {exc}", line=exc.lineno, column=exc.colno
        ) from None
    except ValueError as exc:
        raise MalformedDocument("not_json", f"not valid JSON: {exc}") from None
    if _SURROGATE_ESCAPE.search(text) is not None:
        _refuse_surrogates(value)
    return value
