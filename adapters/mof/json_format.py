"""``mof.json``: the 一体化 finance-to-finance exchange as JSON.

The column names are the standard's (``BGT_ID``, ``MOF_DIV_CODE``, …; see :mod:`adapters.mof.tables`); the
container is **our convention**, because the official exchange container was NOT FOUND (DOMAIN.md):

    {"BA_BGT_INFO": [ {"BGT_ID": "…", "MOF_DIV_CODE": "330000000", "AMOUNT": "1234.50", …}, … ]}

one top-level key naming the table (``BA_BGT_INFO`` | ``BA_BGT_ADJSUB`` | ``BA_BGT_RECEIPT``) whose value is
the list of rows. A column the table does not model is kept on the record, in its place, and rendered
back (:mod:`adapters.mof.preserve`); known columns keep their source text while unchanged. UTF-8 (a
byte-order mark is tolerated on input, never written). Amounts are written as JSON
strings; on input strings and integers (yuan) are accepted, JSON numbers with a fraction or an exponent are
refused (``float_not_allowed``). The JSON is read by :func:`adapters.json_text.loads`, which refuses a
repeated key (``duplicate_key``), ``NaN``/``Infinity``, integers of more than 20 digits
(``number_too_large``) and lone surrogates (``invalid_text``). Output is indented by two spaces, keys in table
column order, non-ASCII text as is, with a final newline — or, for a document read from ``mof.json``, in
the source's style (indentation, separators, escapes: :func:`adapters.mof.preserve.json_style`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from adapters import json_text
from adapters.base import Adapter, Document, Signature
from adapters.errors import DocumentTooLarge, MalformedDocument
from adapters.layout import Layout
from adapters.limits import DEFAULT_LIMITS, Limits
from adapters.mof.preserve import dump_json, json_row, json_style, split_json_row
from adapters.mof.tables import TABLES, JsonFloat, rows_to_document, table_for

_SNIFF = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\{\s*"(BA_BGT_INFO|BA_BGT_ADJSUB|BA_BGT_RECEIPT)"\s*:')


class MofJsonAdapter(Adapter):
    format: ClassVar[str] = "mof.json"
    media_type: ClassVar[str] = "application/json"
    signature: ClassVar[Signature | None] = Signature(
        "json", ("BA_BGT_INFO", "BA_BGT_ADJSUB", "BA_BGT_RECEIPT")
    )

    def identify(self, raw: bytes) -> bool:
        return _SNIFF.match(raw[:256]) is not None

    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        if len(raw) > limits.max_bytes:
            raise DocumentTooLarge(len(raw), limits.max_bytes)
        body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedDocument(
                "invalid_encoding", f"bytes at offset {exc.start} are not UTF-8"
            ) from None
        value = json_text.loads(text, parse_float=JsonFloat)
        if not isinstance(value, dict) or len(value) != 1:
            raise MalformedDocument(
                "bad_shape", 'expected one object with one table key, e.g. {"BA_BGT_INFO": [...]}'
            )
        ((name, rows),) = value.items()
        table = TABLES.get(name)
        if table is None:
            raise MalformedDocument(
                "unknown_table", f"{name!r} is not a table of mof.json ({', '.join(TABLES)})"
            )
        if not isinstance(rows, list):
            raise MalformedDocument("bad_shape", f"{name} must be a list of row objects")
        known: list[Mapping[str, object]] = []
        layouts: list[Layout] = []
        for position, row in enumerate(rows):
            if not isinstance(row, dict):
                raise MalformedDocument("bad_shape", "every row must be a JSON object", position=position)
            known_row, layout = split_json_row(table, row)  # unknown columns are kept, not refused
            known.append(known_row)
            layouts.append(layout)
        document = rows_to_document(self.format, table, known, limits, layouts=layouts)
        style = Layout("", texts=json_style(text))
        return Document(document.format, document.records, document.envelope, style)

    def render(self, document: Document) -> bytes:
        table = table_for(document.messages, self.format)
        rows: list[dict[str, Any]] = [json_row(table, r) for r in document.records]
        layout = document.layout
        style = layout.texts if layout is not None and "indent" in layout.texts else None
        return dump_json({table.name: rows}, style)
