"""Build e-voucher documents from ITFE field lists and check the canonical result against them.

A document here is a list of ``(element, text)`` pairs in the order the public source lists them (repo
``caoyanguo/ITFE``; each test module names the file and the field list it follows). Documents are written
from those field lists with our own values; no source file is copied. :func:`assert_carries` checks,
element by element, that the canonical record holds exactly what the document said: the same text, the
same amount, the same date, and ``None`` for an element that was present and empty.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
from pydantic import BaseModel

from adapters._fields import field_map
from adapters.base import Document
from adapters.evoucher import EVoucherAdapter
from schemas.errors import ValidationFailed
from tests.adapters.evoucher_build import DECL, body, envelope

Fields = list[tuple[str, str]]
ADAPTER = EVoucherAdapter()
HEADER_ATTRIBUTES = ("AdmDivCode", "StYear", "VtCode", "VoucherNo")


def inner_voucher(header: Fields, details: list[Fields] | None = None) -> bytes:
    """The inner ``<Voucher>`` as ITFE writes it: header elements, then ``<DetailList>`` last, GBK."""
    parts = ["<Voucher>"]
    parts += [f"<{name}>{escape(text)}</{name}>" for name, text in header]
    if details is not None:
        parts.append("<DetailList>")
        for detail in details:
            parts.append("<Detail>")
            parts += [f"<{name}>{escape(text)}</{name}>" for name, text in detail]
            parts.append("</Detail>")
        parts.append("</DetailList>")
    parts.append("</Voucher>")
    return DECL + "".join(parts).encode("gbk")


def document(header: Fields, details: list[Fields] | None = None, *, flag: str = "0") -> bytes:
    """A one-body ``<MOF>`` envelope whose ``VoucherBody`` attributes repeat the inner header."""
    values = dict(header)
    return envelope(
        body(
            inner_voucher(header, details),
            adm=values["AdmDivCode"],
            year=values["StYear"],
            vt=values["VtCode"],
            no=values["VoucherNo"],
            flag=flag,
        )
    )


def parse_one(raw: bytes) -> Document:
    parsed = ADAPTER.parse(raw)
    assert len(parsed.records) == 1
    return parsed


def problems(raw: bytes) -> list[tuple[str, str]]:
    """``(path, rule)`` of every problem of a document that must be refused."""
    with pytest.raises(ValidationFailed) as info:
        ADAPTER.parse(raw)
    return [(p.path, p.rule) for p in info.value.problems]


def _assert_same(value: object, text: str, where: str) -> None:
    if text == "":
        assert value is None, f"{where}: empty on the wire but {value!r} in the record"
    elif isinstance(value, Decimal):
        assert value == Decimal(text), f"{where}: {text!r} on the wire, {value} in the record"
    elif isinstance(value, date):
        assert value.strftime("%Y%m%d") == text, f"{where}: {text!r} on the wire, {value} in the record"
    elif isinstance(value, int):
        assert value == int(text), f"{where}: {text!r} on the wire, {value} in the record"
    else:
        assert value == text, f"{where}: {text!r} on the wire, {value!r} in the record"


def _assert_fields(message: BaseModel, elements: Fields, where: str) -> None:
    by_element = field_map(type(message)).by_element
    for element, text in elements:
        assert element in by_element, f"{where}<{element}> is not a field of {type(message).__name__}"
        _assert_same(getattr(message, by_element[element]), text, f"{where}<{element}>")


def assert_carries(message: BaseModel, header: Fields, details: list[Fields] | None = None) -> None:
    """Every element of the document, header and details, is in ``message`` with its value."""
    _assert_fields(message, header, "")
    if details is None:
        return
    fields = field_map(type(message))
    assert fields.list_field is not None
    items = getattr(message, fields.list_field)
    assert len(items) == len(details)
    for index, (item, detail) in enumerate(zip(items, details, strict=True)):
        _assert_fields(item, detail, f"<Detail>[{index}]")


def replace(fields: Fields, **changes: str) -> Fields:
    """``fields`` with the text of the named elements changed (order kept)."""
    unknown = set(changes) - {name for name, _ in fields}
    assert not unknown, unknown
    return [(name, changes.get(name, text)) for name, text in fields]
