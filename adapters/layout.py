"""Wire layouts: what a parsed XML element looked like, so the same format can be rendered back faithfully
("preserve, don't refuse", issue 12; docs/adr/0007-preserve-extensions.md).

A :class:`Node` is one container element (``<VoucherBody>``, the inner ``<Voucher>``, ``<Detail>``,
``<Bill2201>``, a ``mof.xml`` row …): its attributes in order, the text before its first child, its items in
document order and its tail. An item is

* a :class:`Leaf` — an element the model knows: the canonical field it fills (or an envelope key such as
  ``HEAD:SRC``), its tag, the original text (so ``900000`` is not rewritten as ``900000.00`` while the value
  is unchanged) and its tail (the indentation that follows it);
* an :class:`Extra` — an element we do not model (with its nested content), a comment or a processing
  instruction, kept verbatim as an *extension*;
* a nested :class:`Node` — a detail (``slot`` names the list field, ``number`` its place) or a plain
  container such as ``<DetailList>``.

A :class:`Layout` bundles the nodes of one record (or of a document's envelope) with a few texts (the inner
voucher's XML declaration, the base64 line shape, …). Layouts are plain data: :mod:`adapters.layout_json`
turns them into JSON for ``fiscalgw convert``.

:func:`build_element` renders a node with a :class:`Filler`, which supplies the current text of each leaf,
the elements of each nested node and the known values the layout has no element for.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, NamedTuple

from lxml import etree

from adapters.errors import MalformedDocument

_DECLARATIONS = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FRAGMENT_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
)


class Leaf(NamedTuple):
    """A known element: the ``field`` it fills (or an envelope key), its ``tag``, original ``text``, tail."""

    field: str
    tag: str
    text: str | None = None
    tail: str | None = None


class Extra(NamedTuple):
    """An element, comment or processing instruction we do not model, verbatim (an extension)."""

    xml: str
    tail: str | None = None

    @property
    def tag(self) -> str | None:
        """The element name of an extension element (``None`` for a comment or PI)."""
        if not self.xml.startswith("<") or self.xml.startswith(("<!", "<?")):
            return None
        end = len(self.xml)
        for stop in (" ", ">", "/", "\t", "\n", "\r"):
            at = self.xml.find(stop, 1)
            if at != -1:
                end = min(end, at)
        return self.xml[1:end]


class Node(NamedTuple):
    """A container element and its items in document order (named tuples: a layout is built for every
    element of every parsed document, so construction must cost no more than a tuple)."""

    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    items: tuple[Item, ...] = ()
    tail: str | None = None
    slot: str | None = None
    """The list field this node is one item of (``details``), or a role such as ``records``."""
    number: int = 0
    """Its 0-based place among the nodes of its slot."""

    def leaves(self) -> Iterator[Leaf]:
        return (item for item in self.items if type(item) is Leaf)

    def extras(self) -> Iterator[Extra]:
        return (item for item in self.items if type(item) is Extra)

    def nodes(self) -> Iterator[Node]:
        return (item for item in self.items if type(item) is Node)


Item = Leaf | Extra | Node


Built = tuple[Mapping[str, Node], Mapping[str, str]]


class Layout:
    """The wire shape of one record (``model`` names the class it was read for) or of a document envelope
    (``model`` empty): named nodes and texts.

    A layout read from the wire is usually built lazily (``build``: from the parsed elements, on first use
    of :attr:`nodes` or :attr:`texts`), so that parsing costs no more than before for records nobody
    renders back; ``plain`` says, without building, that the source had no extension at all."""

    __slots__ = ("_build", "_nodes", "_texts", "model", "plain")

    def __init__(
        self,
        model: str,
        nodes: Mapping[str, Node] | None = None,
        texts: Mapping[str, str] | None = None,
        *,
        build: Callable[[], Built] | None = None,
        plain: bool = False,
    ) -> None:
        self.model = model
        self._nodes = nodes if nodes is not None else {}
        self._texts = texts if texts is not None else {}
        self._build = build
        self.plain = plain

    def _built(self) -> None:
        build = self._build
        if build is not None:
            self._build = None
            self._nodes, self._texts = build()

    @property
    def nodes(self) -> Mapping[str, Node]:
        self._built()
        return self._nodes

    @property
    def texts(self) -> Mapping[str, str]:
        self._built()
        return self._texts

    def __repr__(self) -> str:
        return f"Layout({self.model!r}, plain={self.plain})"


# ------------------------------------------------------------------------------------------------ capture


def verbatim(element: etree._Element) -> Extra:
    """An element, comment or PI kept as it is (nested content included, tail separate)."""
    text = etree.tostring(element, encoding="unicode", with_tail=False)
    return Extra(text, element.tail)


def capture(
    element: etree._Element,
    known: Mapping[str, str],
    *,
    nested: Mapping[str, str] | None = None,
    attrs: bool = True,
    data: dict[str, Any] | None = None,
) -> tuple[Node, list[etree._Element]]:
    """The layout of ``element``: children whose tag is in ``known`` (tag → field) become leaves, children
    whose tag is in ``nested`` (tag → slot) become placeholder nodes (returned, in order, for the caller
    to capture with their own field maps), everything else an :class:`Extra`. A known element holding
    elements, or a known element repeated, is malformed (``unexpected_element``). When ``data`` is given,
    each non-empty leaf's text is put there under its field (the record data, read in the same pass)."""
    items: list[Item] = []
    append = items.append
    containers: list[etree._Element] = []
    seen: set[str] = set()
    counters: dict[str, int] = {}
    for child in element:
        tag = child.tag
        name = known.get(tag)  # a comment's or PI's tag is a function: never a key
        if name is not None:
            if len(child):
                raise MalformedDocument("unexpected_element", f"<{tag}> must not have children")
            if name in seen:
                raise MalformedDocument("unexpected_element", f"<{tag}> is repeated in <{element.tag}>")
            seen.add(name)
            text = child.text
            append(Leaf(name, tag, text, child.tail))
            if text and data is not None:
                data[name] = text
        elif nested is not None and tag in nested:
            slot = nested[tag]
            index = counters.get(slot, 0)
            counters[slot] = index + 1
            append(Node(tag, (), None, (), child.tail, slot, index))
            containers.append(child)
        else:
            append(verbatim(child))
    attributes = (
        tuple((str(k), str(v)) for k, v in element.attrib.items()) if attrs and element.attrib else ()
    )
    return Node(element.tag, attributes, element.text, tuple(items), element.tail), containers


def with_nodes(node: Node, children: Sequence[Node]) -> Node:
    """``node`` with its placeholder nodes replaced, in order, by ``children`` (same slot and number)."""
    queue = iter(children)
    items: list[Item] = []
    for item in node.items:
        if isinstance(item, Node):
            child = next(queue)
            items.append(
                Node(child.tag, child.attrs, child.text, child.items, item.tail, item.slot, item.number)
            )
        else:
            items.append(item)
    return Node(node.tag, node.attrs, node.text, tuple(items), node.tail, node.slot, node.number)


def with_slot(node: Node, slot: str, child: Node) -> Node:
    """``node`` with its (first) placeholder of ``slot`` replaced by ``child``."""
    items: list[Item] = []
    done = False
    for item in node.items:
        if not done and isinstance(item, Node) and item.slot == slot:
            items.append(
                Node(child.tag, child.attrs, child.text, child.items, item.tail, item.slot, item.number)
            )
            done = True
        else:
            items.append(item)
    return Node(node.tag, node.attrs, node.text, tuple(items), node.tail, node.slot, node.number)


# ---------------------------------------------------------------------------------------------- rendering


def same_text(original: str | None, value: object, fresh: str | None) -> str | None:
    """The text to write for a known value: ``original`` while it still means ``value`` (``900000`` for
    ``Decimal("900000.00")``, ``2026-03-16`` and ``20260316`` for the same date), else ``fresh``."""
    if value is None:
        return original if not original else None
    if original is None or original == "":
        return fresh
    if original == fresh:
        return original
    try:
        if isinstance(value, Decimal):
            return original if Decimal(original.strip()) == value else fresh
        if isinstance(value, Enum):
            return original if original == str(value.value) else fresh
        if isinstance(value, int) and not isinstance(value, bool):
            return original if int(original.strip()) == value else fresh
        if isinstance(value, date) and fresh is not None:
            compact = original.replace("-", "").replace("T", " ").replace(":", "").replace(" ", "")
            return original if compact == fresh.replace("-", "").replace(" ", "").replace(":", "") else fresh
    except (InvalidOperation, ValueError):
        return fresh
    return fresh


class Filler(abc.ABC):
    """What :func:`build_element` asks while rendering a node."""

    @abc.abstractmethod
    def text(self, leaf: Leaf) -> str | None:
        """The current text of a leaf (its original text while unchanged)."""

    def attribute(self, name: str, original: str) -> str | None:
        """The current value of an attribute (``None`` drops it)."""
        return original

    def keep(self, leaf: Leaf) -> bool:
        """Whether the leaf's element is written at all."""
        return True

    def elements(self, node: Node) -> list[etree._Element]:
        """The elements a nested node stands for (none, one, or — for the last detail — several)."""
        return []

    def missing(self, node: Node) -> list[tuple[str, str]]:
        """(tag, text) of known values the node has no element for, written after its last leaf."""
        return []


def slot_tails(node: Node, slot: str) -> list[str | None]:
    """The tails of ``node``'s nested nodes of ``slot``, in order."""
    return [child.tail for child in node.nodes() if child.slot == slot]


def place(
    node: Node, elements: Sequence[etree._Element], tails: Sequence[str | None]
) -> list[etree._Element]:
    """The elements slot ``node`` (one of ``len(tails)`` slots) stands for when ``elements`` are rendered
    into those slots: element ``i`` in slot ``i``; the last slot used takes every element left over (the
    ones between with the tail between slots, the last with the closing tail)."""
    count, slots, at = len(elements), len(tails), node.number
    last = min(count, slots) - 1
    if at > last:
        return []
    if at < last:
        elements[at].tail = tails[at]
        return [elements[at]]
    between = tails[slots - 2] if slots >= 2 else tails[at]
    out = list(elements[at:])
    for element in out[:-1]:
        element.tail = between
    out[-1].tail = tails[slots - 1]
    return out


def _extra_element(xml: str) -> etree._Element:
    """An extension's element, comment or PI back from its text (``bad_layout`` if it is none of them)."""
    try:
        if xml.startswith("<!--") and xml.endswith("-->"):
            return etree.Comment(xml[4:-3])
        if xml.startswith("<?") and xml.endswith("?>"):
            target, _, rest = xml[2:-2].partition(" ")
            return etree.ProcessingInstruction(target, rest) if rest else etree.ProcessingInstruction(target)
    except ValueError:
        raise MalformedDocument("bad_layout", "a stored comment or PI is not well-formed") from None
    return fragment(xml)


def fragment(xml: str) -> etree._Element:
    """An extension element back from its stored text (parsed without entities, DTDs or network; a DOCTYPE
    or entity declaration — which no parsed document can have carried — is ``bad_layout``)."""
    if "<!" in xml and _DECLARATIONS.search(xml):
        raise MalformedDocument("bad_layout", "a stored extension declares a DOCTYPE or an entity")
    try:
        return etree.fromstring(xml, parser=_FRAGMENT_PARSER)
    except etree.XMLSyntaxError:
        raise MalformedDocument("bad_layout", "a stored extension is not well-formed XML") from None


def build_element(node: Node, filler: Filler) -> etree._Element:
    """``node`` as an element, with the current values from ``filler``."""
    element = etree.Element(node.tag)
    for name, value in node.attrs:
        current = filler.attribute(name, value)
        if current is not None:
            element.set(name, current)
    element.text = node.text
    element.tail = node.tail
    last_leaf: etree._Element | None = None
    for item in node.items:
        if isinstance(item, Leaf):
            if not filler.keep(item):
                continue
            child = etree.SubElement(element, item.tag)
            child.text = filler.text(item) or None
            child.tail = item.tail
            last_leaf = child
        elif isinstance(item, Extra):
            child = _extra_element(item.xml)
            child.tail = item.tail
            element.append(child)
        else:
            for child in filler.elements(item):
                element.append(child)
    extra = filler.missing(node)
    if extra:
        anchor = last_leaf
        tail = anchor.tail if anchor is not None else None
        for tag, text in extra:
            child = etree.Element(tag)
            child.text = text
            child.tail = tail
            if anchor is None:
                element.insert(0, child)
            else:
                anchor.addnext(child)
            anchor = child
    return element


EMPTY_SHORT = "short"
"""An empty element written ``<X/>`` (lxml's form, and ours for a record built fresh)."""
EMPTY_PAIR = "pair"
"""An empty element written ``<X></X>``, as template-built documents (ITFE's FreeMarker templates:
``<Hold1>${var.Hold1}</Hold1>``) write every empty value."""
_EMPTY_PAIR = re.compile(rb"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?></\1\s*>")


def empty_of(raw: bytes) -> str:
    """How a document writes its empty elements: :data:`EMPTY_PAIR` when it writes them all as
    ``<X></X>``, else :data:`EMPTY_SHORT` (a parser reports both the same; a document that mixes the two
    comes back in the short form). ``<``, ``>`` and ``/`` are never part of a GBK / GB18030 / UTF-8
    multi-byte character, so the bytes are searched as they are."""
    if b"/>" in raw:
        return EMPTY_SHORT
    return EMPTY_PAIR if _EMPTY_PAIR.search(raw) else EMPTY_SHORT


def serialize(
    element: etree._Element,
    prolog: str,
    epilogue: str,
    codec: str,
    newline: str = "\n",
    empty: str = EMPTY_SHORT,
) -> bytes:
    """An element tree as bytes in ``codec`` (``prolog`` / ``epilogue``: what stood before / after the root
    element, verbatim; ``newline``: the source's line end, see :func:`newline_of`; ``empty``: how the
    source wrote an empty element, see :func:`empty_of`)."""
    if empty == EMPTY_PAIR:
        for node in element.iter():
            if isinstance(node.tag, str) and node.text is None and not len(node):
                node.text = ""  # lxml writes an empty-string text as <X></X>
    body = etree.tostring(element, encoding=codec, xml_declaration=False)
    assert isinstance(body, bytes)
    if newline != "\n":  # 0x0A is never part of a multi-byte GBK / GB18030 / UTF-8 character
        body = body.replace(b"\n", newline.encode("ascii"))
    return prolog.encode(codec) + body + epilogue.encode(codec)


def document_texts(raw: bytes, codec: str, prefix: str = "") -> dict[str, str]:
    """What a pass-through render needs of a source document's own text, each key led by ``prefix``:
    ``prolog`` / ``epilogue`` (:func:`prolog_of`), ``codec``, ``newline`` (:func:`newline_of`) and
    ``empty`` (:func:`empty_of`). :func:`serialize_like` reads them back."""
    prolog, epilogue = prolog_of(raw, codec)
    return {
        f"{prefix}prolog": prolog,
        f"{prefix}epilogue": epilogue,
        f"{prefix}codec": codec,
        f"{prefix}newline": newline_of(raw),
        f"{prefix}empty": empty_of(raw),
    }


def serialize_like(element: etree._Element, texts: Mapping[str, str], prolog: str, codec: str) -> bytes:
    """:func:`serialize` in the shape :func:`document_texts` recorded (``prolog`` / ``codec``: what to use
    when the texts hold none, as for a document built without a source)."""
    return serialize(
        element,
        texts.get("prolog", prolog),
        texts.get("epilogue", ""),
        texts.get("codec", codec),
        texts.get("newline", "\n"),
        texts.get("empty", EMPTY_SHORT),
    )


def newline_of(raw: bytes) -> str:
    """The line end of a document, when it is one throughout: ``"\r\n"`` or ``"\r"`` (an XML parser turns
    both into ``"\n"``, so they are put back on output), else ``"\n"`` (mixed line ends come back as LF)."""
    if b"\r" not in raw:
        return "\n"
    lf = raw.count(b"\n")
    crlf = raw.count(b"\r\n")
    if crlf and crlf == lf and crlf == raw.count(b"\r"):
        return "\r\n"
    if not lf:
        return "\r"
    return "\n"


def prolog_of(raw: bytes, codec: str) -> tuple[str, str]:
    """:func:`split_prolog` of a document's bytes, decoding only its head and tail (a prolog longer than
    :data:`_HEAD` bytes decodes the whole document)."""
    head = raw[:_HEAD].decode(codec, errors="ignore")
    prolog, _ = split_prolog(head)
    if len(prolog.encode(codec)) >= len(raw[:_HEAD]) - 8:
        prolog, _ = split_prolog(raw.decode(codec))
    stripped = raw.rstrip(b" \t\r\n")
    return prolog, raw[len(stripped) :].decode("ascii")


_HEAD = 2048


def split_prolog(text: str) -> tuple[str, str]:
    """(prolog, epilogue) of a decoded document: everything before its root element's ``<`` and the
    whitespace after its last ``>``."""
    at = 0
    size = len(text)
    while at < size:
        if text[at] in " \t\r\n\ufeff":
            at += 1
        elif text.startswith("<?", at):
            end = text.find("?>", at)
            at = size if end == -1 else end + 2
        elif text.startswith("<!--", at):
            end = text.find("-->", at)
            at = size if end == -1 else end + 3
        else:
            break
    stripped = text.rstrip(" \t\r\n")
    return text[:at], text[len(stripped) :]
