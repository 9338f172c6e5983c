"""资金追踪 exports: the JSON answers of :mod:`gateway.services.tracking` as CSV (UTF-8 with BOM, Chinese
headers, ids kept as text, no cell a spreadsheet evaluates — :mod:`gateway.reconcile.report.cells`) and XLSX
(:mod:`gateway.reconcile.report.xlsx_writer`: amounts are number cells from their exact decimal text)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gateway.reconcile.money_text import AmountText
from gateway.reconcile.report.cells import csv_row
from gateway.reconcile.report.xlsx_writer import CellValue, Sheet, workbook_bytes

NameOf = Callable[[str], str | None]
"""A division code → its registered name (the pages' ``display.code_name``), ``None`` when unknown."""

SIDE_LABELS = {"issued": "下达 (转移支付)", "received": "上级补助 (接收)", "own": "本级"}

NODE_HEADERS: tuple[str, ...] = (
    "层级",
    "指标主键",
    "区划",
    "区划名称",
    "类型",
    "接收区划",
    "年度",
    "本级指标文号",
    "上级指标文号",
    "指标标题",
    "转移支付功能科目",
    "是否追踪",
    "下达",
    "调整",
    "收回",
    "净额",
    "转下达",
    "凭证笔数",
    "支付凭证金额",
    "退款",
    "已支付",
    "在途",
    "待审核",
    "回单金额",
    "已清算",
    "本级余额",
    "累计支付",
    "累计在途",
    "余额",
    "执行进度 (%)",
)
SUMMARY_HEADERS: tuple[str, ...] = (
    "区划",
    "区划名称",
    "转移支付功能科目",
    "下达金额",
    "转下达",
    "凭证笔数",
    "已支付",
    "在途",
    "待审核",
    "回单金额",
    "已清算",
    "本级余额",
    "本级执行进度 (%)",
)
VOUCHER_HEADERS: tuple[str, ...] = (
    "指标主键",
    "区划",
    "指标文号",
    "年度",
    "凭证类型",
    "凭证号",
    "状态",
    "控制代码",
    "凭证日期",
    "代理银行",
    "支付金额",
    "已支付",
    "在途",
    "回单金额",
    "实际支付日期",
    "退款",
    "已清算",
)
_NODE_IDS = frozenset({1, 2, 5, 7, 8, 10})
_SUMMARY_IDS = frozenset({0, 2})
_VOUCHER_IDS = frozenset({0, 1, 2, 5, 9})


def _amount(value: str | None) -> AmountText:
    return AmountText("" if value is None else value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def node_row(name_of: NameOf, n: Mapping[str, Any]) -> list[CellValue]:
    return [
        int(n["depth"]),
        n["bgt_id"],
        n["division"],
        name_of(n["division"]) or "",
        SIDE_LABELS.get(n["side"], n["side"]),
        _text(n["counterparty"]),
        int(n["fiscal_year"]),
        _text(n["cor_bgt_doc_no"]),
        _text(n["sup_bgt_doc_no"]),
        _text(n["bgt_doc_title"]),
        _text(n["tp_func_code"]),
        {"1": "是", "2": "否"}.get(_text(n["is_track"]), _text(n["is_track"])),
        _amount(n["issued"]),
        _amount(n["adjusted"]),
        _amount(n["recalled"]),
        _amount(n["net"]),
        _amount(n["allocated"]),
        int(n["vouchers"]),
        _amount(n["voucher_amount"]),
        _amount(n["refunded"]),
        _amount(n["paid"]),
        _amount(n["in_flight"]),
        _amount(n["held"]),
        _amount(n["receipted"]),
        _amount(n["cleared"]),
        _amount(n["local_balance"]),
        _amount(n["total_paid"]),
        _amount(n["total_in_flight"]),
        _amount(n["balance"]),
        _amount(n["progress"]),
    ]


def summary_row(name_of: NameOf, s: Mapping[str, Any]) -> list[CellValue]:
    return [
        s["division"],
        name_of(s["division"]) or "",
        _text(s["tp_func_code"]),
        _amount(s["received"]),
        _amount(s["allocated"]),
        int(s["vouchers"]),
        _amount(s["paid"]),
        _amount(s["in_flight"]),
        _amount(s["held"]),
        _amount(s["receipted"]),
        _amount(s["cleared"]),
        _amount(s["local_balance"]),
        _amount(s["progress"]),
    ]


def voucher_row(by_id: Mapping[int, str], v: Mapping[str, Any]) -> list[CellValue]:
    """One voucher (linked: its indicator's BGT_ID; unlinked: empty, with the control codes saying why)."""
    ident = v["indicator_id"]
    return [
        "" if ident is None else by_id.get(int(ident), ""),
        v["adm_div_code"],
        _text(v["file_no_code"]),
        int(v["st_year"]),
        v["vt_code"],
        v["voucher_no"],
        v["state_label"],
        ",".join(v["codes"]),
        _text(v["vou_date"]),
        _text(v["pay_bank_code"]),
        _amount(v["amount"]),
        _amount(v["paid"]),
        _amount(v["in_flight"]),
        _amount(v["receipted"]),
        _text(v["x_pay_date"]),
        _amount(v["refunded"]),
        _amount(v["cleared"]),
    ]


def _nodes(answer: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    nodes: Sequence[Mapping[str, Any]] = answer["nodes"] if "nodes" in answer else answer["items"]
    return nodes


def render_csv(name_of: NameOf, answer: Mapping[str, Any]) -> bytes:
    """The indicators (a listing's page, or one tree in tree order) as one CSV table."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(NODE_HEADERS)
    for n in _nodes(answer):
        writer.writerow(csv_row(node_row(name_of, n), _NODE_IDS))  # type: ignore[arg-type]
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def render_xlsx(name_of: NameOf, answer: Mapping[str, Any]) -> bytes:
    """Sheets 指标 (the indicators), 按区划科目 (the summary), for one tree 支付凭证 (its vouchers), and
    未关联指标的凭证 (the vouchers 控制 recorded without an indicator, with the count per division)."""
    nodes = Sheet("指标", NODE_HEADERS)
    nodes.rows(node_row(name_of, n) for n in _nodes(answer))
    by_region = Sheet("按区划科目", SUMMARY_HEADERS)
    by_region.rows(summary_row(name_of, s) for s in answer["summary"])
    sheets = [nodes, by_region]
    if "vouchers" in answer:
        by_id = {int(n["id"]): str(n["bgt_id"]) for n in _nodes(answer)}
        vouchers = Sheet("支付凭证", VOUCHER_HEADERS)
        vouchers.rows(voucher_row(by_id, v) for v in answer["vouchers"])
        if answer.get("vouchers_truncated"):
            vouchers.note([f"共 {answer['voucher_count']} 笔，仅列出前 {len(answer['vouchers'])} 笔"])
        sheets.append(vouchers)
    unlinked = answer["unlinked"]
    orphans = Sheet("未关联指标的凭证", VOUCHER_HEADERS)
    orphans.rows(voucher_row({}, v) for v in unlinked["vouchers"])
    per = "，".join(f"{d['division']} {d['vouchers']} 笔 {d['amount']} 元" for d in unlinked["divisions"])
    orphans.note([f"共 {unlinked['count']} 笔" + (f"（{per}）" if per else "")])
    sheets.append(orphans)
    return workbook_bytes(sheets)
