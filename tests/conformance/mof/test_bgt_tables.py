"""mof.json / mof.xml conformance: BA_BGT_INFO and BA_BGT_ADJSUB rows with every column of the real tables.

The rows are built from the field lists of ``BaBgtInfoPO.java`` and ``BaBgtAdjsubPO.java`` (repo
``zhouxiaolejoe/micro-service-parent``; the lists are quoted in :mod:`tests.conformance.mof.po_rows`), not
from our own models; each document must be accepted and give the canonical result written out here.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from adapters.mof import MofJsonAdapter, MofXmlAdapter
from adapters.mof.tables import BA_BGT_ADJSUB, BA_BGT_INFO
from schemas.errors import ValidationFailed
from schemas.indicator_columns import BA_BGT_ADJSUB_COLUMNS, BA_BGT_INFO_COLUMNS, PO_ADJSUB, PO_INFO
from schemas.indicators import IndicatorEvent, TransferIndicator
from tests.conformance.mof.po_rows import ADJSUB_ROWS, INFO_EXPECTED, INFO_ROW

JSON = MofJsonAdapter()
XML = MofXmlAdapter()


def _json(table: str, rows: list[dict[str, Any]]) -> bytes:
    return json.dumps({table: rows}, ensure_ascii=False).encode("utf-8")


def _xml(table: str, rows: list[dict[str, Any]]) -> bytes:
    """The same rows as mof.xml: one element per non-null column, numbers as their text."""
    root = etree.Element("BGT_EXCHANGE")
    for row in rows:
        element = etree.SubElement(root, table)
        for name, value in row.items():
            if value is not None:
                etree.SubElement(element, name).text = str(value)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _canonical(model: object) -> dict[str, Any]:
    assert isinstance(model, TransferIndicator)
    return model.model_dump(mode="json", exclude_none=True)


def test_the_po_field_lists_are_our_columns() -> None:
    """Every BaBgtInfoPO / BaBgtAdjsubPO field is a column of our table, with the source noted."""
    info = {c.name for c in BA_BGT_INFO_COLUMNS if c.source == PO_INFO}
    adjsub = {c.name for c in BA_BGT_ADJSUB_COLUMNS if c.source == PO_ADJSUB}
    assert set(INFO_ROW) == info
    assert set(INFO_ROW) <= set(BA_BGT_INFO.by_wire)
    assert set(ADJSUB_ROWS[0]) | set(ADJSUB_ROWS[1]) <= adjsub <= set(BA_BGT_ADJSUB.by_wire)
    assert "ADJ_TYPE_CODE" not in BA_BGT_ADJSUB.required
    # nothing of the canonical model is dropped on the wire: every field is a column of its table
    fields = set(TransferIndicator.model_fields) - {"message_type"}
    assert fields - {c.field for c in BA_BGT_ADJSUB.columns} == set()
    assert fields - {c.field for c in BA_BGT_INFO.columns} == {"event", "in_bgt_id", "adj_date"}


@pytest.mark.parametrize("adapter", [JSON, XML], ids=["json", "xml"])
def test_ba_bgt_info_row_with_every_po_column(adapter: MofJsonAdapter | MofXmlAdapter) -> None:
    raw = (_json if adapter is JSON else _xml)("BA_BGT_INFO", [INFO_ROW])
    (message,) = adapter.parse(raw).messages
    assert _canonical(message) == INFO_EXPECTED


def test_ba_bgt_info_values_are_typed() -> None:
    (message,) = JSON.parse(_json("BA_BGT_INFO", [INFO_ROW])).messages
    assert isinstance(message, TransferIndicator)
    assert message.doc_date == date(2024, 4, 1)  # "2024-04-01 00:00:00": a Java Date column
    assert message.cur_amt == Decimal("1500000.00") and message.pay_app_amt == Decimal("0.00")
    assert (message.is_track, message.is_deleted, message.is_gov_pur) == ("1", "2", "2")  # JSON numbers


def test_ba_bgt_info_renders_back_with_the_same_values() -> None:
    document = JSON.parse(_json("BA_BGT_INFO", [INFO_ROW]))
    again = XML.parse(XML.render(document))
    assert again.messages == document.messages
    (row,) = json.loads(JSON.render(document))["BA_BGT_INFO"]
    assert row["TASK_NANME"] == "耕地地力保护"  # the PO's own spelling on the wire
    assert row["PAY_TYPE_CODE"] == "001001" and row["PARAM_6"] == "12.5"


@pytest.mark.parametrize("adapter", [JSON, XML], ids=["json", "xml"])
def test_ba_bgt_adjsub_rows_as_the_real_table_has_them(adapter: MofJsonAdapter | MofXmlAdapter) -> None:
    raw = (_json if adapter is JSON else _xml)("BA_BGT_ADJSUB", ADJSUB_ROWS)
    first, second = adapter.parse(raw).messages
    assert _canonical(first) == {
        "message_type": "transfer_indicator",
        "event": "ADJUST",
        "bgt_id": "3300002024ZJADJ0000000000000000201",
        "in_bgt_id": "3300002024ZJ0000000000000000000101",
        "ori_bgt_id": "1000002024CZ0000000000000000000009",
        "mof_div_code": "330000000",
        "rec_div_code": "330300000",
        "fiscal_year": 2024,
        "cor_bgt_doc_no": "浙财农〔2024〕35号",
        "bgt_doc_title": "关于追加下达2024年农业相关转移支付资金的通知",
        "doc_date": "2024-06-10",
        "adj_date": "2024-06-11",
        "bgt_dec": "追加",
        "pro_code": "330000240000000012345",
        "adj_batch_no": "000001",
        "source_type_code": "12212",
        "amount": "500000.00",
        "fund_type_code": "111",
        "exp_func_code": "2130122",
        "gov_bgt_eco_code": "51301",
        "dep_bgt_eco_code": "39999",
        "update_time": "2024-06-11T08:00:00",
        "bgt_mof_dep_code": "003",
        "manage_mof_dep_code": "006",
        "is_track": "1",
        "budget_level_code": "2",
        "is_deleted": "2",
        "create_time": "2024-06-10T10:00:00",
    }
    assert isinstance(second, TransferIndicator)
    assert second.event is IndicatorEvent.ADJUST and second.amount == Decimal("-200000.00")
    assert second.ori_bgt_id is None and second.in_bgt_id == "3300002024ZJ0000000000000000000101"
    assert first.changed_bgt_id == second.changed_bgt_id == "3300002024ZJ0000000000000000000101"


def test_ba_bgt_adjsub_renders_both_indicator_keys() -> None:
    document = JSON.parse(_json("BA_BGT_ADJSUB", ADJSUB_ROWS))
    rows = json.loads(JSON.render(document))["BA_BGT_ADJSUB"]
    assert [(r["ADJ_SUB_ID"][-3:], r["BGT_ID"][-3:], r.get("ORI_BGT_ID", "")[-3:]) for r in rows] == [
        ("201", "101", "009"),
        ("202", "101", ""),
    ]
    assert all("ADJ_TYPE_CODE" in r for r in rows)  # ours, written so a 收回 stays a 收回
    assert JSON.parse(JSON.render(document)).messages == document.messages


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("DOC_DATE", "2024-04-01 13:00:00", "bad_date"),  # a date column with a time of day is not a date
        ("DOC_DATE", "2024-02-30 00:00:00", "date_from_datetime_parsing"),
        ("IS_TRACK", True, "bad_value_type"),
        ("MOF_DIV_CODE", 330000000, "bad_value_type"),  # a division code is text, never a number
        ("PARAM_6", "1,5", "string_pattern_mismatch"),
        ("CUR_AMT", 1.5, "float_not_allowed"),
    ],
)
def test_truly_malformed_values_are_refused_with_their_code(column: str, value: object, rule: str) -> None:
    row = {**INFO_ROW, column: value}
    with pytest.raises(ValidationFailed) as info:
        JSON.parse(_json("BA_BGT_INFO", [row]))
    assert [(p.path, p.rule) for p in info.value.problems] == [
        (f"[0].{BA_BGT_INFO.by_wire[column].field}", rule)
    ]


def test_a_real_row_renders_back_in_the_forms_it_came_in() -> None:
    """Java ``Date`` columns keep their ``00:00:00``, JSON-number flags and amounts stay numbers, empty and
    null columns stay as sent (preserve, don't refuse: docs/adr/0007), in the source's column order; a
    reserve decimal sent as a JSON fraction comes back as its exact text (the one form our JSON writer
    cannot give back: it writes no JSON fractions)."""
    document = JSON.parse(_json("BA_BGT_INFO", [INFO_ROW]))
    (row,) = json.loads(JSON.render(document))["BA_BGT_INFO"]
    assert row == {**INFO_ROW, "PARAM_6": "12.5"}
    assert list(row) == list(INFO_ROW)  # the standard's column order, which the PO field list follows
    xml_rows = etree.fromstring(XML.render(XML.parse(_xml("BA_BGT_INFO", [INFO_ROW]))))
    sent = {k: str(v) or None for k, v in INFO_ROW.items() if v is not None}  # _xml writes no null column
    assert {c.tag: c.text for c in xml_rows[0]} == sent


def test_adjsub_rows_render_back_in_the_forms_they_came_in() -> None:
    document = JSON.parse(_json("BA_BGT_ADJSUB", ADJSUB_ROWS))
    rows = json.loads(JSON.render(document))["BA_BGT_ADJSUB"]
    for sent, back in zip(ADJSUB_ROWS, rows, strict=True):
        assert {k: v for k, v in back.items() if k != "ADJ_TYPE_CODE"} == {
            k: v for k, v in sent.items() if k != "ADJ_TYPE_CODE"
        }
