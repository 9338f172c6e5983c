"""Wire layouts (:mod:`adapters.layout`) as JSON and back, for ``fiscalgw convert --to json`` / ``--from
json`` (:mod:`adapters.canonical`). Reading is strict: anything that is not a layout is ``bad_layout``."""

from __future__ import annotations

from typing import Any

from adapters.errors import MalformedDocument
from adapters.layout import Extra, Item, Layout, Leaf, Node


def _item_to_json(item: Item) -> Any:
    if isinstance(item, Leaf):
        return ["f", item.field, item.tag, item.text, item.tail]
    if isinstance(item, Extra):
        return ["x", item.xml, item.tail]
    return node_to_json(item)


def node_to_json(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"tag": node.tag}
    if node.attrs:
        out["attrs"] = [list(pair) for pair in node.attrs]
    if node.text is not None:
        out["text"] = node.text
    out["items"] = [_item_to_json(item) for item in node.items]
    if node.tail is not None:
        out["tail"] = node.tail
    if node.slot is not None:
        out["slot"] = node.slot
        out["index"] = node.number
    return out


def _optional_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MalformedDocument("bad_layout", "a layout text is not a string")


def _item_from_json(value: object) -> Item:
    if isinstance(value, dict):
        return node_from_json(value)
    if isinstance(value, list) and value and value[0] == "f" and len(value) == 5:
        _, name, tag, text, tail = value
        if isinstance(name, str) and isinstance(tag, str):
            return Leaf(name, tag, _optional_text(text), _optional_text(tail))
    if isinstance(value, list) and value and value[0] == "x" and len(value) == 3:
        _, xml, tail = value
        if isinstance(xml, str):
            return Extra(xml, _optional_text(tail))
    raise MalformedDocument("bad_layout", "a layout item is neither a field, an extension nor a node")


def node_from_json(value: object) -> Node:
    if not isinstance(value, dict) or not isinstance(value.get("tag"), str):
        raise MalformedDocument("bad_layout", "a layout node needs a tag")
    attrs = value.get("attrs", [])
    items = value.get("items", [])
    if not isinstance(attrs, list) or not isinstance(items, list):
        raise MalformedDocument("bad_layout", "layout attrs and items are lists")
    pairs: list[tuple[str, str]] = []
    for pair in attrs:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise MalformedDocument("bad_layout", "a layout attribute is a [name, value] pair")
        pairs.append((pair[0], pair[1]))
    slot = value.get("slot")
    number = value.get("index", 0)
    if not isinstance(number, int) or (slot is not None and not isinstance(slot, str)):
        raise MalformedDocument("bad_layout", "a layout slot is a name and an index")
    return Node(
        value["tag"],
        tuple(pairs),
        _optional_text(value.get("text")),
        tuple(_item_from_json(item) for item in items),
        _optional_text(value.get("tail")),
        slot,
        number,
    )


def layout_to_json(layout: Layout) -> dict[str, Any]:
    return {
        "model": layout.model,
        "nodes": {name: node_to_json(node) for name, node in layout.nodes.items()},
        "texts": dict(layout.texts),
    }


def layout_from_json(value: object) -> Layout:
    """A layout back from :func:`layout_to_json` (``bad_layout`` for anything else)."""
    if not isinstance(value, dict) or not isinstance(value.get("model"), str):
        raise MalformedDocument("bad_layout", "a layout is an object with a model name")
    nodes = value.get("nodes", {})
    texts = value.get("texts", {})
    if not isinstance(nodes, dict) or not isinstance(texts, dict):
        raise MalformedDocument("bad_layout", "layout nodes and texts are objects")
    if not all(isinstance(v, str) for v in texts.values()):
        raise MalformedDocument("bad_layout", "layout texts are strings")
    return Layout(
        value["model"],
        {str(name): node_from_json(node) for name, node in nodes.items()},
        {str(k): str(v) for k, v in texts.items()},
    )
