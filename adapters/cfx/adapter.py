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
rendering, ``VER`` defaults to ``1.0``, ``APP`` to ``TIPS`` and ``MsgRef`` to the ``MsgID``; ``Reserve`` is
written when the envelope has it, and empty for a 2201/2202 (whose ITFE templates always write it); ``SRC``,
``DES``, ``MsgID`` and ``WorkDate`` must be in the envelope.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

from lxml import etree
from pydantic import BaseModel

from adapters._fields import field_map, read_leaves, to_text, write_leaves
from adapters._xml import parse_xml
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


@cache
def _head_fields(spec: MsgSpec) -> frozenset[str]:
    """The canonical fields that travel in the batch head of ``spec``."""
    fields = field_map(spec.model)
    return frozenset(fields.by_element[name] for name in spec.head if name in fields.by_element)


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
        parts = [c for c in root if isinstance(c.tag, str)]
        tags = [c.tag for c in parts]
        if tags not in (["HEAD", "MSG"], ["HEAD"]):
            raise MalformedDocument("unexpected_element", "<CFX> must hold exactly <HEAD> then <MSG>")
        head = self._read_head(parts[0])
        spec = MSG_SPECS.get(head["MsgNo"])
        if spec is None:
            raise MalformedDocument("unknown_msgno", f"MsgNo {head['MsgNo']!r} is not supported")
        _check_head(head)
        msg_no = head["MsgNo"]
        if not spec.has_msg:
            # a HEAD-only message (9005); an empty <MSG/> some senders add is tolerated, any content is not
            if len(parts) == 2 and any(isinstance(c.tag, str) for c in parts[1]):
                raise MalformedDocument(
                    "unexpected_element", f"a {msg_no} is HEAD only: its <MSG> must be empty"
                )
            return self._parse_single(spec, [], head)
        if len(parts) != 2:
            raise MalformedDocument("missing_element", f"a {msg_no} needs a <MSG>")
        batch_head, elements = self._split_msg(parts[1], spec, msg_no, limits)
        if spec.single:
            return self._parse_single(spec, elements, head)

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
            data = self._record_data(element, spec, msg_no, position)
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
                records.append(Record(position, build(spec.model, data, f"[{position}]")))
            except ValidationFailed as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationFailed(problems)
        self._check_totals(batch_head, records, spec, msg_no)
        return Document(FORMAT, tuple(records), head)

    @staticmethod
    def _read_head(element: etree._Element) -> dict[str, str]:
        head: dict[str, str] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag not in HEAD_ELEMENTS or child.tag in head or len(child):
                raise MalformedDocument("unexpected_element", f"<{child.tag}> is not expected in <HEAD>")
            head[child.tag] = child.text or ""
        missing = [name for name in _REQUIRED_HEAD if not head.get(name)]
        if missing:
            raise MalformedDocument("missing_element", f"HEAD lacks {', '.join(missing)}")
        return head

    @staticmethod
    def _split_msg(
        msg: etree._Element, spec: MsgSpec, msg_no: str, limits: Limits
    ) -> tuple[dict[str, str], list[etree._Element]]:
        head_tag = f"{spec.head_tag}{msg_no}"
        record_tag = f"{spec.record}{msg_no}" if spec.record else None
        batch_head: dict[str, str] | None = None
        elements: list[etree._Element] = []
        for child in msg:
            if not isinstance(child.tag, str):
                continue
            if spec.head and child.tag == head_tag and batch_head is None and not elements:
                batch_head = {}
                for item in child:
                    if not isinstance(item.tag, str):
                        continue
                    if item.tag not in spec.head or item.tag in batch_head or len(item):
                        raise MalformedDocument(
                            "unexpected_element", f"<{item.tag}> is not expected in <{head_tag}>"
                        )
                    batch_head[item.tag] = item.text or ""
            elif child.tag == record_tag:
                elements.append(child)
            else:
                raise MalformedDocument(
                    "unexpected_element", f"<{child.tag}> is not expected in a {msg_no} <MSG>"
                )
        if spec.head and batch_head is None:
            raise MalformedDocument("missing_element", f"<{head_tag}> is missing")
        limit = min(MAX_RECORDS, limits.max_records)
        if len(elements) > limit:
            raise MalformedDocument(
                "too_many_records", f"{len(elements)} records; a package carries at most {limit}"
            )
        if spec.single and record_tag is not None and len(elements) != 1:
            raise MalformedDocument("missing_element", f"a {msg_no} carries exactly one <{record_tag}>")
        return batch_head or {}, elements

    @staticmethod
    def _record_data(element: etree._Element, spec: MsgSpec, msg_no: str, position: int) -> dict[str, Any]:
        fields = record_fields(spec)  # the record's own elements: a batch-head element here is unexpected
        detail_tag = f"Detail{msg_no}"
        details: list[etree._Element] = []  # the detail children, collected while reading the leaves
        data = read_leaves(
            element,
            fields,
            position=position,
            where=f"<{element.tag}>",
            containers=_detail_containers(detail_tag) if spec.has_details else frozenset(),
            found=details,
        )
        item_fields = detail_fields(spec)
        if item_fields is not None and fields.list_field is not None:
            data[fields.list_field] = [
                read_leaves(d, item_fields, position=position, where=f"<{detail_tag}>") for d in details
            ]
        return data

    @staticmethod
    def _parse_single(spec: MsgSpec, elements: list[etree._Element], head: dict[str, str]) -> Document:
        data: dict[str, Any] = {}
        if elements:
            element = elements[0]
            data = read_leaves(element, field_map(spec.model), position=0, where=f"<{element.tag}>")
        return Document(FORMAT, (Record(0, build(spec.model, data, "[0]")),), head)

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
        root = etree.Element("CFX")
        root.append(self._head(document.envelope, msg_no, spec))
        if spec.has_msg:
            self._msg(etree.SubElement(root, "MSG"), records, spec, msg_no)
        out = etree.tostring(root, encoding="GBK", xml_declaration=False, pretty_print=True)
        assert isinstance(out, bytes)
        return b'<?xml version="1.0" encoding="GBK"?>\n' + out

    @classmethod
    def _msg(cls, msg: etree._Element, records: tuple[Record, ...], spec: MsgSpec, msg_no: str) -> None:
        if spec.head:
            msg.append(cls._batch_head(records, spec, msg_no))
        if spec.record:
            head_fields = _head_fields(spec)
            for record in records:
                msg.append(cls._record(record.message, spec, msg_no, head_fields))

    @staticmethod
    def _head(envelope: Mapping[str, str], msg_no: str, spec: MsgSpec) -> etree._Element:
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
            if name == ALL_NUM:
                text: str | None = str(len(records))
            elif name == ALL_AMT:
                total = sum((getattr(r.message, spec.amount or "") for r in records), Decimal("0.00"))
                text = format_money(total)
            else:
                field = fields.by_element[name]
                value = getattr(first, field)
                if any(getattr(r.message, field) != value for r in records):
                    raise TranslationError(f"records of one package disagree on batch-head field {name}")
                text = to_text(value)
            etree.SubElement(element, name).text = text
        return element

    @staticmethod
    def _record(
        message: BaseModel, spec: MsgSpec, msg_no: str, head_fields: frozenset[str]
    ) -> etree._Element:
        fields = record_fields(spec)
        element = etree.Element(f"{spec.record}{msg_no}")
        own = replace(fields, leaves=tuple(leaf for leaf in fields.leaves if leaf[0] not in head_fields))
        write_leaves(element, message, own)
        item_fields = detail_fields(spec)
        if item_fields is not None and fields.list_field is not None:
            for item in getattr(message, fields.list_field):
                write_leaves(etree.SubElement(element, f"Detail{msg_no}"), item, item_fields)
        return element
