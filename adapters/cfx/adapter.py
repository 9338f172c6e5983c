"""PBOC TIPS CFX packages (DOMAIN.md §3.1), GBK::

    <?xml version="1.0" encoding="GBK"?>
    <CFX>
      <HEAD><VER>1.0</VER><SRC>12 digits</SRC><DES>12 digits</DES><APP>TIPS</APP><MsgNo>2201</MsgNo>
            <MsgID>20 chars</MsgID><MsgRef>20 chars</MsgRef><WorkDate>yyyyMMdd</WorkDate><Reserve/></HEAD>
      <MSG><BatchHead2201>…<AllNum/><AllAmt/>…</BatchHead2201>
           <Bill2201>…<Detail2201>…</Detail2201>…</Bill2201>…      at most 1,000 records
      </MSG>
    </CFX>

``HEAD`` goes to :attr:`Document.envelope` verbatim (element name → text). Each bill / return is one
:class:`~adapters.base.Record` whose message carries the batch-head fields too; ``AllNum``/``AllAmt`` are
checked on parse (``batch_count_mismatch`` / ``batch_amount_mismatch``) and computed on render. The layout of
each MsgNo (head element, field order, HEAD-only 9005) is ITFE's, in :mod:`adapters.cfx.msgnos`. When
rendering a package built fresh, ``VER`` defaults to ``1.0``, ``APP`` to ``TIPS`` and ``MsgRef`` to the
``MsgID``; ``Reserve`` is written when the envelope has it, and empty for a 2201/2202 (whose ITFE templates
always write it); ``SRC``, ``DES``, ``MsgID`` and ``WorkDate`` must be in the envelope.

Preserve, don't refuse (issue 12, docs/adr/0007-preserve-extensions.md): an element the models do not know
— in ``<CFX>``, ``HEAD``, ``MSG``, the batch head, a record or a detail — is kept, in order, in the record's
or the document's :class:`~adapters.layout.Layout`; a package read from the wire renders back byte for byte
(no ``<MsgRef>``, ``<Reserve/>``, ``<AddWord/>`` or ``<TransBankNo/>`` it did not have; ``5000`` stays
``5000``). A known element repeated, or a batch-head element inside a record, is still refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

from lxml import etree
from pydantic import BaseModel

from adapters._fields import (
    FieldMap,
    field_map,
    read_element,
    read_leaves,
    render_node,
    to_text,
    write_leaves,
)
from adapters._xml import ENCODING_ALIASES, declared_encoding, parse_xml
from adapters.base import Adapter, Document, Record, Signature
from adapters.cfx.msgnos import (
    ALL_AMT,
    ALL_NUM,
    FIXED_MSG_NO,
    MSG_SPECS,
    MsgSpec,
    detail_fields,
    record_fields,
)
from adapters.errors import MalformedDocument, TranslationError
from adapters.layout import (
    Built,
    Extra,
    Filler,
    Layout,
    Leaf,
    Node,
    build_element,
    capture,
    document_texts,
    place,
    same_text,
    serialize_like,
    slot_tails,
    with_nodes,
    with_slot,
)
from adapters.limits import DEFAULT_LIMITS, Limits
from schemas.base import build
from schemas.dates import parse_wire_date
from schemas.errors import Problem, ValidationFailed
from schemas.money import MoneyFormatError, format_money, parse_money

FORMAT = "cfx"
MAX_RECORDS = 1000  # TIPS_MAX_OF_PACK
ENCODINGS = frozenset({"gbk", "gb18030"})
HEAD_ELEMENTS = ("VER", "SRC", "DES", "APP", "MsgNo", "MsgID", "MsgRef", "WorkDate", "Reserve")
_REQUIRED_HEAD = ("VER", "SRC", "DES", "APP", "MsgNo", "MsgID", "WorkDate")
_NODE = re.compile(r"^\d{12}$")
_MSG_ID = re.compile(r"^[0-9A-Za-z]{20}$")
_SNIFF = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>)?\s*(<!--(?:(?!-->).)*-->\s*)*<CFX[\s>]", re.DOTALL)
_DEFAULTS = {"VER": "1.0", "APP": "TIPS"}
_HEAD_KEYS = {name: f"HEAD:{name}" for name in HEAD_ELEMENTS}
_RECORDS = "records"
_BATCH_HEAD = "batch_head"


@cache
def _batch_head_keys(spec: MsgSpec) -> dict[str, str]:
    """Batch-head element → what fills it (a model field, or ``AllNum`` / ``AllAmt``)."""
    fields = field_map(spec.model)
    return {name: fields.by_element.get(name, name) for name in spec.head}


def _document_layout(raw: bytes, root: Node, head: Node, msg: Node | None) -> Layout:
    """The package's envelope layout (its prolog and line ends read on first use); ``msg`` is ``None`` for
    a HEAD-only package (9005) that has no ``<MSG>``."""

    def build() -> Built:
        label = declared_encoding(raw)
        codec = ENCODING_ALIASES.get(label, "gbk") if label is not None else "gbk"
        texts = document_texts(raw, codec)
        shaped = with_slot(root, "head", head)
        return {"root": shaped if msg is None else with_slot(shaped, "msg", msg)}, texts

    msg_nodes = () if msg is None else (msg, *(n for n in msg.nodes() if n.slot == _BATCH_HEAD))
    nodes = (root, head, *msg_nodes)
    plain = not any(type(item) is Extra for node in nodes for item in node.items)
    return Layout("", build=build, plain=plain)


@cache
def _head_fields(spec: MsgSpec) -> frozenset[str]:
    """The canonical fields that travel in the batch head of ``spec``."""
    fields = field_map(spec.model)
    return frozenset(fields.by_element[name] for name in spec.head if name in fields.by_element)


@cache
def _stray_head_tags(spec: MsgSpec) -> frozenset[str]:
    """Batch-head elements that are not also record elements: refused inside a record."""
    return frozenset(spec.head).difference(record_fields(spec).by_element)


@cache
def _detail_containers(detail_tag: str) -> frozenset[str]:
    return frozenset({detail_tag})


def _check_head(head: Mapping[str, str]) -> None:
    for name in ("SRC", "DES"):
        if not _NODE.match(head[name]):
            raise MalformedDocument("bad_header", f"HEAD {name} {head[name]!r} is not a 12-digit node code")
    if not _MSG_ID.match(head["MsgID"]):
        raise MalformedDocument("bad_header", f"HEAD MsgID {head['MsgID']!r} is not 20 letters or digits")
    if head.get("MsgRef") and not _MSG_ID.match(head["MsgRef"]):
        raise MalformedDocument("bad_header", f"HEAD MsgRef {head['MsgRef']!r} is not 20 letters or digits")
    try:
        parse_wire_date(head["WorkDate"])
    except ValueError as exc:
        raise MalformedDocument("bad_header", f"HEAD WorkDate: {exc}") from None


class CfxAdapter(Adapter):
    """``cfx``: PBOC TIPS CFX messages (划款 2201/3143, 2202/3144, 额度 5102/3133, 5103/3134, 9120, 9005)."""

    format: ClassVar[str] = FORMAT
    media_type: ClassVar[str] = "application/xml; charset=GBK"
    signature: ClassVar[Signature | None] = Signature("xml", ("CFX",))

    def identify(self, raw: bytes) -> bool:
        return _SNIFF.match(raw[:1024]) is not None

    # ---- parse ---------------------------------------------------------------------------------------

    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        root = parse_xml(raw, allowed_encodings=ENCODINGS, limits=limits)
        if root.tag != "CFX":
            raise MalformedDocument("unexpected_element", f"root is <{root.tag}>, expected <CFX>")
        root_node, parts = capture(root, {}, nested={"HEAD": "head", "MSG": "msg"})
        tags = [c.tag for c in parts]
        if tags not in (["HEAD", "MSG"], ["HEAD"]):
            raise MalformedDocument("unexpected_element", "<CFX> must hold exactly <HEAD> then <MSG>")
        head, head_node = self._read_head(parts[0])
        spec = MSG_SPECS.get(head["MsgNo"])
        if spec is None:
            raise MalformedDocument("unknown_msgno", f"MsgNo {head['MsgNo']!r} is not supported")
        _check_head(head)
        msg_no = head["MsgNo"]
        if not spec.has_msg:
            # a HEAD-only message (9005); an empty <MSG/> some senders add is tolerated (and kept in the
            # layout), any content is not
            empty: Node | None = None
            if len(parts) == 2:
                if any(isinstance(c.tag, str) for c in parts[1]):
                    raise MalformedDocument(
                        "unexpected_element", f"a {msg_no} is HEAD only: its <MSG> must be empty"
                    )
                empty = capture(parts[1], {})[0]
            return self._parse_single(spec, [], head, _document_layout(raw, root_node, head_node, empty))
        if len(parts) != 2:
            raise MalformedDocument("missing_element", f"a {msg_no} needs a <MSG>")
        batch_head, elements, msg_node = self._split_msg(parts[1], spec, msg_no, limits)
        if spec.single:
            return self._parse_single(
                spec, elements, head, _document_layout(raw, root_node, head_node, msg_node)
            )

        fields = field_map(spec.model)
        # the batch-head values every record carries, as model fields (every batch-head element but the
        # control totals is a field of the model: _split_msg admits only the spec's head elements)
        head_data = {
            fields.by_element[k]: v for k, v in batch_head.items() if k not in (ALL_NUM, ALL_AMT) and v
        }
        head_data["msg_no"] = msg_no
        problems: list[Problem] = []
        records: list[Record] = []
        seen: dict[str, int] = {}
        for position, element in enumerate(elements):
            data, layout = self._record_data(element, spec, msg_no, position)
            data.update(head_data)
            key = data.get(spec.key or "")
            if isinstance(key, str):
                if key in seen:
                    raise MalformedDocument(
                        "duplicate_record",
                        f"{spec.key} {key!r} already appears in record {seen[key]}",
                        position=position,
                    )
                seen[key] = position
            try:
                message = build(spec.model, data, f"[{position}]")
                records.append(Record(position, message, layout=layout))
            except ValidationFailed as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationFailed(problems)
        self._check_totals(batch_head, records, spec, msg_no)
        layout = _document_layout(raw, root_node, head_node, msg_node)
        return Document(FORMAT, tuple(records), head, layout)

    @staticmethod
    def _read_head(element: etree._Element) -> tuple[dict[str, str], Node]:
        try:
            node, _ = capture(element, _HEAD_KEYS)
        except MalformedDocument as exc:
            raise MalformedDocument(exc.code, f"{exc.message} (<HEAD>)") from None
        head = {leaf.tag: leaf.text or "" for leaf in node.leaves()}
        missing = [name for name in _REQUIRED_HEAD if not head.get(name)]
        if missing:
            raise MalformedDocument("missing_element", f"HEAD lacks {', '.join(missing)}")
        return head, node

    @staticmethod
    def _split_msg(
        msg: etree._Element, spec: MsgSpec, msg_no: str, limits: Limits
    ) -> tuple[dict[str, str], list[etree._Element], Node]:
        head_tag = f"{spec.head_tag}{msg_no}"
        record_tag = f"{spec.record}{msg_no}" if spec.record else None
        nested = {record_tag: _RECORDS} if record_tag is not None else {}
        if spec.head:
            nested[head_tag] = _BATCH_HEAD
        msg_node, children = capture(msg, {}, nested=nested)
        heads = [c for c in children if c.tag == head_tag]
        elements = [c for c in children if c.tag != head_tag]
        if len(heads) > 1 or (heads and children[0] is not heads[0]):
            raise MalformedDocument("unexpected_element", f"<{head_tag}> must come once, before the records")
        batch_head: dict[str, str] = {}
        if heads:
            try:
                head_node, _ = capture(heads[0], _batch_head_keys(spec))
            except MalformedDocument as exc:
                raise MalformedDocument(exc.code, f"{exc.message} (<{head_tag}>)") from None
            batch_head = {leaf.tag: leaf.text or "" for leaf in head_node.leaves()}
            msg_node = with_slot(msg_node, _BATCH_HEAD, head_node)
        if spec.head and not heads:
            raise MalformedDocument("missing_element", f"<{head_tag}> is missing")
        limit = min(MAX_RECORDS, limits.max_records)
        if len(elements) > limit:
            raise MalformedDocument(
                "too_many_records", f"{len(elements)} records; a package carries at most {limit}"
            )
        if spec.single and record_tag is not None and len(elements) != 1:
            raise MalformedDocument("missing_element", f"a {msg_no} carries exactly one <{record_tag}>")
        return batch_head, elements, msg_node

    @staticmethod
    def _record_data(
        element: etree._Element, spec: MsgSpec, msg_no: str, position: int
    ) -> tuple[dict[str, Any], Layout]:
        fields = record_fields(spec)  # the record's own elements (a batch-head element here is refused)
        detail_tag = f"Detail{msg_no}"
        details: list[etree._Element] = []  # the detail children, collected while reading the leaves
        data, plain = read_leaves(
            element,
            fields,
            position=position,
            where=f"<{element.tag}>",
            containers=_detail_containers(detail_tag) if spec.has_details else frozenset(),
            found=details,
        )
        if not plain:  # something the record's fields do not name: a batch-head element is still refused
            stray = _stray_head_tags(spec)
            shadowed = sorted({t for c in element if isinstance(t := c.tag, str) and t in stray})
            if shadowed:
                raise MalformedDocument(
                    "unexpected_element",
                    f"batch-head element(s) {', '.join(shadowed)} inside a record",
                    position=position,
                )
        item_fields = detail_fields(spec)
        if item_fields is not None and fields.list_field is not None:
            items: list[dict[str, Any]] = []
            for detail in details:
                item, item_plain = read_leaves(
                    detail, item_fields, position=position, where=f"<{detail_tag}>"
                )
                items.append(item)
                plain = plain and item_plain
            data[fields.list_field] = items
        return data, Layout(
            spec.model.__name__, build=_RecordSource(element, spec, msg_no).layout, plain=plain
        )

    @staticmethod
    def _parse_single(
        spec: MsgSpec, elements: list[etree._Element], head: dict[str, str], layout: Layout
    ) -> Document:
        data: dict[str, Any] = {}
        record_layout: Layout | None = None
        if elements:
            element = elements[0]
            data, node, _ = read_element(element, record_fields(spec), position=0, where=f"<{element.tag}>")
            record_layout = Layout(spec.model.__name__, {"record": node})
        record = Record(0, build(spec.model, data, "[0]"), layout=record_layout)
        return Document(FORMAT, (record,), head, layout)

    @staticmethod
    def _check_totals(
        batch_head: Mapping[str, str], records: list[Record], spec: MsgSpec, msg_no: str
    ) -> None:
        where = f"{spec.head_tag}{msg_no}"
        if spec.totals == "optional" and not batch_head.get(ALL_NUM) and not batch_head.get(ALL_AMT):
            return
        declared_num = batch_head.get(ALL_NUM, "").strip()
        if not declared_num.isdigit():
            raise MalformedDocument("bad_header", f"{where} AllNum {declared_num!r} is not a number")
        if int(declared_num) != len(records):
            raise MalformedDocument(
                "batch_count_mismatch",
                f"AllNum says {declared_num} but the package holds {len(records)} records",
            )
        try:
            declared_amt = parse_money(batch_head.get(ALL_AMT, ""))
        except MoneyFormatError as exc:
            raise MalformedDocument("bad_header", f"{where} AllAmt: {exc.code}: {exc}") from None
        total = sum((getattr(r.message, spec.amount or "") for r in records), Decimal("0.00"))
        if total != declared_amt:
            raise MalformedDocument(
                "batch_amount_mismatch",
                f"AllAmt says {format_money(declared_amt)} but the records add up to {format_money(total)}",
            )

    # ---- render --------------------------------------------------------------------------------------

    def render(self, document: Document) -> bytes:
        records = document.records
        if not records:
            raise TranslationError("a CFX package needs at least one record")
        if len(records) > MAX_RECORDS:
            raise TranslationError(f"{len(records)} records; a CFX package carries at most {MAX_RECORDS}")
        first = records[0].message
        msg_no = FIXED_MSG_NO.get(type(first)) or str(getattr(first, "msg_no", ""))  # type: ignore[arg-type]
        spec = MSG_SPECS.get(msg_no)
        if spec is None or type(first) is not spec.model:
            raise TranslationError(f"{type(first).__name__} has no CFX form")
        for record in records:
            if type(record.message) is not spec.model or getattr(record.message, "msg_no", msg_no) != msg_no:
                raise TranslationError("all records of a CFX package must be of one MsgNo")
        if spec.single and len(records) != 1:
            raise TranslationError(f"a {msg_no} carries exactly one record")
        layout = document.layout
        root_node = layout.nodes.get("root") if layout is not None else None
        if layout is not None and root_node is not None and root_node.tag == "CFX":
            values = self._head_values(document.envelope, msg_no, spec)
            filler = _PackageFiller(root_node, values, document.envelope, records, spec, msg_no)
            return serialize_like(build_element(root_node, filler), layout.texts, _DECLARATION, "gbk")
        root = etree.Element("CFX")
        root.append(self._head(document.envelope, msg_no, spec))
        if spec.has_msg:
            self._msg(etree.SubElement(root, "MSG"), records, spec, msg_no)
        out = etree.tostring(root, encoding="GBK", xml_declaration=False, pretty_print=True)
        assert isinstance(out, bytes)
        return _DECLARATION.encode("ascii") + out

    @classmethod
    def _msg(cls, msg: etree._Element, records: tuple[Record, ...], spec: MsgSpec, msg_no: str) -> None:
        if spec.head:
            msg.append(cls._batch_head(records, spec, msg_no))
        if spec.record:
            head_fields = _head_fields(spec)
            for record in records:
                msg.append(_record_element(record, spec, msg_no, head_fields))

    @staticmethod
    def _head_values(envelope: Mapping[str, str], msg_no: str, spec: MsgSpec) -> dict[str, str]:
        if envelope.get("MsgNo", msg_no) != msg_no:
            raise TranslationError(
                f"envelope MsgNo {envelope['MsgNo']} disagrees with the records ({msg_no})"
            )
        values = {**_DEFAULTS, **{k: v for k, v in envelope.items() if k in HEAD_ELEMENTS}, "MsgNo": msg_no}
        values.setdefault("MsgRef", values.get("MsgID", ""))
        missing = [name for name in _REQUIRED_HEAD if not values.get(name)]
        if missing:
            raise TranslationError(f"the envelope lacks HEAD {', '.join(missing)}")
        if spec.reserve:
            values.setdefault("Reserve", "")
        return values

    @classmethod
    def _head(cls, envelope: Mapping[str, str], msg_no: str, spec: MsgSpec) -> etree._Element:
        values = cls._head_values(envelope, msg_no, spec)
        head = etree.Element("HEAD")
        for name in HEAD_ELEMENTS:
            if name in values:
                etree.SubElement(head, name).text = values[name] or None
        return head

    @staticmethod
    def _batch_head(records: tuple[Record, ...], spec: MsgSpec, msg_no: str) -> etree._Element:
        fields = field_map(spec.model)
        element = etree.Element(f"{spec.head_tag}{msg_no}")
        first = records[0].message
        for name in spec.head_totals:
            etree.SubElement(element, name).text = _batch_head_text(name, None, records, spec, fields, first)
        return element


_DECLARATION = '<?xml version="1.0" encoding="GBK"?>\n'


def _batch_head_text(
    name: str,
    original: str | None,
    records: Sequence[Record],
    spec: MsgSpec,
    fields: FieldMap,
    first: BaseModel,
) -> str | None:
    """The text of batch-head element ``name`` for ``records`` (``original`` while it still holds)."""
    if name == ALL_NUM:
        count = len(records)
        return same_text(original, count, str(count))
    if name == ALL_AMT:
        total = sum((getattr(r.message, spec.amount or "") for r in records), Decimal("0.00"))
        return same_text(original, total, format_money(total))
    field = fields.by_element[name]
    value = getattr(first, field)
    if any(getattr(r.message, field) != value for r in records):
        raise TranslationError(f"records of one package disagree on batch-head field {name}")
    return same_text(original, value, to_text(value))


def _record_element(
    record: Record, spec: MsgSpec, msg_no: str, head_fields: frozenset[str]
) -> etree._Element:
    message = record.message
    fields = record_fields(spec)
    item_fields = detail_fields(spec)
    layout = record.layout
    node = layout.nodes.get("record") if layout is not None and layout.model == spec.model.__name__ else None
    if node is not None and node.tag == f"{spec.record}{msg_no}":
        nested = _details_of(message, fields.list_field, item_fields)
        return render_node(node, message, fields, skip=head_fields, nested=nested)
    element = etree.Element(f"{spec.record}{msg_no}")
    own = replace(fields, leaves=tuple(leaf for leaf in fields.leaves if leaf[0] not in head_fields))
    write_leaves(element, message, own)
    if item_fields is not None and fields.list_field is not None:
        for item in getattr(message, fields.list_field):
            write_leaves(etree.SubElement(element, f"Detail{msg_no}"), item, item_fields)
    return element


class _RecordSource:
    """What a record's layout is built from, on first use (parsing builds none)."""

    __slots__ = ("element", "msg_no", "spec")

    def __init__(self, element: etree._Element, spec: MsgSpec, msg_no: str) -> None:
        self.element, self.spec, self.msg_no = element, spec, msg_no

    def layout(self) -> Built:
        fields = record_fields(self.spec)
        item_fields = detail_fields(self.spec)
        detail_tag = f"Detail{self.msg_no}"
        list_field = fields.list_field or "details"
        has_details = item_fields is not None
        _data, node, details = read_element(
            self.element,
            fields,
            position=None,
            where=f"<{self.element.tag}>",
            containers={detail_tag: list_field} if has_details else None,
        )
        if item_fields is not None:
            nodes = [read_element(d, item_fields, position=None, where=detail_tag)[1] for d in details]
            node = with_nodes(node, nodes)
        return {"record": node}, {}


def _details_of(
    message: BaseModel, list_field: str | None, item_fields: FieldMap | None
) -> Callable[[Node], list[etree._Element]]:
    """The detail elements each detail node of a record layout stands for (see :func:`place`)."""
    items: list[BaseModel] = list(getattr(message, list_field)) if list_field else []

    def nested(node: Node) -> list[etree._Element]:
        if item_fields is None or node.slot != list_field or node.number >= len(items):
            return []
        out = [render_node(node, items[node.number], item_fields)]
        return out

    return nested


class _PackageFiller(Filler):
    """Fills a CFX package layout: HEAD from the envelope, the batch head from the records, the records
    into the places of the source's records."""

    def __init__(
        self,
        root: Node,
        values: Mapping[str, str],
        envelope: Mapping[str, str],
        records: Sequence[Record],
        spec: MsgSpec,
        msg_no: str,
    ) -> None:
        self.values = values
        self.envelope = envelope
        self.records = records
        self.spec = spec
        self.msg_no = msg_no
        self.fields = field_map(spec.model)
        head_fields = _head_fields(spec)
        self.elements_of_records = (
            [_record_element(r, spec, msg_no, head_fields) for r in records] if spec.record else []
        )
        msg = next((n for n in root.nodes() if n.slot == "msg"), None)
        self.tails = slot_tails(msg, _RECORDS) if msg is not None else []

    def text(self, leaf: Leaf) -> str | None:
        if leaf.field.startswith("HEAD:"):
            if leaf.tag not in self.values:
                return leaf.text
            value = self.values.get(leaf.tag) or None
            return leaf.text if (leaf.text or None) == value else value
        return _batch_head_text(
            leaf.tag, leaf.text, self.records, self.spec, self.fields, self.records[0].message
        )

    def elements(self, node: Node) -> list[etree._Element]:
        if node.slot in ("head", "msg", _BATCH_HEAD):
            return [build_element(node, self)]
        if node.slot == _RECORDS:
            return place(node, self.elements_of_records, self.tails)
        return []

    def missing(self, node: Node) -> list[tuple[str, str]]:
        if node.tag != "HEAD":
            return []
        present = {leaf.tag for leaf in node.leaves()}
        return [(n, self.envelope[n]) for n in HEAD_ELEMENTS if n not in present and self.envelope.get(n)]
