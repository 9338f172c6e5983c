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
element per non-empty column. UTF-8 only; parsed with :func:`adapters._xml.parse_xml` (no DTDs, no entities,
bounded size and depth). Values are the same text as in ``mof.json``, so the two translate losslessly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from lxml import etree

from adapters._xml import parse_xml
from adapters.base import Adapter, Document, Signature
from adapters.errors import MalformedDocument
from adapters.limits import DEFAULT_LIMITS, Limits
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
        if _HAS_NESTED(root):  # a column element holding elements (one libxml2 query, no Python walk)
            for nested in root.iterfind("*/*/*"):
                column = nested.getparent()
                name = column.tag if column is not None else "?"
                raise MalformedDocument(
                    "unexpected_element", f"<{name}> must hold text only, not <{nested.tag}>"
                )
        rows: list[Mapping[str, object]] = []
        names: set[str] = set()
        for position, element in enumerate(root.iterchildren(etree.Element)):
            if element.tag not in TABLES:
                raise MalformedDocument(
                    "unexpected_element", f"<{element.tag}> is not a table row", position=position
                )
            names.add(element.tag)
            if len(rows) >= limits.max_records:
                raise MalformedDocument("too_many_records", f"more than {limits.max_records} rows")
            rows.append(_row(element, position, TABLES[element.tag]))
        if len(names) > 1:
            raise MalformedDocument(
                "mixed_tables", f"one document holds one table, found {', '.join(sorted(names))}"
            )
        if not names:
            raise MalformedDocument("empty_document", f"<{ROOT}> has no rows")
        return rows_to_document(self.format, TABLES[names.pop()], rows, limits)

    def render(self, document: Document) -> bytes:
        table = table_for(document.messages, self.format)
        root = etree.Element(ROOT)
        for record in document.records:
            row = etree.SubElement(root, table.name)
            for name, text in record_row(table, record).items():
                etree.SubElement(row, name).text = str(text)
        etree.indent(root, space="  ")
        body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _row(element: etree._Element, position: int, table: Table) -> Mapping[str, object]:
    """One row element → a :class:`PlainRow` when it needs no per-cell diagnosis, else its wire row."""
    names = table.fields_by_wire
    try:
        children = {names[child.tag]: child.text for child in element.iterchildren(etree.Element)}
    except KeyError:  # an unknown column: the wire row lets rows_to_document report it
        pass
    else:
        if len(children) == len(element):  # no repeated column (and no comment or PI among the children)
            plain = plain_row(table, children, children.values())
            if plain is not None:
                return plain
    return _wire_row(element, position)


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
