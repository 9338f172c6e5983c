"""Hardened XML parsing and small element helpers shared by the XML adapters (package-private).

Every inbound XML document goes through :func:`parse_xml`: size limit first, then a strict check that the
declared encoding is allowed and that the bytes really are in it, then lxml with entity resolution, DTD
loading and network access off. Any DOCTYPE or entity declaration is refused before parsing (XXE, external
DTDs, billion laughs), and nesting is bounded.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from adapters.errors import DocumentTooLarge, MalformedDocument
from adapters.limits import DEFAULT_LIMITS, Limits

_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.\-]+)[\"']", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_PROLOG_DOCTYPE = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:(?:<\?[^>]*\?>|<!--(?:(?!-->).)*-->)\s*)*<!\s*DOCTYPE",
    re.DOTALL | re.IGNORECASE,
)
PROLOG_SCAN = 4096
"""How far into a document :func:`doctype_in_prolog` looks."""

#: canonical codec name for each accepted declared encoding label
ENCODING_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "gbk": "gbk",
    "gb2312": "gbk",
    "cp936": "gbk",
    "gb18030": "gb18030",
}

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)


def declared_encoding(raw: bytes) -> str | None:
    match = _DECL.match(raw[:200])
    return match.group(1).decode("ascii").lower() if match else None


def _declared(label: str | None, default_encoding: str) -> str:
    if label is None:
        return f"an XML document without a declared encoding ({default_encoding.upper()} by default)"
    return f"declared encoding {label!r}"


def doctype_in_prolog(raw: bytes) -> bool:
    """Does the document open like XML (optional BOM, XML declaration, comments, processing instructions)
    and then declare a DOCTYPE before its root element? No format sniffer claims such a document, so the
    registry refuses it as ``dtd_forbidden`` (a regex over the first bytes; nothing is parsed)."""
    head = raw[:PROLOG_SCAN]
    return b"!" in head and _PROLOG_DOCTYPE.match(head) is not None


def parse_xml(
    raw: bytes,
    *,
    allowed_encodings: frozenset[str],
    default_encoding: str = "utf-8",
    limits: Limits = DEFAULT_LIMITS,
) -> etree._Element:
    """Parse untrusted bytes into an element tree or raise :class:`MalformedDocument`.

    ``allowed_encodings`` holds canonical codec names (``"utf-8"``, ``"gbk"``, ``"gb18030"``).
    """
    if len(raw) > limits.max_bytes:
        raise DocumentTooLarge(len(raw), limits.max_bytes)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        raise MalformedDocument("encoding_not_allowed", "UTF-16/32 documents are not accepted")
    markup_declarations = b"!" in raw  # both patterns hold "!": a one-byte (memchr) scan gates the regexes
    if markup_declarations and _DOCTYPE.search(raw):
        raise MalformedDocument("dtd_forbidden", "DOCTYPE / DTD declarations are not accepted")
    if markup_declarations and _ENTITY.search(raw):
        raise MalformedDocument("entity_forbidden", "entity declarations are not accepted")
    label = declared_encoding(raw)
    codec = ENCODING_ALIASES.get(label, "?") if label is not None else default_encoding
    if codec not in allowed_encodings:
        raise MalformedDocument(
            "encoding_not_allowed",
            f"{_declared(label, default_encoding)} is not accepted here "
            f"(expected one of {', '.join(sorted(allowed_encodings))})",
        )
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if raw.startswith(b"\xef\xbb\xbf") and codec != "utf-8":
        raise MalformedDocument("encoding_mismatch", f"UTF-8 byte-order mark but declared {label}")
    try:
        if not body.isascii():  # pure ASCII is valid in every accepted (ASCII-compatible) encoding
            body.decode(codec)
    except UnicodeDecodeError as exc:
        raise MalformedDocument(
            "invalid_encoding",
            f"bytes at offset {exc.start} are not valid {codec.upper()} (declared {label or 'none'})",
        ) from None
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        text = str(exc)
        if "depth" in text.lower():
            raise MalformedDocument("too_deep", "element nesting is too deep") from None
        line, column = exc.position if exc.position else (None, None)
        said = re.sub(r",? line \d+, column \d+$", "", exc.msg or text)  # lxml repeats the place
        where = f" at line {line}, column {column}" if line is not None else ""
        raise MalformedDocument(
            "not_well_formed", f"not well-formed XML{where}: {said}", line=line, column=column
        ) from None
    _check_tree(root, limits, references=b"&" in raw)
    return root


@functools.cache
def _too_deep(max_depth: int) -> etree.XPath:
    """A compiled XPath: is any element below ``max_depth`` levels? (compiled once per limit)"""
    return etree.XPath("boolean(/*" + "/*" * max_depth + ")")


def _check_tree(root: etree._Element, limits: Limits, *, references: bool = True) -> None:
    """Depth and entity checks, done by libxml2 (XPath / C iteration) rather than a Python walk.

    ``references=False`` (the document has no ``&`` at all, so it cannot hold an entity reference) skips
    the entity walk."""
    if _too_deep(limits.max_depth)(root):  # any element below the allowed depth
        raise MalformedDocument("too_deep", f"element nesting exceeds {limits.max_depth} levels")
    if references:
        for _ in root.iter(etree.Entity):
            raise MalformedDocument("entity_forbidden", "entity references are not accepted")


def child_text(parent: etree._Element, name: str) -> str | None:
    """Text of the first direct child called ``name`` ("" for an empty element), or None if absent."""
    child = parent.find(name)
    if child is None:
        return None
    return child.text or ""


def children_as_dict(parent: etree._Element) -> dict[str, str]:
    """Direct leaf children as ``{tag: text}``; repeated or nested children are not included."""
    out: dict[str, str] = {}
    for child in parent:
        if isinstance(child.tag, str) and len(child) == 0:
            out[child.tag] = child.text or ""
    return out
