"""The inner ``<Voucher>`` document: root ``<Voucher>``, header elements, then
``<DetailList><Detail>…</Detail>…</DetailList>`` (DOMAIN.md §2.3), GBK.

Elements the model does not know — in the header, in ``<DetailList>`` or in a ``<Detail>`` — are kept in
the voucher's layout node (:mod:`adapters.layout`), in order, and written back by :func:`voucher_element`
when it is given that node."""

from __future__ import annotations

import base64
import json
from typing import Any

from lxml import etree
from pydantic import BaseModel

from adapters._fields import FieldMap, blank, field_map, read_element, read_leaves, render_node, write_leaves
from adapters.errors import MalformedDocument
from adapters.layout import EMPTY_SHORT, Node, capture, serialize, with_nodes

DETAIL_LIST = "DetailList"
DETAIL = "Detail"
_LIST_SLOT = "detail_list"
_CONTAINERS = frozenset({DETAIL_LIST})


def voucher_read(root: etree._Element, model: type[BaseModel], position: int) -> tuple[dict[str, Any], Node]:
    """Field data of one inner voucher for ``model`` (not yet validated) and its layout node."""
    if root.tag != "Voucher":
        raise MalformedDocument(
            "unexpected_element",
            f"inner document root is <{root.tag}>, expected <Voucher>",
            position=position,
        )
    fields = field_map(model)
    has_list = fields.list_field is not None and fields.item_model is not None
    data, node, lists = read_element(
        root,
        fields,
        position=position,
        where="<Voucher>",
        containers={DETAIL_LIST: _LIST_SLOT} if has_list else None,
    )
    if not has_list or fields.list_field is None or fields.item_model is None:
        return data, node  # a <DetailList> of a type without details is an extension like any other
    if len(lists) > 1:
        raise MalformedDocument("unexpected_element", "<DetailList> repeated", position=position)
    details: list[dict[str, Any]] = []
    item_fields = field_map(fields.item_model)
    list_nodes: list[Node] = []
    for detail_list in lists:
        list_node, found = capture(detail_list, {}, nested={DETAIL: fields.list_field})
        detail_nodes: list[Node] = []
        for child in found:
            item, detail_node, _ = read_element(child, item_fields, position=position, where="<Detail>")
            details.append(item)
            detail_nodes.append(detail_node)
        list_nodes.append(with_nodes(list_node, detail_nodes))
    data[fields.list_field] = details
    return data, with_nodes(node, list_nodes)


def voucher_data(root: etree._Element, model: type[BaseModel], position: int) -> tuple[dict[str, Any], bool]:
    """Field data of one inner voucher for ``model`` (not yet validated), read without building a layout,
    and whether it holds only known elements (``plain``: no extension to keep)."""
    if root.tag != "Voucher":
        raise MalformedDocument(
            "unexpected_element",
            f"inner document root is <{root.tag}>, expected <Voucher>",
            position=position,
        )
    fields = field_map(model)
    if fields.list_field is None or fields.item_model is None:
        return read_leaves(root, fields, position=position, where="<Voucher>")
    lists: list[etree._Element] = []
    data, plain = read_leaves(
        root, fields, position=position, where="<Voucher>", containers=_CONTAINERS, found=lists
    )
    if len(lists) > 1:
        raise MalformedDocument("unexpected_element", "<DetailList> repeated", position=position)
    details: list[dict[str, Any]] = []
    item_fields = field_map(fields.item_model)
    for detail_list in lists:
        for child in detail_list:
            if child.tag != DETAIL:
                plain = False  # an extension inside <DetailList>
                continue
            item, item_plain = read_leaves(child, item_fields, position=position, where="<Detail>")
            details.append(item)
            plain = plain and item_plain
    data[fields.list_field] = details
    return data, plain


def voucher_element(
    message: BaseModel, layout: Node | None = None, implied: frozenset[str] = frozenset()
) -> etree._Element:
    """The inner ``<Voucher>`` element of a canonical message (shaped like ``layout`` when given;
    ``implied``: header fields the source left to the envelope, not written inside)."""
    fields = field_map(type(message))
    if layout is not None:
        return _from_layout(message, layout, fields, implied)
    root = etree.Element("Voucher")
    write_leaves(root, message, fields)
    if fields.list_field is not None and fields.item_model is not None:
        detail_list = etree.SubElement(root, DETAIL_LIST)
        item_fields = field_map(fields.item_model)
        for item in getattr(message, fields.list_field):
            write_leaves(etree.SubElement(detail_list, DETAIL), item, item_fields)
    return root


def _from_layout(
    message: BaseModel, layout: Node, fields: FieldMap, implied: frozenset[str]
) -> etree._Element:
    list_field, item_model = fields.list_field, fields.item_model
    items: tuple[BaseModel, ...] = tuple(getattr(message, list_field)) if list_field else ()

    def detail_list(node: Node) -> list[etree._Element]:
        if node.slot != _LIST_SLOT or item_model is None:
            return []
        item_fields = field_map(item_model)
        detail_nodes = [n for n in node.nodes() if n.slot == list_field]
        last = len(detail_nodes) - 1

        def detail(slot_node: Node) -> list[etree._Element]:
            if slot_node.slot != list_field or slot_node.number >= len(items):
                return []
            out = [render_node(slot_node, items[slot_node.number], item_fields)]
            if slot_node.number == last:  # details the source did not have, shaped like its last one
                template = blank(slot_node)
                out.extend(render_node(template, extra, item_fields) for extra in items[last + 1 :])
            return out

        element = render_node(node, message, FieldMap((), {}, None, None, {}), nested=detail)
        if not detail_nodes:  # a source <DetailList/> without details: write the message's details
            for extra in items:
                write_leaves(etree.SubElement(element, DETAIL), extra, item_fields)
        return [element]

    element = render_node(layout, message, fields, nested=detail_list, implied=implied)
    if list_field is not None and items and not any(n.slot == _LIST_SLOT for n in layout.nodes()):
        container = etree.SubElement(element, DETAIL_LIST)  # the source had no <DetailList>
        item_fields = field_map(item_model) if item_model is not None else None
        for extra in items:
            if item_fields is not None:
                write_leaves(etree.SubElement(container, DETAIL), extra, item_fields)
    return element


def voucher_bytes(
    message: BaseModel,
    layout: Node | None = None,
    prolog: str | None = None,
    epilogue: str = "",
    codec: str = "gbk",
    *,
    implied: frozenset[str] = frozenset(),
    newline: str = "\n",
    empty: str = EMPTY_SHORT,
) -> bytes:
    """The inner document as GBK (or ``codec``) bytes with its XML declaration (``prolog`` / ``epilogue``:
    the source's, verbatim)."""
    element = voucher_element(message, layout, implied)
    if prolog is None:
        body = etree.tostring(element, encoding="GBK", xml_declaration=False)
        assert isinstance(body, bytes)
        return b'<?xml version="1.0" encoding="GBK"?>\n' + body
    return serialize(element, prolog, epilogue, codec, newline, empty)


def _b64_lines(raw: bytes, width: int, separator: str) -> str:
    text = base64.b64encode(raw).decode("ascii")
    if width <= 0:
        return text
    return separator.join(text[at : at + width] for at in range(0, len(text), width))


def b64_shape(text: str, raw: bytes) -> str | None:
    """The line shape of a base64 text (``width|separator|lead|trail`` as JSON), or ``None`` when
    re-encoding ``raw`` in that shape would not give ``text`` back (then the standard one line is used)."""
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    separator = "\r\n" if "\r\n" in core else "\n" if "\n" in core else ""
    width = len(core.split(separator, 1)[0]) if separator else 0
    if _b64_lines(raw, width, separator) != core:
        return None
    return json.dumps([width, separator, lead, trail])


def b64_render(raw: bytes, shape: str | None) -> str:
    """``raw`` as base64 text in ``shape`` (from :func:`b64_shape`; one line without one)."""
    if shape is None:
        return base64.b64encode(raw).decode("ascii")
    try:
        width, separator, lead, trail = json.loads(shape)
        return str(lead) + _b64_lines(raw, int(width), str(separator)) + str(trail)
    except (ValueError, TypeError):
        return base64.b64encode(raw).decode("ascii")
