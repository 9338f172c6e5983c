"""``mof.xml``: the 一体化 finance-to-finance exchange as XML.

The element names for columns are the standard's (``BGT_ID``, ``MOF_DIV_CODE``, …; see
:mod:`adapters.mof.tables`); the container is **our convention**, because the official exchange container
was NOT FOUND (DOMAIN.md). It is deliberately neither ``<MOF>`` (the 电子凭证 envelope) nor ``<CFX>``:

    <?xml version="1.0" encoding="UTF-8"?>
    <BGT_EXCHANGE>
      <BA_BGT_INFO>
        <BGT_ID>…</BGT_ID>
        <MOF_DIV_CODE>330000000</MOF_DIV_CODE>
        …
      </BA_BGT_INFO>
      …
    </BGT_EXCHANGE>

one element per row, named after its table (all rows of one document belong to one table), with one child
element per non-empty column. A column (or any element) the table does not model is kept on the record, in
its place, and rendered back (:mod:`adapters.mof.preserve`). UTF-8 only; parsed with
:func:`adapters._xml.parse_xml` (no DTDs, no entities,
bounded size and depth). Values are the same text as in ``mof.json``, so the two translate losslessly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import ClassVar

from lxml import etree

from adapters._xml import parse_xml
from adapters.base import Adapter, Document, Signature
from adapters.errors import MalformedDocument
from adapters.layout import (
    Built,
    Filler,
    Layout,
    Leaf,
    Node,
    build_element,
    capture,
    document_texts,
    place,
    serialize_like,
    slot_tails,
)
from adapters.limits import DEFAULT_LIMITS, Limits
from adapters.mof.preserve import RECORDS, ROW, strip_xml_row, xml_row
from adapters.mof.tables import TABLES, Table, plain_row, record_row, rows_to_document, table_for

ROOT = "BGT_EXCHANGE"
_HAS_NESTED = etree.XPath("boolean(*/*/*)")
_SNIFF = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--(?:(?!-->).)*-->\s*)*<BGT_EXCHANGE[\s>/]", re.S
)


class MofXmlAdapter(Adapter):
    format: ClassVar[str] = "mof.xml"
    media_type: ClassVar[str] = "application/xml"
    signature: ClassVar[Signature | None] = Signature("xml", (ROOT,))

    def identify(self, raw: bytes) -> bool:
        return _SNIFF.match(raw[:1024]) is not None

    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        root = parse_xml(raw, allowed_encodings=frozenset({"utf-8"}), limits=limits)
        if root.tag != ROOT:
            raise MalformedDocument("unexpected_element", f"root element is <{root.tag}>, expected <{ROOT}>")
        row_elements = [e for e in root.iterchildren(etree.Element) if e.tag in TABLES]
        rows: list[Mapping[str, object]] = []
        layouts: list[Layout] = []
        names: set[str] = set()
        for position, element in enumerate(row_elements):
            names.add(str(element.tag))
            if len(rows) >= limits.max_records:
                raise MalformedDocument("too_many_records", f"more than {limits.max_records} rows")
            row, layout = _row(element, position, TABLES[element.tag])  # unknown columns: kept aside
            rows.append(row)
            layouts.append(layout)
        if _HAS_NESTED(root):  # a column element holding elements (one libxml2 query, no Python walk)
            for nested in root.iterfind("*/*/*"):
                column = nested.getparent()
                row_element = column.getparent() if column is not None else None
                if column is None or row_element is None or row_element.tag not in TABLES:
                    continue  # inside an element that is not a row: an extension of the document
                raise MalformedDocument(
                    "unexpected_element", f"<{column.tag}> must hold text only, not <{nested.tag}>"
                )
        if len(names) > 1:
            raise MalformedDocument(
                "mixed_tables", f"one document holds one table, found {', '.join(sorted(names))}"
            )
        if not names:
            raise MalformedDocument("empty_document", f"<{ROOT}> has no rows")
        table = TABLES[names.pop()]
        document = rows_to_document(self.format, table, rows, limits, layouts=layouts)
        plain = len(row_elements) == len(root)  # every child of the root is a row
        envelope_layout = Layout("", build=lambda: _envelope_layout(raw, root), plain=plain)
        return Document(document.format, document.records, document.envelope, envelope_layout)

    def render(self, document: Document) -> bytes:
        table = table_for(document.messages, self.format)
        elements: list[etree._Element] = []
        for record in document.records:
            shaped = xml_row(table, record.message, record.layout)
            if shaped is None:
                shaped = etree.Element(table.name)
                for name, text in record_row(table, record).items():
                    etree.SubElement(shaped, name).text = str(text)
            elements.append(shaped)
        layout = document.layout
        root_node = layout.nodes.get("root") if layout is not None else None
        if layout is not None and root_node is not None and root_node.tag == ROOT:
            root = build_element(root_node, _RootFiller(root_node, elements))
            return serialize_like(root, layout.texts, _DECLARATION, "utf-8")
        root = etree.Element(ROOT)
        for element in elements:
            root.append(element)
        etree.indent(root, space="  ")
        body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        return _DECLARATION.encode("ascii") + body + b"\n"


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _envelope_layout(raw: bytes, root: etree._Element) -> Built:
    root_node, _ = capture(root, {}, nested=_ROW_SLOTS)
    return {"root": root_node}, document_texts(raw, "utf-8")


_ROW_SLOTS = dict.fromkeys(TABLES, RECORDS)


class _RootFiller(Filler):
    def __init__(self, root: Node, rows: list[etree._Element]) -> None:
        self.rows = rows
        self.tails = slot_tails(root, RECORDS)

    def text(self, leaf: Leaf) -> str | None:  # pragma: no cover - the root has no leaves
        return leaf.text

    def elements(self, node: Node) -> list[etree._Element]:
        return place(node, self.rows, self.tails) if node.slot == RECORDS else []


def _row(element: etree._Element, position: int, table: Table) -> tuple[Mapping[str, object], Layout]:
    """One row element → a :class:`PlainRow` when it needs no per-cell diagnosis, else its wire row; and its
    layout. Columns the table does not know are taken out of the element into the layout (built now);
    otherwise the layout is built on first use."""
    names = table.fields_by_wire
    model = table.model.__name__
    try:
        children = {names[child.tag]: child.text for child in element.iterchildren(etree.Element)}
    except KeyError:  # an unknown column: kept in the layout, and out of the row
        layout = Layout(model, {ROW: strip_xml_row(element, table)})
    else:
        whole = len(children) == len(element)  # no repeated column, no comment or PI among the children
        layout = Layout(model, build=partial(_row_nodes, element, table), plain=whole)
        if whole:
            plain = plain_row(table, children, children.values())
            if plain is not None:
                return plain, layout
    return _wire_row(element, position), layout


def _row_nodes(element: etree._Element, table: Table) -> Built:
    return {ROW: strip_xml_row(element, table)}, {}


def _wire_row(element: etree._Element, position: int) -> dict[str, object]:
    wire: dict[str, object] = {child.tag: child.text or "" for child in element.iterchildren(etree.Element)}
    if len(wire) == len(element):  # no repeated column (and no comment or PI among the children)
        return wire
    children = element.findall("*")
    row: dict[str, object] = {child.tag: child.text or "" for child in children}
    if len(row) != len(children):
        tags = [str(child.tag) for child in children]
        twice = next(tag for tag in tags if tags.count(tag) > 1)
        raise MalformedDocument("duplicate_column", f"<{twice}> appears twice in one row", position=position)
    return row
