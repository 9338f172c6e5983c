"""Faithful round trips (issue 12, docs/adr/0007-preserve-extensions.md): for a pass-through, wire →
canonical → wire is byte-equal — for every golden wire document, through the canonical JSON of
``fiscalgw convert --to json`` and back, and for documents built the way real senders write them (extra
and empty standard elements, optional ones left out, amounts without decimals, CRLF and tabs, MIME base64
lines). A record built fresh still renders in the standard form."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from adapters.base import Document, Record
from adapters.canonical import document_from_obj, document_json
from adapters.registry import default_registry
from gateway.cli import main
from tests.adapters.mof_helpers import golden_issue_rows, mof_json
from tests.conformance.wire_build import (
    DETAIL_EXTRAS_5201,
    HEADER_EXTRAS_5201,
    LEFT_OUT_5201,
    real_5201_inner,
    real_envelope,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
REGISTRY = default_registry()
FORMAT_OF = {"evoucher": "evoucher", "cfx": "cfx", "mof": None}


def _wire_goldens() -> list[tuple[str, Path]]:
    out = []
    for folder in ("evoucher", "cfx", "mof"):
        for path in sorted((GOLDEN / folder).iterdir()):
            if path.name.endswith(".expected.json") or path.suffix not in (".xml", ".json"):
                continue  # the expected canonical form, or a README naming the sources
            fmt = FORMAT_OF[folder] or ("mof.json" if path.suffix == ".json" else "mof.xml")
            out.append((fmt, path))
    return out


GOLDENS = _wire_goldens()


def _through_canonical(fmt: str, raw: bytes) -> bytes:
    """wire → canonical JSON text (what ``convert --to json`` writes) → wire."""
    adapter = REGISTRY.get(fmt)
    text = document_json(adapter.parse(raw))
    return adapter.render(document_from_obj(json.loads(text)))


def test_every_wire_format_has_goldens() -> None:
    assert {fmt for fmt, _ in GOLDENS} == {"evoucher", "cfx", "mof.json", "mof.xml"}
    assert len(GOLDENS) == 13 + 10 + 3 + 3


@pytest.mark.parametrize(("fmt", "path"), GOLDENS, ids=[p.name for _, p in GOLDENS])
def test_golden_round_trip_is_byte_equal(fmt: str, path: Path) -> None:
    raw = path.read_bytes()
    adapter = REGISTRY.get(fmt)
    assert adapter.render(adapter.parse(raw)) == raw
    assert _through_canonical(fmt, raw) == raw


@pytest.mark.parametrize(
    ("fmt", "relative"),
    [
        ("evoucher", "evoucher/5201.xml"),
        ("evoucher", "evoucher/2301_receipt.xml"),
        ("cfx", "cfx/2201.xml"),
        ("cfx", "cfx/9120.xml"),
        ("mof.json", "mof/indicators_adjust_recall.json"),
        ("mof.xml", "mof/indicator_receipts.xml"),
    ],
)
def test_cli_convert_to_json_and_back_is_byte_equal(
    fmt: str, relative: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    source = GOLDEN / relative
    assert main(["convert", "--to", "json", str(source)]) == 0
    canonical = capsysbinary.readouterr().out
    value = json.loads(canonical)
    assert value["format"] == fmt and len(value["messages"]) == len(value["records"])
    staged = tmp_path / "doc.json"
    staged.write_bytes(canonical)
    assert main(["convert", "--from", "json", "--to", fmt, str(staged)]) == 0
    assert capsysbinary.readouterr().out == source.read_bytes()


def test_cli_convert_to_json_keeps_the_cfx_head_and_evoucher_envelope(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    assert main(["convert", "--to", "json", str(GOLDEN / "cfx/2201.xml")]) == 0
    head = json.loads(capsysbinary.readouterr().out)["envelope"]
    assert {k: head[k] for k in ("SRC", "DES", "MsgID", "MsgRef", "WorkDate")} == {
        "SRC": "202057100007",
        "DES": "100000000000",
        "MsgID": "20260317220100000031",
        "MsgRef": "20260317220100000031",
        "WorkDate": "20260317",
    }
    assert main(["convert", "--to", "json", str(GOLDEN / "evoucher/5201.xml")]) == 0
    records = json.loads(capsysbinary.readouterr().out)["records"]
    assert records[0]["meta"]["Attach"] == "SUCCESS"


# ---- documents as real senders write them ------------------------------------------------------------


def test_real_5201_with_itfe_extras_round_trips_byte_equal() -> None:
    raw = real_envelope(real_5201_inner())
    adapter = REGISTRY.get("evoucher")
    document = adapter.parse(raw)
    assert adapter.render(document) == raw
    assert _through_canonical("evoucher", raw) == raw
    message = document.records[0].message
    assert str(message.pay_amt) == "900000.00"  # typed and validated …
    rendered = adapter.render(document)
    assert b"900000.00" not in rendered  # … yet written back as the sender wrote it


def test_a_round_trip_adds_no_element_the_source_did_not_have() -> None:
    """Optional standard elements left out stay out; the inner voucher the gateway writes back holds
    exactly the source's elements, in the source's order."""
    raw = real_envelope(real_5201_inner())
    adapter = REGISTRY.get("evoucher")
    out = adapter.render(adapter.parse(raw))
    voucher = re.search(rb"<Voucher>([^<]*)</Voucher>", out)
    assert voucher is not None
    inner = base64.b64decode(b"".join(voucher.group(1).split())).decode("gbk")
    source_tags = re.findall(r"<([A-Za-z0-9]+)[ />]", real_5201_inner().decode("gbk"))
    assert re.findall(r"<([A-Za-z0-9]+)[ />]", inner) == source_tags
    for tag in LEFT_OUT_5201:
        assert f"<{tag}" not in inner
    for tag, _text in [*HEADER_EXTRAS_5201, *DETAIL_EXTRAS_5201]:
        assert f"<{tag}" in inner


def _cfx_2201_as_sent() -> bytes:
    """The 2201 golden as a TIPS sender may write it: no MsgRef, no Reserve, no AddWord, ``5000`` for
    ``5000.00``, CRLF line ends."""
    text = (GOLDEN / "cfx/2201.xml").read_bytes().decode("gbk")
    text = re.sub(r"\s*<MsgRef>[^<]*</MsgRef>", "", text)
    text = re.sub(r"\s*<Reserve/>", "", text)
    text = re.sub(r"\s*<AddWord(?:/>|>[^<]*</AddWord>)", "", text)
    text = text.replace("<Amt>5000.00</Amt>", "<Amt>5000</Amt>")
    return text.replace("\n", "\r\n").encode("gbk")


def test_cfx_without_optional_head_and_bill_elements_round_trips_byte_equal() -> None:
    raw = _cfx_2201_as_sent()
    adapter = REGISTRY.get("cfx")
    document = adapter.parse(raw)
    assert "MsgRef" not in document.envelope
    out = adapter.render(document)
    assert out == raw
    for absent in (b"<MsgRef", b"<Reserve", b"<AddWord"):
        assert absent not in out
    assert _through_canonical("cfx", raw) == raw


def test_cfx_5102_without_trans_bank_no_stays_without_it() -> None:
    """A 5102 batch head that leaves the optional ``TransBankNo`` out: the round trip used to add
    ``<TransBankNo/>``."""
    raw = (GOLDEN / "cfx/5102.xml").read_bytes()
    raw = re.sub(rb"\s*<TransBankNo>[^<]*</TransBankNo>", b"", raw)
    adapter = REGISTRY.get("cfx")
    out = adapter.render(adapter.parse(raw))
    assert out == raw and b"TransBankNo" not in out


def test_mof_json_row_keeps_column_order_number_types_and_unknown_columns() -> None:
    rows = golden_issue_rows()
    rows[0] = {"X_LOCAL_NOTE": {"by": "县财政", "n": [1, 2]}, **dict(reversed(list(rows[0].items())))}
    rows[0]["AMOUNT"] = 900000  # a JSON integer (yuan)
    raw = mof_json(rows)
    adapter = REGISTRY.get("mof.json")
    document = adapter.parse(raw)
    assert str(document.records[0].message.amount) == "900000.00"
    assert adapter.render(document) == raw
    assert _through_canonical("mof.json", raw) == raw


def test_mof_xml_with_comments_unknown_columns_and_short_amounts_round_trips() -> None:
    raw = (GOLDEN / "mof/indicators_issue.xml").read_bytes()
    raw = raw.replace(
        b"<AMOUNT>12345678.90</AMOUNT>", b"<AMOUNT>12345678.9</AMOUNT><!-- \xe5\xa4\x87\xe6\xb3\xa8 -->"
    )
    raw = raw.replace(b"<BGT_ID>", b"<TASK_NO_LOCAL>T-1</TASK_NO_LOCAL>\n    <BGT_ID>", 1)
    adapter = REGISTRY.get("mof.xml")
    assert adapter.render(adapter.parse(raw)) == raw
    assert _through_canonical("mof.xml", raw) == raw


# ---- delivery of part of a document, changed values, fresh records ------------------------------------


def test_part_of_an_envelope_renders_in_the_source_shape() -> None:
    """What a receiver of one body of a two-body envelope gets (gateway.services.profiles.render_for)."""
    raw = (GOLDEN / "evoucher/5201.xml").read_bytes()
    adapter = REGISTRY.get("evoucher")
    document = adapter.parse(raw)
    part = Document(document.format, (document.records[1],), document.envelope, document.layout)
    first = raw.index(b"<VoucherBody")
    second = raw.index(b"<VoucherBody", first + 1)
    expected = raw[:first] + raw[second:]
    expected = expected.replace(b"<VoucherCount>2</VoucherCount>", b"<VoucherCount>1</VoucherCount>")
    assert adapter.render(part) == expected


def test_a_changed_value_is_written_in_the_standard_form_and_nothing_else_moves() -> None:
    raw = _cfx_2201_as_sent()
    adapter = REGISTRY.get("cfx")
    document = adapter.parse(raw)
    record = document.records[1]
    changed = record.message.model_copy(update={"payer_name": "改名"})
    edited = Document(document.format, (document.records[0], Record(1, changed, layout=record.layout)),
                      document.envelope, document.layout)  # fmt: skip
    out = adapter.render(edited).decode("gbk")
    before = raw.decode("gbk")
    old_name = str(record.message.payer_name)
    assert before.count(old_name) >= 1
    last = before.rindex(f"<PayerName>{old_name}</PayerName>")
    expected = before[:last] + "<PayerName>改名</PayerName>" + before[last + len(old_name) + 23 :]
    assert out == expected


def test_a_record_built_fresh_renders_in_the_standard_form() -> None:
    adapter = REGISTRY.get("cfx")
    raw = (GOLDEN / "cfx/2201.xml").read_bytes()
    document = adapter.parse(raw)
    fresh = Document("cfx", tuple(Record(r.position, r.message) for r in document.records), document.envelope)
    assert adapter.render(fresh) == raw  # the goldens are in the standard form
    stripped = adapter.parse(_cfx_2201_as_sent())
    rebuilt = Document(
        "cfx", tuple(Record(r.position, r.message) for r in stripped.records), stripped.envelope
    )
    out = adapter.render(rebuilt)
    assert b"<AddWord/>" in out and b"<Amt>5000.00</Amt>" in out  # the standard form, as before


def test_a_canonical_json_layout_that_is_not_one_is_refused_with_bad_layout(tmp_path: Path) -> None:
    """``--from json`` reads layouts from a file: a layout whose extension is not an element, a comment
    with ``--``, or an extension declaring a DOCTYPE is ``bad_layout`` (one line, exit 1), never a crash
    or an entity expansion."""
    raw = (GOLDEN / "cfx/2201.xml").read_bytes()
    value = json.loads(document_json(REGISTRY.get("cfx").parse(raw)))
    record_layout = value["records"][0]["layout"]["nodes"]["record"]
    for bad in ("junk", "<!-- a -- b -->", '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'):
        record_layout["items"].insert(0, ["x", bad, None])
        path = tmp_path / "doc.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        assert main(["convert", "--from", "json", "--to", "cfx", str(path)]) == 1
        record_layout["items"].pop(0)
    value["records"][0]["layout"] = {"model": 1}
    path.write_text(json.dumps(value), encoding="utf-8")
    assert main(["convert", "--from", "json", "--to", "cfx", str(path)]) == 1


def test_an_inner_voucher_that_leaves_the_header_to_the_envelope_stays_so() -> None:
    """The header the inner voucher leaves to ``<VoucherBody>``'s attributes is not written inside it."""
    inner = real_5201_inner().decode("gbk")
    for tag in ("AdmDivCode", "StYear", "VtCode"):
        inner = re.sub(rf"\r\n\t<{tag}>[^<]*</{tag}>", "", inner, count=1)
    raw = real_envelope(inner.encode("gbk"))
    adapter = REGISTRY.get("evoucher")
    document = adapter.parse(raw)
    message = document.records[0].message
    assert (message.adm_div_code, message.vt_code) == ("330324", "5201")
    assert adapter.render(document) == raw


_SHORT_EMPTY = re.compile(rb"<([A-Za-z_][\w.:-]*)((?:\s[^<>]*?)?)\s*/>")
_VOUCHER_TEXT = re.compile(rb"(<Voucher>)([A-Za-z0-9+/=\s]+)(</Voucher>)")


def _template_style(raw: bytes) -> bytes:
    """``raw`` as a template-built sender writes it: every empty element as ``<X></X>`` — ITFE's FreeMarker
    templates (caoyanguo/ITFE itfeesb/conf/transconfig/voucher_3501_java2xml.ftl: ``<Hold1>${var.Hold1}
    </Hold1>``) never write ``<X/>`` — in the inner vouchers as well."""

    def pair(match: re.Match[bytes]) -> bytes:
        return b"<" + match.group(1) + match.group(2) + b"></" + match.group(1) + b">"

    def inner(match: re.Match[bytes]) -> bytes:
        decoded = base64.b64decode(b"".join(match.group(2).split()))
        return match.group(1) + base64.b64encode(_SHORT_EMPTY.sub(pair, decoded)) + match.group(3)

    return _SHORT_EMPTY.sub(pair, _VOUCHER_TEXT.sub(inner, raw))


XML_GOLDENS = [(fmt, path) for fmt, path in GOLDENS if path.suffix == ".xml"]


@pytest.mark.parametrize(("fmt", "path"), XML_GOLDENS, ids=[p.name for _, p in XML_GOLDENS])
def test_a_template_built_document_keeps_its_open_close_empty_elements(fmt: str, path: Path) -> None:
    raw = _template_style(path.read_bytes())
    assert b"/>" not in raw
    adapter = REGISTRY.get(fmt)
    assert adapter.render(adapter.parse(raw)) == raw
    assert _through_canonical(fmt, raw) == raw


def test_a_document_that_mixes_both_empty_forms_comes_back_in_the_short_form() -> None:
    """The documented limit (ADR 0007): a parser reports ``<X></X>`` and ``<X/>`` alike, so a document that
    mixes them is rendered with ``<X/>`` throughout — the same XML, not the same bytes."""
    raw = (GOLDEN / "cfx" / "2201.xml").read_bytes()
    first = _SHORT_EMPTY.search(raw)
    assert first is not None and raw.count(b"/>") >= 2
    tag = first.group(1)
    mixed = raw[: first.start()] + b"<" + tag + b"></" + tag + b">" + raw[first.end() :]
    adapter = REGISTRY.get("cfx")
    out = adapter.render(adapter.parse(mixed))
    assert out == raw and out != mixed
