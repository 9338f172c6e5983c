"""The inner ``<Voucher>`` document: root ``<Voucher>``, header elements, then
``<DetailList><Detail>…</Detail>…</DetailList>`` (DOMAIN.md §2.3), GBK."""

from __future__ import annotations

from typing import Any

from lxml import etree
from pydantic import BaseModel

from adapters._fields import field_map, read_leaves, write_leaves
from adapters.errors import MalformedDocument

DETAIL_LIST = "DetailList"
DETAIL = "Detail"
_CONTAINERS = frozenset({DETAIL_LIST})


def voucher_data(root: etree._Element, model: type[BaseModel], position: int) -> dict[str, Any]:
    """Field data of one inner voucher for ``model`` (not yet validated)."""
    if root.tag != "Voucher":
        raise MalformedDocument(
            "unexpected_element",
            f"inner document root is <{root.tag}>, expected <Voucher>",
            position=position,
        )
    fields = field_map(model)
    lists: list[etree._Element] = []  # the <DetailList> children, collected while reading the leaves
    data = read_leaves(
        root, fields, position=position, where="<Voucher>", containers=_CONTAINERS, found=lists
    )
    if fields.list_field is None or fields.item_model is None:
        if lists:
            raise MalformedDocument(
                "unexpected_element", "this voucher type has no <DetailList>", position=position
            )
        return data
    if len(lists) > 1:
        raise MalformedDocument("unexpected_element", "<DetailList> repeated", position=position)
    details: list[dict[str, Any]] = []
    item_fields = field_map(fields.item_model)
    for detail_list in lists:
        for child in detail_list:
            if not isinstance(child.tag, str):
                continue
            if child.tag != DETAIL:
                raise MalformedDocument(
                    "unexpected_element", f"<{child.tag}> inside <DetailList>", position=position
                )
            details.append(read_leaves(child, item_fields, position=position, where="<Detail>"))
    data[fields.list_field] = details
    return data


def voucher_element(message: BaseModel) -> etree._Element:
    """The inner ``<Voucher>`` element of a canonical message."""
    fields = field_map(type(message))
    root = etree.Element("Voucher")
    write_leaves(root, message, fields)
    if fields.list_field is not None and fields.item_model is not None:
        detail_list = etree.SubElement(root, DETAIL_LIST)
        item_fields = field_map(fields.item_model)
        for item in getattr(message, fields.list_field):
            write_leaves(etree.SubElement(detail_list, DETAIL), item, item_fields)
    return root


def voucher_bytes(message: BaseModel) -> bytes:
    """The inner document as GBK bytes with its XML declaration."""
    body = etree.tostring(voucher_element(message), encoding="GBK", xml_declaration=False)
    assert isinstance(body, bytes)
    return b'<?xml version="1.0" encoding="GBK"?>\n' + body
