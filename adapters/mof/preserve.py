"""Preserve, don't refuse, for the ``mof`` family (issue 12; docs/adr/0007-preserve-extensions.md).

A column the table does not model is kept — in its place, with its value (any JSON value in ``mof.json``,
the element with its nested content in ``mof.xml``) — in the record's :class:`~adapters.layout.Layout`
instead of being refused. A known column keeps its original text while its value is unchanged (``900000``
stays ``900000``, not ``900000.00``; a JSON number stays a number), and the same format renders the row
back in its source order. Layout of a ``mof.json`` row: ``texts["row"]``, the JSON list of its
``[column, value]`` pairs; of a ``mof.xml`` row: ``nodes["row"]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from lxml import etree
from pydantic import BaseModel

from adapters.base import Record
from adapters.layout import Extra, Filler, Layout, Leaf, Node, build_element, verbatim
from adapters.mof.tables import Column, Table, record_row, wire_value

ROW = "row"
RECORDS = "records"


def same_cell(original: object, fresh: str | None, column: Column) -> object:
    """``original`` while it still means the value whose wire text is ``fresh``, else ``fresh``."""
    if fresh is None:
        return original if original in (None, "") else None
    if original is None or original == "" or isinstance(original, bool):
        return fresh
    text = str(original) if isinstance(original, int) else original
    if not isinstance(text, str):
        return fresh
    if text == fresh:
        return original
    if column.kind in ("money", "recall_money"):
        try:
            return original if Decimal(text.strip()) == Decimal(fresh) else fresh
        except InvalidOperation:
            return fresh
    if column.kind in ("date", "datetime"):
        spaced = text.replace("T", " ")
        return original if spaced in (fresh, f"{fresh} 00:00:00") else fresh
    return original if text.strip() == fresh else fresh


def _usable(layout: Layout | None, table: Table, key: str) -> bool:
    return (
        layout is not None
        and layout.model == table.model.__name__
        and key in layout.texts
        and layout.texts.get("table") == table.name
    )


# ---------------------------------------------------------------------------------------------- mof.json


def split_json_row(table: Table, row: Mapping[str, object]) -> tuple[Mapping[str, object], Layout]:
    """(the row's known columns, its layout): unknown columns live only in the layout."""
    columns = table.by_wire
    plain = row.keys() <= columns.keys()
    known = row if plain else {name: value for name, value in row.items() if name in columns}
    return known, Layout(table.model.__name__, build=partial(_json_row_layout, row, table), plain=plain)


def _json_row_layout(row: Mapping[str, object], table: Table) -> tuple[dict[str, Node], dict[str, str]]:
    pairs = [[name, value] for name, value in row.items()]
    return {}, {ROW: json.dumps(pairs, ensure_ascii=False), "table": table.name}


def json_row(table: Table, record: Record) -> dict[str, Any]:
    """The wire row of ``record``: in its source's order and values when its layout is its own, else
    :func:`~adapters.mof.tables.record_row` (the standard order, in the wire forms of
    ``meta["wire_forms"]``, for a record whose layout was not kept)."""
    message, layout = record.message, record.layout
    if layout is None or not _usable(layout, table, ROW):
        return dict(record_row(table, record))
    row: dict[str, Any] = {}
    for name, original in json.loads(layout.texts[ROW]):
        column = table.by_wire.get(name)
        if column is None:
            row[name] = original  # an extension: verbatim
            continue
        fresh = wire_value(column, message)
        if original is None and fresh is None:
            row[name] = None  # a JSON null the source wrote stays null
            continue
        value = same_cell(original, fresh, column)
        if value is not None:
            row[name] = value
    for column in table.columns:
        if column.wire not in row:
            text = wire_value(column, message)
            if text is not None:
                row[column.wire] = text
    return row


_INDENT = re.compile(r'^\{\r?\n( +|\t)"')


def json_style(text: str) -> dict[str, str]:
    """How a ``mof.json`` text is laid out, read from its first bytes: indentation (``"2"``, ``"4"``,
    ``"\t"``, ``""`` for one line), separators (``compact`` ``,``/``:`` or the default ``, ``/``: ``),
    ``\\uXXXX`` escapes, final newline — so the same format renders in the same style (byte-equal for a
    text that a JSON library wrote in one of these styles)."""
    head = text[:4096]
    found = _INDENT.match(head)
    indent = "" if found is None else ("\t" if found.group(1) == "\t" else str(len(found.group(1))))
    compact = indent == "" and '":' in head and '": ' not in head
    return {
        "indent": indent,
        "compact": "1" if compact else "",
        "ascii": "1" if "\\u" in text else "",
        "newline": "\n" if text.endswith("\n") else "",
    }


def dump_json(value: object, style: Mapping[str, str] | None) -> bytes:
    """``value`` as ``mof.json`` bytes in ``style`` (ours — two spaces, final newline — without one)."""
    if style is None:
        return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    indent_text = style.get("indent", "2")
    indent: int | str | None = None
    if indent_text:
        indent = "\t" if indent_text == "\t" else int(indent_text)
    separators = (",", ":") if style.get("compact") else None
    ascii_only = bool(style.get("ascii"))
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent, separators=separators)
    return (text + style.get("newline", "")).encode("utf-8")


# ----------------------------------------------------------------------------------------------- mof.xml


def strip_xml_row(element: etree._Element, table: Table) -> Node:
    """The layout node of a row element; its unknown children are removed from ``element`` (they live on
    in the node), so the row reads as if they were not there."""
    items: list[Leaf | Extra | Node] = []
    unknown: list[etree._Element] = []
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag in table.by_wire:
            items.append(Leaf(table.by_wire[tag].field, tag, child.text, child.tail))
        elif isinstance(tag, str):
            items.append(verbatim(child))
            unknown.append(child)
        else:
            items.append(verbatim(child))
    for child in unknown:
        element.remove(child)
    attrs = tuple((str(k), str(v)) for k, v in element.attrib.items())
    return Node(str(element.tag), attrs, element.text, tuple(items), element.tail)


class XmlRowFiller(Filler):
    def __init__(self, table: Table, message: BaseModel) -> None:
        self.table = table
        self.message = message

    def keep(self, leaf: Leaf) -> bool:
        return leaf.tag in self.table.by_wire

    def text(self, leaf: Leaf) -> str | None:
        column = self.table.by_wire[leaf.tag]
        value = same_cell(leaf.text, wire_value(column, self.message), column)
        return None if value is None else str(value)

    def missing(self, node: Node) -> list[tuple[str, str]]:
        present = {leaf.tag for leaf in node.leaves()}
        out = []
        for column in self.table.columns:
            if column.wire not in present:
                text = wire_value(column, self.message)
                if text is not None:
                    out.append((column.wire, text))
        return out


def xml_row(table: Table, message: BaseModel, layout: Layout | None) -> etree._Element | None:
    """The row element of ``message`` in its source shape, or ``None`` without a usable layout."""
    if layout is None or layout.model != table.model.__name__ or ROW not in layout.nodes:
        return None
    node = layout.nodes[ROW]
    if node.tag != table.name:
        return None
    return build_element(node, XmlRowFiller(table, message))
