"""The 电子凭证 envelope (DOMAIN.md §2.3), GBK::

    <?xml version="1.0" encoding="GBK"?>
    <MOF>
      <VoucherCount>n</VoucherCount>
      <VoucherBody AdmDivCode="330324" StYear="2026" VtCode="5201" VoucherNo="…" [TimeStamp="…"]>
        <VoucherFlag>0|1</VoucherFlag>          0 = voucher, 1 = 回单
        [<Return_Reason>…</Return_Reason>]
        <Attach>…</Attach>
        <Voucher>BASE64(GBK inner <Voucher> document)</Voucher>
        [<File><FileName/><FileBlockCount/><AfewBlock/><Attach/></File>…]   2 MB attachment blocks
      </VoucherBody> …            at most 100 bodies
    </MOF>

Each body is one :class:`~adapters.base.Record`. Wire details that are not business data — ``TimeStamp``,
``Return_Reason``, ``Attach``, the ``<File>`` blocks, and ``VoucherFlag=1`` for types whose 回单 has no model
of its own — live in ``Record.meta`` so a round trip loses nothing. Meta keys: ``TimeStamp``,
``Return_Reason``, ``Attach``, ``VoucherFlag``, ``File[i].<Element>``.

Inner and outer XML both go through the hardened :func:`adapters._xml.parse_xml` (GBK / GB18030 only).

Preserve, don't refuse (issue 12, docs/adr/0007-preserve-extensions.md): an element or attribute the models
do not know — in ``<MOF>``, ``<VoucherBody>``, the inner ``<Voucher>``, ``<DetailList>`` or a ``<Detail>`` —
is kept, in order, in the record's (lazily built) :class:`~adapters.layout.Layout`, and a document read
from the wire renders back byte for byte: element order and presence, original texts, indentation, line
ends, the XML declarations and the base64 line shape of the inner voucher.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from lxml import etree
from pydantic import BaseModel

from adapters._xml import ENCODING_ALIASES, declared_encoding, parse_xml
from adapters.base import Adapter, Document, Record, Signature
from adapters.errors import MalformedDocument, TranslationError
from adapters.evoucher.inner import b64_render, b64_shape, voucher_bytes, voucher_data, voucher_read
from adapters.evoucher.vtcodes import RECEIPT_MODELS, VT_SPECS
from adapters.layout import (
    EMPTY_SHORT,
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
    with_nodes,
)
from adapters.limits import DEFAULT_LIMITS, Limits
from schemas.base import build
from schemas.codelists import NATIONAL, check_codes, default_registry
from schemas.divisions import check_mof_div_code
from schemas.errors import Problem, ValidationFailed

FORMAT = "evoucher"
MAX_BODIES = 100
ENCODINGS = frozenset({"gbk", "gb18030"})
HEADER_ATTRIBUTES = ("AdmDivCode", "StYear", "VtCode", "VoucherNo")
_HEADER_FIELDS = {
    "AdmDivCode": "adm_div_code",
    "StYear": "st_year",
    "VtCode": "vt_code",
    "VoucherNo": "voucher_no",
}
_BODY_LEAVES = {name: name for name in ("VoucherFlag", "Return_Reason", "Attach", "Voucher")}
"""The <VoucherBody> children the adapter reads (``<File>`` blocks are nested nodes; anything else is kept
as an extension)."""
_RECORDS = "records"
_NO_NODE = Node("")
_FILES = "files"
_SNIFF = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>)?\s*(<!--(?:(?!-->).)*-->\s*)*<MOF[\s>]", re.DOTALL)
_FILE_KEY = re.compile(r"^File\[(\d+)\]\.([A-Za-z_][A-Za-z0-9_]*)$")


def _b64decode(text: str, what: str, position: int) -> bytes:
    try:  # the common case first: one unbroken line (strict decoding refuses any whitespace)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedDocument("invalid_base64", f"{what} is not valid base64", position=position) from None


def _code_region(adm_div_code: str) -> str:
    """Code lists are keyed by 9-digit MOF_DIV_CODE; the 本级 finance of a 6-digit AdmDivCode is its code plus
    ``000`` (*inferred*, DOMAIN.md §1.2). Falls back to the national lists."""
    try:
        return check_mof_div_code(adm_div_code + "000")
    except ValueError:
        return NATIONAL


class EVoucherAdapter(Adapter):
    """``evoucher``: the 财政国库支付电子凭证 envelope with base64 GBK inner vouchers."""

    format: ClassVar[str] = FORMAT
    media_type: ClassVar[str] = "application/xml; charset=GBK"
    signature: ClassVar[Signature | None] = Signature("xml", ("MOF",))

    def identify(self, raw: bytes) -> bool:
        return _SNIFF.match(raw[:1024]) is not None

    # ---- parse ---------------------------------------------------------------------------------------

    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        root = parse_xml(raw, allowed_encodings=ENCODINGS, limits=limits)
        if root.tag != "MOF":
            raise MalformedDocument("unexpected_element", f"root is <{root.tag}>, expected <MOF>")
        count_text: str | None = None
        bodies: list[etree._Element] = []
        plain = True  # no extension directly in <MOF>
        for child in root:
            tag = child.tag
            if tag == "VoucherBody":
                bodies.append(child)
            elif tag == "VoucherCount":
                if count_text is not None or len(child):
                    raise MalformedDocument("unexpected_element", "<VoucherCount> repeated or nested")
                count_text = (child.text or "").strip()
            else:
                plain = False
        if count_text is None:
            raise MalformedDocument("missing_element", "<VoucherCount> is missing")
        if not count_text.isdigit():
            raise MalformedDocument("bad_header", f"<VoucherCount> {count_text!r} is not a number")
        max_bodies = min(MAX_BODIES, limits.max_records)
        if len(bodies) > max_bodies:
            raise MalformedDocument(
                "too_many_records", f"{len(bodies)} voucher bodies; an envelope carries at most {max_bodies}"
            )
        if int(count_text) != len(bodies):
            raise MalformedDocument(
                "voucher_count_mismatch",
                f"<VoucherCount> says {count_text} but there are {len(bodies)} bodies",
            )
        records: list[Record] = []
        problems: list[Problem] = []
        seen: dict[tuple[str, ...], int] = {}
        for position, body in enumerate(bodies):
            record, record_problems = self._parse_body(body, position, limits, seen)
            problems.extend(record_problems)
            if record is not None:
                records.append(record)
        if problems:
            raise ValidationFailed(problems)
        layout = Layout("", build=lambda: _envelope_layout(raw, root), plain=plain)
        return Document(FORMAT, tuple(records), layout=layout)

    def _parse_body(
        self, body: etree._Element, position: int, limits: Limits, seen: dict[tuple[str, ...], int]
    ) -> tuple[Record | None, list[Problem]]:
        attrs = {str(k): str(v) for k, v in body.attrib.items()}  # unknown attributes stay in the layout
        missing = [name for name in HEADER_ATTRIBUTES if not attrs.get(name)]
        if missing:
            raise MalformedDocument(
                "bad_header", f"<VoucherBody> lacks attribute(s) {', '.join(missing)}", position=position
            )
        vt_code = attrs["VtCode"]
        spec = VT_SPECS.get(vt_code)
        if spec is None:
            raise MalformedDocument(
                "unknown_vtcode", f"VtCode {vt_code!r} is not supported", position=position
            )
        key = tuple(attrs[name] for name in HEADER_ATTRIBUTES)
        if key in seen:
            raise MalformedDocument(
                "duplicate_record",
                f"VoucherNo {attrs['VoucherNo']!r} (VtCode {vt_code}) already appears in body {seen[key]}",
                position=position,
            )
        seen[key] = position

        meta: dict[str, str] = {}
        if "TimeStamp" in attrs:
            meta["TimeStamp"] = attrs["TimeStamp"]
        children: dict[str, str] = {}
        file_nodes: list[Node] = []
        plain = len(attrs) == len(HEADER_ATTRIBUTES) + ("TimeStamp" in attrs)
        for child in body:
            tag = child.tag
            if tag == "File":
                file_nodes.append(self._read_file_block(child, len(file_nodes), meta, position))
                continue
            if tag not in _BODY_LEAVES:
                plain = False  # an extension: the layout keeps it
                continue
            if tag in children or len(child):
                raise MalformedDocument(
                    "unexpected_element", f"<{tag}> repeated or nested in <VoucherBody>", position=position
                )
            children[str(tag)] = child.text or ""
        flag = children.get("VoucherFlag", "").strip()
        if flag not in ("0", "1"):
            raise MalformedDocument("bad_header", f"<VoucherFlag> {flag!r} is not 0 or 1", position=position)
        if "Return_Reason" in children:
            meta["Return_Reason"] = children["Return_Reason"]
        if children.get("Attach"):
            meta["Attach"] = children["Attach"]
        if "Voucher" not in children:
            raise MalformedDocument("missing_element", "<Voucher> is missing", position=position)
        inner_raw = _b64decode(children["Voucher"], "<Voucher>", position)
        try:
            inner = parse_xml(inner_raw, allowed_encodings=ENCODINGS, limits=limits)
        except MalformedDocument as exc:
            raise MalformedDocument(exc.code, f"inner voucher: {exc.message}", position=position) from None
        model = spec.voucher
        if flag == "1":
            if spec.receipt is not None:
                model = spec.receipt
            else:
                meta["VoucherFlag"] = "1"
        data, inner_plain = voucher_data(inner, model, position)
        implied: list[str] = []
        for name, field in _HEADER_FIELDS.items():
            inside = data.get(field)
            if inside is None:
                data[field] = attrs[name]  # the inner voucher may leave the header to the envelope
                implied.append(field)
            elif inside != attrs[name]:
                raise MalformedDocument(
                    "header_mismatch",
                    f"<VoucherBody {name}={attrs[name]!r}> but the inner voucher says {inside!r}",
                    position=position,
                )
        source = _BodySource(body, inner, inner_raw, children["Voucher"], model, tuple(file_nodes), implied)
        layout = Layout(model.__name__, build=source.layout, plain=plain and inner_plain)
        return self._validate(model, data, position, meta, layout)

    @staticmethod
    def _read_file_block(element: etree._Element, index: int, meta: dict[str, str], position: int) -> Node:
        known = {str(c.tag): f"File[{index}].{c.tag}" for c in element if isinstance(c.tag, str)}
        try:
            node, _ = capture(element, known)
        except MalformedDocument as exc:
            raise MalformedDocument(exc.code, f"<File>: {exc.message}", position=position) from None
        for leaf in node.leaves():
            text = leaf.text or ""
            if leaf.tag == "Attach" and text:
                _b64decode(text, "<File><Attach>", position)
            meta[leaf.field] = text
        return node

    @staticmethod
    def _validate(
        model: type[BaseModel], data: Mapping[str, Any], position: int, meta: dict[str, str], layout: Layout
    ) -> tuple[Record | None, list[Problem]]:
        prefix = f"[{position}]"
        try:
            message = build(model, data, prefix)
        except ValidationFailed as exc:
            return None, list(exc.problems)
        region = _code_region(str(getattr(message, "adm_div_code", "")))
        year = int(getattr(message, "st_year", 9999))
        code_problems = tuple(check_codes(message, default_registry(), region, year, prefix))
        return Record(position, message, meta, layout, code_problems), []

    # ---- render --------------------------------------------------------------------------------------

    def render(self, document: Document) -> bytes:
        if len(document.records) > MAX_BODIES:
            raise TranslationError(
                f"{len(document.records)} records; an e-voucher envelope carries at most 100"
            )
        bodies = [self._body(record) for record in document.records]
        layout = document.layout
        root_node = layout.nodes.get("root") if layout is not None else None
        if layout is not None and root_node is not None and root_node.tag == "MOF":
            root = build_element(root_node, _EnvelopeFiller(root_node, bodies))
            return serialize_like(root, layout.texts, _DECLARATION, "gbk")
        root = etree.Element("MOF")
        etree.SubElement(root, "VoucherCount").text = str(len(document.records))
        for body in bodies:
            root.append(body)
        out = etree.tostring(root, encoding="GBK", xml_declaration=False, pretty_print=True)
        assert isinstance(out, bytes)
        return _DECLARATION.encode("ascii") + out

    @staticmethod
    def _body(record: Record) -> etree._Element:
        message = record.message
        vt_code = getattr(message, "vt_code", None)
        spec = VT_SPECS.get(str(vt_code))
        if spec is None or type(message) not in (spec.voucher, spec.receipt):
            raise TranslationError(f"{type(message).__name__} has no e-voucher form")
        meta = record.meta
        is_receipt = type(message) in RECEIPT_MODELS or meta.get("VoucherFlag") == "1"
        layout = record.layout
        if (
            layout is not None
            and layout.model == type(message).__name__
            and layout.nodes.get("body", _NO_NODE).tag == "VoucherBody"
            and layout.nodes.get("voucher", _NO_NODE).tag == "Voucher"
        ):
            return _shaped_body(record, layout, is_receipt)
        body = etree.Element("VoucherBody")
        for attribute, field in _HEADER_FIELDS.items():
            body.set(attribute, str(getattr(message, field)))
        if "TimeStamp" in meta:
            body.set("TimeStamp", meta["TimeStamp"])
        etree.SubElement(body, "VoucherFlag").text = "1" if is_receipt else "0"
        if "Return_Reason" in meta:
            etree.SubElement(body, "Return_Reason").text = meta["Return_Reason"] or None
        etree.SubElement(body, "Attach").text = meta.get("Attach") or None
        etree.SubElement(body, "Voucher").text = base64.b64encode(voucher_bytes(message)).decode("ascii")
        files: dict[int, etree._Element] = {}
        for key, value in meta.items():
            match = _FILE_KEY.match(key)
            if match is None:
                continue
            index = int(match.group(1))
            if index not in files:
                files[index] = etree.Element("File")
            etree.SubElement(files[index], match.group(2)).text = value or None
        for index in sorted(files):
            body.append(files[index])
        return body


_DECLARATION = '<?xml version="1.0" encoding="GBK"?>\n'


def _envelope_layout(raw: bytes, root: etree._Element) -> Built:
    """The ``<MOF>`` layout (built on first use): the count, the bodies' places, extensions, prolog."""
    root_node, _ = capture(root, {"VoucherCount": "VoucherCount"}, nested={"VoucherBody": _RECORDS})
    return {"root": root_node}, document_texts(raw, _codec(raw))


class _BodySource:
    """What a body's layout is built from, on first use (parsing builds none)."""

    __slots__ = ("body", "files", "implied", "inner", "inner_raw", "model", "voucher_text")

    def __init__(
        self,
        body: etree._Element,
        inner: etree._Element,
        inner_raw: bytes,
        voucher_text: str,
        model: type[BaseModel],
        files: tuple[Node, ...],
        implied: list[str],
    ) -> None:
        self.body, self.inner, self.inner_raw, self.voucher_text = body, inner, inner_raw, voucher_text
        self.model, self.files, self.implied = model, files, implied

    def layout(self) -> Built:
        body_node, _ = capture(self.body, _BODY_LEAVES, nested={"File": _FILES})
        body_node = with_nodes(body_node, self.files)
        _data, voucher_node = voucher_read(self.inner, self.model, 0)
        inner_raw = self.inner_raw
        texts = document_texts(inner_raw, _codec(inner_raw), prefix="inner_")
        texts["implied"] = ",".join(self.implied)
        shape = b64_shape(self.voucher_text, inner_raw)
        if shape is not None:
            texts["b64"] = shape
        return {"body": body_node, "voucher": voucher_node}, texts


def _codec(raw: bytes) -> str:
    """The codec a (checked) document is in: its declared encoding, GBK by default."""
    label = declared_encoding(raw)
    return ENCODING_ALIASES.get(label, "gbk") if label is not None else "gbk"


def _shaped_body(record: Record, layout: Layout, is_receipt: bool) -> etree._Element:
    """A ``<VoucherBody>`` rendered in the shape it was read in (attribute order, extensions, base64 lines,
    the inner voucher's element order and original texts)."""
    message = record.message
    texts = layout.texts
    implied = frozenset(name for name in texts.get("implied", "").split(",") if name)
    inner = voucher_bytes(
        message,
        layout.nodes.get("voucher"),
        texts.get("inner_prolog"),
        texts.get("inner_epilogue", ""),
        texts.get("inner_codec", "gbk"),
        implied=implied,
        newline=texts.get("inner_newline", "\n"),
        empty=texts.get("inner_empty", EMPTY_SHORT),
    )
    encoded = b64_render(inner, texts.get("b64"))
    body = build_element(layout.nodes["body"], _BodyFiller(record, is_receipt, encoded))
    if "TimeStamp" in record.meta and "TimeStamp" not in body.attrib:
        body.set("TimeStamp", record.meta["TimeStamp"])
    return body


class _BodyFiller(Filler):
    def __init__(self, record: Record, is_receipt: bool, voucher: str) -> None:
        self.message = record.message
        self.meta = record.meta
        self.flag = "1" if is_receipt else "0"
        self.voucher = voucher

    def attribute(self, name: str, original: str) -> str | None:
        field = _HEADER_FIELDS.get(name)
        if field is not None:
            return str(getattr(self.message, field))
        if name == "TimeStamp":
            return self.meta.get("TimeStamp")
        return original

    def keep(self, leaf: Leaf) -> bool:
        return leaf.field != "Return_Reason" or "Return_Reason" in self.meta

    def text(self, leaf: Leaf) -> str | None:
        if leaf.field == "VoucherFlag":
            return leaf.text if (leaf.text or "").strip() == self.flag else self.flag
        if leaf.field == "Voucher":
            return self.voucher
        if leaf.field in ("Attach", "Return_Reason") or leaf.field.startswith("File["):
            value = self.meta.get(leaf.field)
            return leaf.text if (value or "") == (leaf.text or "") else value
        return leaf.text  # pragma: no cover - every body leaf is one of the above

    def elements(self, node: Node) -> list[etree._Element]:
        return [build_element(node, self)] if node.slot == _FILES else []


class _EnvelopeFiller(Filler):
    """Fills the ``<MOF>`` root: the count, and the bodies in the places of the source's bodies."""

    def __init__(self, root: Node, bodies: list[etree._Element]) -> None:
        self.bodies = bodies
        self.tails = slot_tails(root, _RECORDS)

    def text(self, leaf: Leaf) -> str | None:
        count = str(len(self.bodies))
        return leaf.text if (leaf.text or "").strip() == count else count

    def elements(self, node: Node) -> list[etree._Element]:
        return place(node, self.bodies, self.tails) if node.slot == _RECORDS else []
