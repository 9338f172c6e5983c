"""Time to render the XLSX report of a large run: the hand-rolled writer against the openpyxl one it replaced.

    .venv/bin/python bench/report_xlsx.py [--breaks 1600] [--pairs 5] [--rounds 15] [--clock wall|cpu]

Builds one indicator report with ``--breaks`` breaks over ``--pairs`` pairs (amount, attribute and
missing breaks, a 20-digit BGT_ID every tenth row) and renders it alternately with
:func:`gateway.reconcile.report.xlsx.render_xlsx` (zip + XML text,
:mod:`gateway.reconcile.report.xlsx_writer`)
and with the previous openpyxl write-only renderer (kept below as the baseline: text amounts, no widths,
filter or frozen pane — less work than the new file). Prints p50 / p95 in ms of each, the p50 ratio and the
CSV render for reference. Before timing, it checks that openpyxl reads the new file back with number
amounts. Not a test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break, BreakType, FieldDifference
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary
from gateway.reconcile.report.csv import render_csv
from gateway.reconcile.report.rows import (
    BREAK_HEADERS_ZH,
    SUMMARY_HEADERS_ZH,
    all_items,
    break_row,
    summary_row,
)
from gateway.reconcile.report.xlsx import render_xlsx

KINDS = (BreakType.AMOUNT_MISMATCH, BreakType.ATTRIBUTE_MISMATCH, BreakType.MISSING_IN_LOWER)


def build_report(breaks: int, pairs: int) -> IndicatorReport:
    items: list[Break] = []
    for n in range(breaks):
        kind = KINDS[n % len(KINDS)]
        lower = f"33{(n % pairs) + 1:02d}00"
        bgt_id = f"3300002026{n:010d}" if n % 10 == 0 else f"BGT-3300-2026-{n:06d}"
        upper_amount = Decimal(n * 1234567 % 10**13).scaleb(-2)
        lower_amount = (
            None if kind is BreakType.MISSING_IN_LOWER else upper_amount - Decimal("0.01") * (n % 7)
        )
        fields: tuple[FieldDifference, ...] = ()
        if kind is BreakType.ATTRIBUTE_MISMATCH:
            fields = (
                FieldDifference("BGT_DOC_TITLE", f"关于下达2026年转移支付资金的通知{n}", "关于下达资金"),
            )
        items.append(
            Break(
                kind,
                f"{kind}|{bgt_id}",
                "330000",
                lower,
                2026,
                bgt_id,
                None if lower_amount is None else f"L-{n}",
                f"浙财预〔2026〕{n}号",
                upper_amount,
                lower_amount,
                None if lower_amount is None else upper_amount - lower_amount,
                fields,
            )
        )
    summaries = tuple(
        PairSummary(
            "330000",
            f"33{p + 1:02d}00",
            2026,
            breaks,
            breaks,
            Decimal("123456789.01"),
            Decimal("123456788.00"),
            dict.fromkeys(INDICATOR_BREAK_TYPES, breaks // pairs),
        )
        for p in range(pairs)
    )
    return IndicatorReport(
        datetime(2026, 3, 20, 4, tzinfo=UTC), timedelta(hours=48), summaries, tuple(items), ()
    )


def render_xlsx_openpyxl(report: IndicatorReport) -> bytes:
    """The renderer before issue 15 (openpyxl write-only, every value a text or int cell)."""
    workbook = Workbook(write_only=True)

    def cells(sheet: object, values: list[object]) -> list[object]:
        out: list[object] = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        return out

    def header(sheet: object, names: tuple[str, ...]) -> None:
        bold = Font(bold=True)
        row = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)  # type: ignore[arg-type]
            cell.font = bold
            row.append(cell)
        sheet.append(row)  # type: ignore[attr-defined]

    summary = workbook.create_sheet("汇总")
    summary.append(cells(summary, ["对账时点", report.as_of.isoformat()]))
    summary.append(cells(summary, ["在途时限(小时)", int(report.in_transit_window.total_seconds() // 3600)]))
    summary.append([])
    header(summary, SUMMARY_HEADERS_ZH)
    for pair in report.pairs:
        summary.append(cells(summary, list(summary_row(pair))))
    details = workbook.create_sheet("差异明细")
    header(details, BREAK_HEADERS_ZH)
    for item in all_items(report):
        details.append(cells(details, list(break_row(item))))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breaks", type=int, default=1600)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    report = build_report(args.breaks, args.pairs)

    book = load_workbook(io.BytesIO(render_xlsx(report)))
    amount = book["差异明细"].cell(2, 9)
    assert (amount.data_type, amount.number_format) == ("n", "#,##0.00"), amount
    assert book["差异明细"].max_row == args.breaks + 1

    cases: list[tuple[str, Callable[[IndicatorReport], bytes]]] = [
        ("xlsx: openpyxl (before)", render_xlsx_openpyxl),
        ("xlsx: xlsx_writer (now)", render_xlsx),
        ("csv (reference)", render_csv),
    ]
    timings: dict[str, list[float]] = {name: [] for name, _ in cases}
    sizes: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, render in cases:
            started = clock()
            body = render(report)
            timings[name].append(clock() - started)
            sizes[name] = len(body)
    print(f"{args.breaks:,} breaks, {args.pairs} pairs, {args.rounds} rounds, {args.clock} clock")
    print(f"{'renderer':26} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
    for name, _ in cases:
        values = sorted(timings[name])
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"{name:26} {statistics.median(values) * 1000:8.1f} {p95 * 1000:8.1f} {sizes[name]:9,}")
    before = statistics.median(timings[cases[0][0]])
    after = statistics.median(timings[cases[1][0]])
    print(f"p50 openpyxl / xlsx_writer: {before / after:.1f}×")


if __name__ == "__main__":
    main()
