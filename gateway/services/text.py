"""Text the store can hold: every string a request brings (query and path values, JSON body strings, form
fields) is checked here before it reaches a use case — one rule for the API and the ops pages.

PostgreSQL ``text`` cannot hold U+0000 (the driver refuses it), and a lone surrogate (``\\ud800`` decoded from
JSON) is not a Unicode scalar value, so no UTF-8 encoder — SQLite's, PostgreSQL's, the JSON answer's — takes
it. Either is refused as :class:`InvalidText` (HTTP 400 ``invalid_text``) on every database alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gateway.services.errors import InvalidText

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str, what: str) -> str:
    """``value`` unchanged, or :class:`InvalidText` naming ``what`` and the offending code point."""
    found = _UNSTORABLE.search(value)
    if found is not None:
        point = ord(found.group())
        kind = "U+0000 (NUL)" if point == 0 else f"the lone surrogate U+{point:04X}"
        raise InvalidText(f"{what} holds {kind}, which cannot be stored as text")
    return value


def scrubbed(value: str) -> str:
    """``value`` with every U+0000 and lone surrogate replaced by U+FFFD: for text the gateway writes about a
    request it refuses (the rejection's audit entry), which must be storable whatever the request held."""
    return _UNSTORABLE.sub("\ufffd", value)


def storable_pairs(pairs: Iterable[tuple[str, Any]], what: str) -> None:
    """Check the names and (string) values of ``pairs`` — query parameters, path parameters, form fields."""
    for name, value in pairs:
        storable(name, f"a {what} name")
        if isinstance(value, str):
            storable(value, f"{what} {name[:64]!r}")


def storable_json(value: Any, what: str) -> None:
    """Check every key and string of a decoded JSON value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            storable(item, what)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
