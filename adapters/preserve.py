"""Extensions of a record, for people and storage: what the wire carried that the models do not know.

:func:`extensions` lists them (``{"where": container, "name": element or column, "text": verbatim}``)
for the trace view, :func:`extensions_text` / :func:`extensions_of` store and restore them
(docs/adr/0007-preserve-extensions.md; a whole layout goes to JSON with :mod:`adapters.canonical`).
"""

from __future__ import annotations

import json

from adapters.layout import Extra, Layout, Node
from adapters.mof.preserve import ROW
from adapters.mof.tables import TABLES

TABLE = "table"
"""``Layout.texts`` key naming the ``mof.json`` table of a row layout."""


def _node_extensions(node: Node, where: str) -> list[dict[str, str]]:
    here = f"{where}/{node.tag}" if where else node.tag
    if node.slot is not None and node.slot not in ("records", "head", "msg", "batch_head", "detail_list"):
        here = f"{here}[{node.number}]"
    out: list[dict[str, str]] = []
    for item in node.items:
        if isinstance(item, Extra):
            out.append({"where": here, "name": item.tag or "#comment", "text": item.xml})
        elif isinstance(item, Node):
            out.extend(_node_extensions(item, here))
    return out


def extensions(layout: Layout | None) -> list[dict[str, str]]:
    """Every extension of a record's layout, in document order."""
    if layout is None or layout.plain:
        return []
    out = [entry for node in layout.nodes.values() for entry in _node_extensions(node, "")]
    table = TABLES.get(layout.texts.get(TABLE, ""))
    if ROW in layout.texts and table is not None:
        for name, value in json.loads(layout.texts[ROW]):
            if name not in table.by_wire:
                text = json.dumps(value, ensure_ascii=False)
                out.append({"where": table.name, "name": str(name), "text": text})
    return out


def extensions_text(layout: Layout | None, envelope: Layout | None = None) -> str | None:
    """A record's extensions — after those of its document's ``envelope`` (a CFX ``HEAD`` element, a
    ``<MOF>`` child … belong to every record of the document) — as compact JSON for storage, ``None`` when
    there are none."""
    found = [*extensions(envelope), *extensions(layout)]
    return json.dumps(found, ensure_ascii=False, separators=(",", ":")) if found else None


def extensions_of(text: str | None) -> list[dict[str, str]]:
    """Stored extensions back (``[]`` for none, or for text that is not a list of extensions)."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    return [
        {str(k): str(v) for k, v in item.items()}
        for item in value
        if isinstance(item, dict) and {"where", "name", "text"} <= item.keys()
    ]
