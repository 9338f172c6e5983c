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
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from lxml import etree
from pydantic import BaseModel

from adapters._xml import parse_xml
from adapters.base import Adapter, Document, Record, Signature
from adapters.errors import MalformedDocument, TranslationError
from adapters.evoucher.inner import voucher_bytes, voucher_data
from adapters.evoucher.vtcodes import RECEIPT_MODELS, VT_SPECS
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
_BODY_ATTRIBUTES = frozenset({*HEADER_ATTRIBUTES, "TimeStamp"})
_BODY_CHILDREN = frozenset({"VoucherFlag", "Return_Reason", "Attach", "Voucher", "File"})
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
        for child in root:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "VoucherCount" and count_text is None and not bodies:
                count_text = (child.text or "").strip()
            elif child.tag == "VoucherBody":
                bodies.append(child)
            else:
                raise MalformedDocument("unexpected_element", f"<{child.tag}> inside <MOF>")
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
        return Document(FORMAT, tuple(records))

    def _parse_body(
        self, body: etree._Element, position: int, limits: Limits, seen: dict[tuple[str, ...], int]
    ) -> tuple[Record | None, list[Problem]]:
        attrs = {str(k): str(v) for k, v in body.attrib.items()}
        unknown = sorted(set(attrs) - _BODY_ATTRIBUTES)
        if unknown:
            raise MalformedDocument(
                "unexpected_element",
                f"unknown <VoucherBody> attribute(s) {', '.join(unknown)}",
                position=position,
            )
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
        files = 0
        for child in body:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag not in _BODY_CHILDREN:
                raise MalformedDocument(
                    "unexpected_element", f"<{tag}> inside <VoucherBody>", position=position
                )
            if tag == "File":
                self._read_file_block(child, files, meta, position)
                files += 1
                continue
            if tag in children:
                raise MalformedDocument(
                    "unexpected_element", f"<{tag}> repeated in <VoucherBody>", position=position
                )
            if len(child):
                raise MalformedDocument(
                    "unexpected_element", f"<{tag}> must not have children", position=position
                )
            children[tag] = child.text or ""
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
        data = voucher_data(inner, model, position)
        for name, field in _HEADER_FIELDS.items():
            inside = data.get(field)
            if inside is None:
                data[field] = attrs[name]  # the inner voucher may leave the header to the envelope
            elif inside != attrs[name]:
                raise MalformedDocument(
                    "header_mismatch",
                    f"<VoucherBody {name}={attrs[name]!r}> but the inner voucher says {inside!r}",
                    position=position,
                )
        return self._validate(model, data, position, meta)

    @staticmethod
    def _read_file_block(element: etree._Element, index: int, meta: dict[str, str], position: int) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if len(child):
                raise MalformedDocument(
                    "unexpected_element", f"<File><{child.tag}> is nested", position=position
                )
            text = child.text or ""
            if child.tag == "Attach" and text:
                _b64decode(text, "<File><Attach>", position)
            meta[f"File[{index}].{child.tag}"] = text

    @staticmethod
    def _validate(
        model: type[BaseModel], data: Mapping[str, Any], position: int, meta: dict[str, str]
    ) -> tuple[Record | None, list[Problem]]:
        prefix = f"[{position}]"
        try:
            message = build(model, data, prefix)
        except ValidationFailed as exc:
            return None, list(exc.problems)
        region = _code_region(str(getattr(message, "adm_div_code", "")))
        year = int(getattr(message, "st_year", 9999))
        code_problems = tuple(check_codes(message, default_registry(), region, year, prefix))
        return Record(position, message, meta, code_problems), []

    # ---- render --------------------------------------------------------------------------------------

    def render(self, document: Document) -> bytes:
        if len(document.records) > MAX_BODIES:
            raise TranslationError(
                f"{len(document.records)} records; an e-voucher envelope carries at most 100"
            )
        root = etree.Element("MOF")
        etree.SubElement(root, "VoucherCount").text = str(len(document.records))
        for record in document.records:
            root.append(self._body(record))
        out = etree.tostring(root, encoding="GBK", xml_declaration=False, pretty_print=True)
        assert isinstance(out, bytes)
        return b'<?xml version="1.0" encoding="GBK"?>\n' + out

    @staticmethod
    def _body(record: Record) -> etree._Element:
        message = record.message
        vt_code = getattr(message, "vt_code", None)
        spec = VT_SPECS.get(str(vt_code))
        if spec is None or type(message) not in (spec.voucher, spec.receipt):
            raise TranslationError(f"{type(message).__name__} has no e-voucher form")
        meta = record.meta
        is_receipt = type(message) in RECEIPT_MODELS or meta.get("VoucherFlag") == "1"
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
