"""A parsed document as canonical JSON *with its wire data*, so that ``fiscalgw convert --to json`` and back
(``--from json``) loses nothing (issue 12)::

    {
      "format": "cfx",                                   the wire format it was read from
      "envelope": {"SRC": "…", "DES": "…", "MsgID": "…", "MsgRef": "…", "WorkDate": "…", …},
      "messages": [ {canonical message}, … ],            exactly what a bare list of messages holds
      "records": [ {"meta": {"Attach": "…", "TimeStamp": "…"}, "layout": {…}}, … ],   one per message
      "layout": {…}                                      the envelope's wire shape
    }

``envelope``, ``records``, ``layout`` and the per-record ``meta`` / ``layout`` are optional (a record built
fresh has none). :func:`document_from_json` also reads one bare message object or a bare list of them.
A layout is applied only when the document is rendered back in the format it came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.base import Document, Record
from adapters.errors import MalformedDocument
from adapters.layout_json import layout_from_json, layout_to_json
from schemas.codelists import message_code_problems
from schemas.errors import Problem
from schemas.messages import parse_canonical_many, to_canonical_obj

CANONICAL = "json"


def document_to_obj(document: Document) -> dict[str, Any]:
    out: dict[str, Any] = {"format": document.format}
    if document.envelope:
        out["envelope"] = dict(document.envelope)
    out["messages"] = [to_canonical_obj(r.message) for r in document.records]
    wire: list[dict[str, Any]] = []
    for record in document.records:
        entry: dict[str, Any] = {}
        if record.meta:
            entry["meta"] = dict(record.meta)
        if record.layout is not None:
            entry["layout"] = layout_to_json(record.layout)
        wire.append(entry)
    if any(wire):
        out["records"] = wire
    if document.layout is not None:
        out["layout"] = layout_to_json(document.layout)
    return out


def document_json(document: Document) -> bytes:
    """:func:`document_to_obj` as UTF-8 JSON (two-space indent, non-ASCII as is, final newline)."""
    return (json.dumps(document_to_obj(document), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _strings(value: object, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise MalformedDocument("bad_shape", f"{what} is an object of strings")
    return dict(value)


def _codes(message: Any, position: int) -> tuple[Problem, ...]:
    return tuple(message_code_problems(message, f"[{position}]"))


def document_from_obj(value: object) -> Document:
    """A :class:`Document` from :func:`document_to_obj`'s form, a bare message or a bare list of messages
    (``bad_shape`` / ``bad_layout`` for a malformed wrapper; :class:`ValidationFailed` for bad messages).
    Each record's :attr:`Record.code_problems` are its values outside the code lists of its own division
    (:func:`schemas.codelists.message_code_problems`), as an adapter's parse gives them."""
    if not (isinstance(value, Mapping) and "messages" in value and "message_type" not in value):
        models = parse_canonical_many(value)
        return Document(
            CANONICAL, tuple(Record(i, m, code_problems=_codes(m, i)) for i, m in enumerate(models))
        )
    format_name = value.get("format", CANONICAL)
    messages = value["messages"]
    wire = value.get("records", [])
    if not isinstance(format_name, str) or not isinstance(messages, list) or not isinstance(wire, list):
        raise MalformedDocument("bad_shape", "format is a string, messages and records are lists")
    if wire and len(wire) != len(messages):
        raise MalformedDocument("bad_shape", f"{len(wire)} records for {len(messages)} messages")
    models = parse_canonical_many(messages)
    records = []
    for position, model in enumerate(models):
        entry = wire[position] if wire else {}
        if not isinstance(entry, Mapping):
            raise MalformedDocument("bad_shape", "every record is an object", position=position)
        layout = layout_from_json(entry["layout"]) if entry.get("layout") is not None else None
        meta = _strings(entry.get("meta"), "meta")
        records.append(Record(position, model, meta, layout, _codes(model, position)))
    envelope_layout = layout_from_json(value["layout"]) if value.get("layout") is not None else None
    return Document(format_name, tuple(records), _strings(value.get("envelope"), "envelope"), envelope_layout)


def for_format(document: Document, format_name: str) -> Document:
    """``document`` to render as ``format_name``: its layouts only if it came from that format."""
    if document.format == format_name:
        return document
    records = tuple(
        Record(r.position, r.message, r.meta, code_problems=r.code_problems) for r in document.records
    )
    return Document(format_name, records, document.envelope)
