"""Property (issue 12 "preserve, don't refuse"): elements — or ``mof`` columns — the models do not know,
with random names, texts, nesting and positions, are accepted, kept in order as extensions of the record
(not changing its business content), and rendered back in place: the document round-trips byte-equal,
directly and through the canonical JSON of ``fiscalgw convert --to json``."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters._fields import field_map
from adapters.base import Document
from adapters.canonical import document_from_obj, document_json
from adapters.cfx.adapter import HEAD_ELEMENTS
from adapters.cfx.msgnos import MSG_SPECS
from adapters.evoucher.vtcodes import VT_SPECS
from adapters.mof.tables import TABLES
from adapters.preserve import extensions, extensions_text
from adapters.registry import default_registry
from tests.adapters.evoucher_build import envelope, inner_bytes, inner_text
from tests.adapters.mof_helpers import golden_issue_rows, mof_json

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
REGISTRY = default_registry()
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _known_names() -> frozenset[str]:
    names: set[str] = {"DetailList", "Detail", "Voucher", "VoucherBody", "VoucherFlag", "Attach"}
    names |= {"Return_Reason", "File", "VoucherCount", "MOF", "CFX", "HEAD", "MSG", *HEAD_ELEMENTS}
    models: list[Any] = [m for s in VT_SPECS.values() for m in (s.voucher, s.receipt) if m is not None]
    for msg_no, spec in MSG_SPECS.items():
        models.append(spec.model)
        names |= {f"BatchHead{msg_no}", f"Detail{msg_no}", *spec.head}
        if spec.record:
            names.add(f"{spec.record}{msg_no}")
    for model in models:
        fields = field_map(model)
        names |= set(fields.by_element)
        if fields.item_model is not None:
            names |= set(field_map(fields.item_model).by_element)
    for table in TABLES.values():
        names |= set(table.by_wire) | {table.name}
    return frozenset(names)


KNOWN = _known_names()
NAMES = st.from_regex(r"[A-Z][A-Za-z0-9_]{0,11}", fullmatch=True).filter(lambda n: n not in KNOWN)
TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(codec="gbk", exclude_categories=("Cs", "Cc")), st.sampled_from([" ", "\t", "\n"])
    ),
    max_size=12,
)


@st.composite
def extra_elements(draw: st.DrawFn) -> tuple[str, str, str]:
    """(name, text, xml): a leaf, an empty element, or one holding a child (nested content is kept too)."""
    name = draw(NAMES)
    text = draw(TEXTS)
    shape = draw(st.sampled_from(["leaf", "empty", "nested"]))
    if shape == "empty" or (shape == "leaf" and not text):
        return name, "", f"<{name}/>"
    if shape == "nested":
        child = draw(NAMES)
        inside = f"<{child}>{escape(text)}</{child}>" if text else f"<{child}/>"  # <X></X> reads as <X/>
        return name, text, f"<{name}>{inside}</{name}>"
    return name, text, f"<{name}>{escape(text)}</{name}>"


def _insert(parent: etree._Element, extras: list[tuple[int, str]]) -> list[str]:
    """Insert the extension XML texts at the drawn indices; the inserted names in document order."""
    for index, xml in extras:
        parent.insert(min(index, len(parent)), etree.fromstring(xml))
    return [str(child.tag) for child in parent if isinstance(child.tag, str) and child.tag not in KNOWN]


def _serialised(root: etree._Element, encoding: str, final: str = "\n") -> bytes:
    body = etree.tostring(root, encoding=encoding, xml_declaration=False)
    return f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode() + body + final.encode()


def _round_trips(fmt: str, raw: bytes) -> Document:
    adapter = REGISTRY.get(fmt)
    document = adapter.parse(raw)
    assert adapter.render(document) == raw
    assert adapter.render(document_from_obj(json.loads(document_json(document)))) == raw
    return document


PLACES = st.lists(st.tuples(st.integers(0, 60), extra_elements()), min_size=1, max_size=5)


@SETTINGS
@given(header=PLACES, detail=PLACES)
def test_evoucher_inner_voucher_extensions_are_kept_in_order(
    header: list[tuple[int, tuple[str, str, str]]], detail: list[tuple[int, tuple[str, str, str]]]
) -> None:
    plain_inner = inner_bytes(inner_text())
    root = etree.fromstring(plain_inner)
    names = _insert(root, [(i, x) for i, (_n, _t, x) in header])
    detail_names = _insert(root.find("DetailList/Detail"), [(i, x) for i, (_n, _t, x) in detail])  # type: ignore[arg-type]
    inner = b'<?xml version="1.0" encoding="GBK"?>\n' + etree.tostring(
        root, encoding="GBK", xml_declaration=False
    )
    raw = envelope(_body(inner))
    document = _round_trips("evoucher", raw)
    plain = REGISTRY.get("evoucher").parse(envelope(_body(plain_inner)))
    assert document.records[0].message == plain.records[0].message  # business content unchanged
    found = extensions(document.records[0].layout)
    assert [e["name"] for e in found if e["where"] == "Voucher"] == names
    assert [e["name"] for e in found if e["where"] == "Voucher/DetailList/Detail[0]"] == detail_names


def _body(inner: bytes, extra_attrs: str = "", after: str = "") -> bytes:
    text = base64.b64encode(inner).decode("ascii")
    return (
        f'<VoucherBody AdmDivCode="330324" StYear="2026" VtCode="5201" VoucherNo="3303245201260000123"'
        f"{extra_attrs}><VoucherFlag>0</VoucherFlag><Attach>SUCCESS</Attach><Voucher>{text}</Voucher>"
        f"{after}</VoucherBody>"
    ).encode("gbk")


@SETTINGS
@given(
    attrs=st.lists(
        st.tuples(NAMES, st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True)),
        max_size=3,
        unique_by=lambda a: a[0],
    ),
    children=st.lists(extra_elements(), max_size=3),
)
def test_evoucher_body_attributes_and_children_are_kept(
    attrs: list[tuple[str, str]], children: list[tuple[str, str, str]]
) -> None:
    extra_attrs = "".join(f' {name}="{value}"' for name, value in attrs)
    after = "".join(xml for _n, _t, xml in children)
    raw = envelope(_body(inner_bytes(inner_text()), extra_attrs, after))
    document = _round_trips("evoucher", raw)
    layout = document.records[0].layout
    assert layout is not None
    assert [a for a in layout.nodes["body"].attrs if a[0] in dict(attrs)] == attrs
    assert [e["name"] for e in extensions(layout) if e["where"] == "VoucherBody"] == [
        n for n, _t, _x in children
    ]


@SETTINGS
@given(head=PLACES, bill=PLACES, detail=PLACES, batch=PLACES)
def test_cfx_extensions_are_kept_in_order(
    head: list[tuple[int, tuple[str, str, str]]],
    bill: list[tuple[int, tuple[str, str, str]]],
    detail: list[tuple[int, tuple[str, str, str]]],
    batch: list[tuple[int, tuple[str, str, str]]],
) -> None:
    source = (GOLDEN / "cfx/2201.xml").read_bytes()
    root = etree.fromstring(source)
    head_names = _insert(root.find("HEAD"), [(i, x) for i, (_n, _t, x) in head])  # type: ignore[arg-type]
    batch_names = _insert(root.find("MSG/BatchHead2201"), [(i, x) for i, (_n, _t, x) in batch])  # type: ignore[arg-type]
    bill_names = _insert(root.find("MSG/Bill2201"), [(i, x) for i, (_n, _t, x) in bill])  # type: ignore[arg-type]
    first_detail = root.find("MSG/Bill2201/Detail2201")
    assert first_detail is not None
    detail_names = _insert(first_detail, [(i, x) for i, (_n, _t, x) in detail])
    raw = (
        b'<?xml version="1.0" encoding="GBK"?>\n'
        + etree.tostring(root, encoding="GBK", xml_declaration=False)
        + b"\n"
    )
    document = _round_trips("cfx", raw)
    assert document.messages == REGISTRY.get("cfx").parse(source).messages
    found = extensions(document.records[0].layout)
    assert [e["name"] for e in found if e["where"] == "Bill2201"] == bill_names
    assert [e["name"] for e in found if e["where"] == "Bill2201/Detail2201[0]"] == detail_names
    envelope_found = extensions(document.layout)
    assert [e["name"] for e in envelope_found if e["where"] == "CFX/HEAD"] == head_names
    assert [e["name"] for e in envelope_found if e["where"] == "CFX/MSG/BatchHead2201"] == batch_names
    stored = json.loads(extensions_text(document.records[0].layout, document.layout) or "[]")
    assert stored == [*envelope_found, *found]  # what intake stores with each record


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**9), 10**9), TEXTS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=6,
)


@SETTINGS
@given(
    extra=st.lists(st.tuples(st.integers(0, 40), NAMES.map(str.upper), JSON_VALUES), min_size=1, max_size=5)
)
def test_mof_json_unknown_columns_are_kept_in_order(extra: list[tuple[int, str, object]]) -> None:
    rows = golden_issue_rows()
    items = list(rows[0].items())
    for index, name, value in extra:
        if name in TABLES["BA_BGT_INFO"].by_wire or name in dict(items):
            continue
        items.insert(min(index, len(items)), (name, value))
    rows[0] = dict(items)
    raw = mof_json(rows)
    document = _round_trips("mof.json", raw)
    unknown = [n for n, _v in items if n not in TABLES["BA_BGT_INFO"].by_wire]
    found = extensions(document.records[0].layout)
    assert [e["name"] for e in found] == unknown
    assert [json.loads(e["text"]) for e in found] == [v for n, v in items if n in unknown]


@SETTINGS
@given(extra=PLACES)
def test_mof_xml_unknown_columns_are_kept_in_order(extra: list[tuple[int, tuple[str, str, str]]]) -> None:
    source = (GOLDEN / "mof/indicators_issue.xml").read_bytes()
    root = etree.fromstring(source)
    names = _insert(root[0], [(i, x.replace(n, n.upper())) for i, (n, _t, x) in extra])
    raw = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        + b"\n"
    )
    document = _round_trips("mof.xml", raw)
    assert document.messages == REGISTRY.get("mof.xml").parse(source).messages
    assert [e["name"] for e in extensions(document.records[0].layout)] == names
