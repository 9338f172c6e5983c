"""The adapters' fast paths (issue #3 performance work) decide exactly as the general, cell-by-cell paths.

A row that looks plain is built in one pass (:func:`adapters.mof.tables.plain_row`); everything else goes
through :func:`adapters.mof.tables._general_row_to_model`, which diagnoses every cell. These tests feed the
same rows to both and require the same model or the same problems, and check the XML shortcuts (row
extraction, nested-column query, container collection, hardening gates) against the slower forms.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters._fields import field_map, read_element
from adapters._xml import parse_xml
from adapters.csv_ledger import CsvLedgerAdapter
from adapters.errors import MalformedDocument
from adapters.limits import Limits
from adapters.mof import MofXmlAdapter
from adapters.mof.tables import (
    BA_BGT_ADJSUB,
    BA_BGT_INFO,
    BA_BGT_RECEIPT,
    JsonFloat,
    PlainRow,
    Table,
    _general_row_to_model,
    plain_row,
    row_to_model,
)
from schemas.clearing import PbocClearingApply
from schemas.errors import ValidationFailed
from tests.adapters.mof_helpers import golden_issue_rows, malformed_code

#: cell values that exercise every rule of the general path: good text, empty, wrong forms, wrong types
CELLS: list[object] = [
    "",
    None,
    " ",
    "2026",
    "26",
    "2026-01-20",
    "2026-02-30",
    "20260120",
    "2026-01-20 09:30:00",
    "2026-01-20T09:30:00",
    "2026-01-20 09:30",
    "1234.50",
    "1234.505",
    "1E3",
    "-5.00",
    "0",
    "330000000",
    "330300000",
    "33030000",
    "111",
    "999",
    "1",
    "2",
    "09",
    "2130122",
    "51301",
    "30201",
    "\x01",
    "浙财农〔2026〕1号",
    "x" * 400,
    2026,
    1234,
    True,
    12.5,
    JsonFloat("12.50"),
    ["1"],
    {"a": 1},
]


def _outcome(build: Any, table: Table, row: dict[str, object]) -> object:
    try:
        return ("ok", build(table, row, 3).model_dump(mode="json"))
    except ValidationFailed as exc:
        return ("problems", [(p.path, p.rule, p.value, p.message) for p in exc.problems])


def _base_row(table: Table) -> dict[str, object]:
    if table is BA_BGT_INFO:
        return dict(golden_issue_rows()[0])
    if table is BA_BGT_RECEIPT:
        return {
            "BGT_ID": "3300002026ZJ0000000000000000000001",
            "MOF_DIV_CODE": "330000000",
            "REC_DIV_CODE": "330300000",
            "FISCAL_YEAR": "2026",
            "REC_STATUS": "1",
            "REC_BGT_ID": "3303002026WZ01",
            "REC_TIME": "2026-01-21 10:00:00",
        }
    return {
        "ADJ_SUB_ID": "3300002026ZJ0000000000000000000009",
        "ADJ_TYPE_CODE": "1",
        "ORI_BGT_ID": "3300002026ZJ0000000000000000000001",
        "MOF_DIV_CODE": "330000000",
        "REC_DIV_CODE": "330300000",
        "FISCAL_YEAR": "2026",
        "COR_BGT_DOC_NO": "浙财农〔2026〕9号",
        "BGT_DOC_TITLE": "调整",
        "DOC_DATE": "2026-06-01",
        "FUND_TYPE_CODE": "111",
        "TP_FUNC_CODE": "2130122",
        "ADD_AMOUNT": "-100.00",
        "BAT_NUM": "1",
    }


@st.composite
def mutated_rows(draw: st.DrawFn) -> tuple[Table, dict[str, object]]:
    table = draw(st.sampled_from([BA_BGT_INFO, BA_BGT_RECEIPT, BA_BGT_ADJSUB]))
    row = _base_row(table)
    wires = [c.wire for c in table.columns]
    for wire in draw(st.lists(st.sampled_from(wires), max_size=4)):
        row[wire] = draw(st.sampled_from(CELLS))
    for wire in draw(st.lists(st.sampled_from(sorted(row)), max_size=2)):
        row.pop(wire, None)
    if draw(st.booleans()) and draw(st.booleans()):
        row["NOT_A_COLUMN"] = "1"
    return table, row


@settings(max_examples=400, deadline=None)
@given(mutated_rows())
def test_row_to_model_decides_like_the_general_path(case: tuple[Table, dict[str, object]]) -> None:
    table, row = case
    assert _outcome(row_to_model, table, row) == _outcome(_general_row_to_model, table, row)


@settings(max_examples=200, deadline=None)
@given(mutated_rows())
def test_a_plain_row_is_what_the_general_path_would_validate(case: tuple[Table, dict[str, object]]) -> None:
    """What the csv and mof.xml adapters hand over (field names + texts) builds like the wire row."""
    table, row = case
    if not all(type(v) is str or v is None for v in row.values()) or "NOT_A_COLUMN" in row:
        return  # those adapters only build plain rows from known columns holding text (never JsonFloat)
    fields = [table.by_wire[wire].field for wire in row]
    plain = plain_row(table, fields, row.values())  # type: ignore[arg-type]  # text or None: checked
    if plain is None:
        return
    assert type(plain) is PlainRow
    assert "" not in plain.values() and None not in plain.values()
    assert _outcome(row_to_model, table, plain) == _outcome(_general_row_to_model, table, row)  # type: ignore[arg-type]


def test_adjustment_table_never_takes_the_plain_path() -> None:
    """ADJ_TYPE_CODE and the recall amount need the general path's conversions."""
    row = _base_row(BA_BGT_ADJSUB)
    fields = [BA_BGT_ADJSUB.by_wire[wire].field for wire in row]
    assert plain_row(BA_BGT_ADJSUB, fields, row.values()) is None  # type: ignore[arg-type]


def _mof_xml(rows: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<BGT_EXCHANGE>{rows}</BGT_EXCHANGE>'.encode()


def _xml_row(extra: str = "") -> str:
    cells = "".join(f"<{k}>{v}</{k}>" for k, v in golden_issue_rows()[0].items())
    return f"<BA_BGT_INFO>{cells}{extra}</BA_BGT_INFO>"


def test_mof_xml_comment_inside_a_row_changes_nothing() -> None:
    adapter = MofXmlAdapter()
    plain = adapter.parse(_mof_xml(_xml_row()))
    commented = adapter.parse(_mof_xml(_xml_row("<!-- 备注 --><?pi x?>")))
    assert commented.messages == plain.messages


def test_mof_xml_repeated_column_next_to_a_comment_is_still_refused() -> None:
    row = _xml_row("<!-- c --><FUND_TYPE_NAME>x</FUND_TYPE_NAME>")
    assert malformed_code(MofXmlAdapter(), _mof_xml(row)) == "duplicate_column"


def test_mof_xml_nested_unknown_column_is_kept_and_a_nested_known_one_refused() -> None:
    """Issue 12: an unknown column with nested content is an extension (it used to be refused); a known
    column holding elements is still malformed."""
    row = _xml_row("<PRO_NAME2><X>1</X></PRO_NAME2>")
    document = MofXmlAdapter().parse(_mof_xml(row))
    layout = document.records[0].layout
    assert layout is not None
    assert [e.xml for e in layout.nodes["row"].extras()] == ["<PRO_NAME2><X>1</X></PRO_NAME2>"]
    assert b"<PRO_NAME2><X>1</X></PRO_NAME2>" in MofXmlAdapter().render(document)
    cells = "".join(f"<{k}>{v}</{k}>" for k, v in golden_issue_rows()[0].items() if k != "PRO_NAME")
    nested_known = f"<BA_BGT_INFO>{cells}<PRO_NAME><X>1</X></PRO_NAME></BA_BGT_INFO>"
    assert malformed_code(MofXmlAdapter(), _mof_xml(nested_known)) == "unexpected_element"


def test_csv_row_with_a_bad_date_takes_the_general_path() -> None:
    header = "BGT_ID,MOF_DIV_CODE,FISCAL_YEAR,COR_BGT_DOC_NO,BGT_DOC_TITLE,DOC_DATE,FUND_TYPE_CODE,AMOUNT"
    good = "A1,330000000,2026,浙财〔2026〕1号,标题,2026-01-20,111,10.00"
    bad = "A2,330000000,2026,浙财〔2026〕2号,标题,20260120,111,10.00"
    raw = f"{header}\r\n{good}\r\n{bad}\r\n".encode()
    with pytest.raises(ValidationFailed) as info:
        CsvLedgerAdapter().parse(raw)
    assert [(p.path, p.rule) for p in info.value.problems] == [("[1].doc_date", "bad_date")]


def test_read_leaves_collects_containers_in_document_order() -> None:
    element = etree.fromstring(
        "<Bill2201><TraNo>1</TraNo><Detail2201><SeqNo>1</SeqNo></Detail2201><!-- c -->"
        "<VouNo>2</VouNo><Detail2201><SeqNo>2</SeqNo></Detail2201><PayeeName/></Bill2201>"
    )
    data, node, found = read_element(
        element,
        field_map(PbocClearingApply),
        position=0,
        where="<Bill2201>",
        containers={"Detail2201": "details"},
    )
    assert data == {"tra_no": "1", "vou_no": "2"}
    assert found == element.findall("Detail2201")
    # the layout keeps the order: leaf, detail slot, the comment, leaf, detail slot, leaf
    kinds = [type(item).__name__ for item in node.items]
    assert kinds == ["Leaf", "Node", "Extra", "Leaf", "Node", "Leaf"]
    assert [n.number for n in node.nodes()] == [0, 1]


def test_hardening_scans_still_run_when_their_gate_opens() -> None:
    """``!`` gates the DOCTYPE/ENTITY scans and ``&`` the entity walk: a comment or a character
    reference opens the gate without tripping the check; the checks themselves still fire."""
    utf8 = frozenset({"utf-8"})
    root = parse_xml(b"<!-- c --><a>&#20013;&amp;</a>", allowed_encodings=utf8)
    assert root.text == "中&"
    with pytest.raises(MalformedDocument) as info:
        parse_xml(b"<!-- c --><!DOCTYPE a><a/>", allowed_encodings=utf8)
    assert info.value.code == "dtd_forbidden"
    deep = b"<a>" * 5 + b"</a>" * 5
    with pytest.raises(MalformedDocument) as info:
        parse_xml(deep, allowed_encodings=utf8, limits=Limits(max_depth=4))
    assert info.value.code == "too_deep"
    assert parse_xml(deep, allowed_encodings=utf8, limits=Limits(max_depth=5)).tag == "a"
