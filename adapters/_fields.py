"""Canonical field ⇄ wire element mapping shared by the e-voucher and CFX adapters (package-private).

Canonical field names are the snake_case of the standard's CamelCase element names, so the element name
is derived (``x_pay_amt`` → ``XPayAmt``, ``ecnomic_subject_code`` → ``EcnomicSubjectCode``); the few names
that do not follow the pattern are listed in :data:`IRREGULAR`. The wire order of elements is the field
declaration order of the model with ``Hold1``…``Hold4`` moved last (the standards' order is *inferred*)
— for a record built fresh; a record read from the wire is written back in its source order, with the
elements the model does not know kept in place (:mod:`adapters.layout`, :class:`ModelFiller`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from lxml import etree
from pydantic import BaseModel

from adapters.errors import MalformedDocument
from adapters.layout import Extra, Filler, Leaf, Node, build_element, capture, same_text
from schemas.dates import format_compact_date
from schemas.money import format_money

IRREGULAR: Mapping[str, str] = {
    "mof_dep_code": "MOFDepCode",
    "mof_dep_name": "MOFDepName",
    "da_voucher_no": "DAVoucherNo",  # 2301/2302 detail (ITFE Voucher2301MsgServer.java)
    "tklx": "TKLX",  # 2302 退款类型 (ITFE Voucher2302MsgServer.java)
    "bkyt": "bkyt",  # 2252 detail 拨款用途, lower case on the wire (ITFE Voucher2252MsgServer.java)
}
"""Element names that are not the CamelCase of their field name."""

NOT_ON_WIRE = frozenset({"message_type", "msg_no"})
"""Fields that the envelope, not an element, carries."""


def wire_name(field_name: str) -> str:
    """``pay_acct_no`` → ``PayAcctNo`` (with the :data:`IRREGULAR` exceptions)."""
    return IRREGULAR.get(field_name) or "".join(part[:1].upper() + part[1:] for part in field_name.split("_"))


@dataclass(frozen=True)
class FieldMap:
    """The leaf fields of a model in wire order, and its one list-of-details field (if any)."""

    leaves: tuple[tuple[str, str], ...]  # (field name, element name)
    by_element: Mapping[str, str]  # element name → field name
    list_field: str | None
    item_model: type[BaseModel] | None
    by_field: Mapping[str, str]  # field name → element name


@cache
def field_map(model: type[BaseModel]) -> FieldMap:
    leaves: list[tuple[str, str]] = []
    list_field: str | None = None
    item_model: type[BaseModel] | None = None
    for name, info in model.model_fields.items():
        if name in NOT_ON_WIRE:
            continue
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        if getattr(annotation, "__origin__", None) is tuple and args and isinstance(args[0], type):
            list_field, item_model = name, args[0]
            continue
        leaves.append((name, wire_name(name)))
    # the reserve elements Hold1…Hold4 close a header or detail (DOMAIN.md §2.3: "…, Hold1..Hold4,
    # <DetailList>"), also when a subclass (a 回单) adds its X-fields after them in declaration order
    leaves.sort(key=lambda leaf: leaf[0].startswith("hold"))
    return FieldMap(tuple(leaves), {w: f for f, w in leaves}, list_field, item_model, dict(leaves))


def to_text(value: object) -> str | None:
    """A canonical value as element text (``None`` stays ``None``: an empty element)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return format_compact_date(value)
    if isinstance(value, bool):  # pragma: no cover - no boolean fields on these wires
        raise TypeError("boolean fields have no wire form here")
    return str(value)


def read_element(
    element: etree._Element,
    fields: FieldMap,
    *,
    position: int | None,
    where: str,
    containers: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], Node, list[etree._Element]]:
    """The leaf children of ``element`` as canonical field data, the element's :class:`Node` layout and the
    children named in ``containers`` (tag → slot, in document order, for the caller to read).

    Empty elements are left out of the data (absent = empty). An element the model does not know is kept
    in the layout as an extension (never refused); a known element repeated or holding elements is
    malformed (``unexpected_element``)."""
    data: dict[str, Any] = {}
    try:
        node, found = capture(element, fields.by_element, nested=containers, data=data)
    except MalformedDocument as exc:
        raise MalformedDocument(exc.code, f"{exc.message} ({where})", position=position) from None
    return data, node, found


def read_leaves(
    element: etree._Element,
    fields: FieldMap,
    *,
    position: int | None,
    where: str,
    containers: frozenset[str] = frozenset(),
    found: list[etree._Element] | None = None,
) -> tuple[dict[str, Any], bool]:
    """The parse-time reader (no layout built): the leaf children of ``element`` as canonical field data,
    and whether every child was a known element (``plain``: no extension, comment or PI). Empty elements
    are left out (absent = empty); an element the model does not know is skipped here (the record's lazy
    layout keeps it, see :func:`read_element`); a known element repeated or holding elements is
    ``unexpected_element``. Children named in ``containers`` are the caller's: appended to ``found`` in
    document order."""
    data: dict[str, Any] = {}
    by_element = fields.by_element
    plain = True
    seen: list[str] = []
    for child in element:
        tag = child.tag
        field = by_element.get(tag)  # a comment's or PI's tag is a function: never a key
        if field is None:
            if tag in containers:
                if found is not None:
                    found.append(child)
            else:
                plain = False
            continue
        if len(child):
            raise MalformedDocument(
                "unexpected_element", f"<{tag}> must not have children ({where})", position=position
            )
        seen.append(field)
        text = child.text
        if text:
            data[field] = text
    if len(seen) != len(set(seen)):
        raise MalformedDocument("unexpected_element", f"an element is repeated in {where}", position=position)
    return data, plain


def write_leaves(parent: etree._Element, message: BaseModel, fields: FieldMap) -> None:
    """Append one element per leaf field, in wire order (``None`` → an empty element)."""
    for field, element_name in fields.leaves:
        etree.SubElement(parent, element_name).text = to_text(getattr(message, field))


class ModelFiller(Filler):
    """Fills a layout node from a canonical message: original texts while values are unchanged, known
    values without an element (other than ``implied`` ones, which the source carried elsewhere) after the
    last leaf, and nested nodes through ``nested`` (slot node → its elements)."""

    def __init__(
        self,
        message: BaseModel,
        fields: FieldMap,
        *,
        implied: frozenset[str] = frozenset(),
        skip: frozenset[str] = frozenset(),
        nested: Callable[[Node], list[etree._Element]] | None = None,
    ) -> None:
        self.message = message
        self.fields = fields
        self.implied = implied
        self.skip = skip
        self.nested = nested

    def keep(self, leaf: Leaf) -> bool:
        return leaf.field in self.fields.by_field and leaf.field not in self.skip

    def text(self, leaf: Leaf) -> str | None:
        value = getattr(self.message, leaf.field)
        return same_text(leaf.text, value, to_text(value))

    def elements(self, node: Node) -> list[etree._Element]:
        return self.nested(node) if self.nested is not None else []

    def missing(self, node: Node) -> list[tuple[str, str]]:
        present = {leaf.field for leaf in node.leaves()}
        out: list[tuple[str, str]] = []
        for field, element_name in self.fields.leaves:
            if field in present or field in self.implied or field in self.skip:
                continue
            text = to_text(getattr(self.message, field))
            if text is not None:
                out.append((element_name, text))
        return out


def render_node(node: Node, message: BaseModel, fields: FieldMap, **options: Any) -> etree._Element:
    """``node`` filled from ``message`` (see :class:`ModelFiller` for ``options``)."""
    return build_element(node, ModelFiller(message, fields, **options))


def blank(node: Node) -> Node:
    """``node`` as a template for a value the source did not carry: original texts and extensions gone."""
    items = tuple(
        Leaf(item.field, item.tag, None, item.tail) if isinstance(item, Leaf) else item
        for item in node.items
        if not isinstance(item, Extra)
    )
    return Node(node.tag, node.attrs, node.text, items, node.tail, node.slot, node.number)
