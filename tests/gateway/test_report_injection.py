"""Issue 13 item 4: an id or document number that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR is data,
never a live formula, in the CSV and XLSX reports — downloaded over HTTP (SQLite and PostgreSQL) and written
by ``fiscalgw reconcile indicators|payments --format csv|xlsx``. Amounts (which may be negative) stay
numbers (XLSX: number cells); long ids stay text (CSV: with the leading TAB text mark of id columns)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from gateway.cli import main
from gateway.reconcile.report.cells import ID_MARK
from gateway.reconcile.report.rows import id_columns
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import CITY, PROVINCE, booking, document, issue, send
from tests.gateway.reconcile.ledgers import lower_row, upper_row, write_pair
from tests.gateway.reconcile.payment_files import clearing, receipt, voucher, write_chain
from tests.gateway.test_reconciliation_api import RUN, auth

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LONG_ID = "33000020260000000000001234"  # 26 digits: Excel would make it 3.3E+25 if it were a number
HOSTILE_DOC = '\t=HYPERLINK("http://attacker.example/","点此")'

# indicator report columns (report_rows.BREAK_HEADERS_ZH): 5 指标主键, 6 下级指标主键, 7 指标文号,
# 8–10 the amounts
ID, LOWER_ID, DOC_NO, AMOUNTS = 5, 6, 7, (8, 9, 10)


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _assert_no_live_cell(rows: list[list[str]], amount_columns: tuple[int, ...]) -> None:
    ids = id_columns(tuple(rows[0]))
    for row in rows[1:]:
        for column, cell in enumerate(row):
            if column in ids and cell.startswith(ID_MARK):  # the id text mark, then no formula start
                cell = cell[1:]
            if column not in amount_columns:
                assert not cell.startswith(FORMULA_START), (column, cell)


def _xlsx_cells(data: bytes) -> dict[str, list[Any]]:
    """Every cell of every sheet of the workbook, read back by openpyxl (not read-only: data types kept)."""
    book = load_workbook(io.BytesIO(data))
    out: dict[str, list[Any]] = {}
    for sheet in book.worksheets:
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
        assert all(cell.data_type != "f" for cell in cells), [c.value for c in cells if c.data_type == "f"]
        assert all(cell.data_type == "s" for cell in cells if isinstance(cell.value, str))
        out[sheet.title] = [cell.value for cell in cells]
    return out


def _hostile_ledgers(h: Harness) -> dict[str, Any]:
    send(
        h,
        PROVINCE,
        document(
            "BA_BGT_INFO",
            issue("=1+2", "1000.00"),
            issue("+SUM(1)", "3.00", COR_BGT_DOC_NO="-2+3"),
            issue("@cmd", "4.00", COR_BGT_DOC_NO=HOSTILE_DOC),
            issue(LONG_ID, "5.00"),
        ),
        "m1",
    )
    send(h, CITY, document("BA_BGT_INFO", booking("-L1", "=1+2", "1010.00")), "c1")
    response = h.client.post("/v1/reconciliations", json=RUN, headers=auth(h, "ops"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_report_downloads_over_http_hold_no_live_formula(harness: Harness) -> None:
    run = _hostile_ledgers(harness)
    viewer = auth(harness, "viewer")
    csv_response = harness.client.get(f"/v1/reconciliations/{run['id']}?format=csv", headers=viewer)
    assert csv_response.status_code == 200
    rows = _csv_rows(csv_response.content)
    _assert_no_live_cell(rows, AMOUNTS)
    by_id = {row[ID]: row for row in rows[1:]}
    assert set(by_id) == {"'=1+2", "'+SUM(1)", "'@cmd", ID_MARK + LONG_ID}  # the id stays text in Excel
    mismatch = by_id["'=1+2"]
    assert (mismatch[LOWER_ID], mismatch[AMOUNTS[2]]) == ("'-L1", "-10.00")  # the amount stays a number
    assert by_id["'+SUM(1)"][DOC_NO] == "'-2+3"
    assert by_id["'@cmd"][DOC_NO] == "'" + HOSTILE_DOC

    xlsx = harness.client.get(f"/v1/reconciliations/{run['id']}?format=xlsx", headers=viewer)
    assert xlsx.status_code == 200
    values = _xlsx_cells(xlsx.content)["差异明细"]
    # XLSX cells are typed: the exact text is kept (no quote prefix) as an inline string; amounts are numbers
    assert {"=1+2", "-L1", "+SUM(1)", "-2+3", "@cmd", HOSTILE_DOC, LONG_ID, -10} <= set(values)


def _cli(argv: list[str], out: Path) -> bytes:
    assert main([*argv, "--out", str(out), "--quiet"]) in (0, 1)
    return out.read_bytes()


def test_cli_indicator_reports_hold_no_live_formula(tmp_path: Path) -> None:
    upper, lower = write_pair(
        tmp_path,
        [
            upper_row("=1+2", AMOUNT="100.00"),
            upper_row("\t=cmd", doc_no="@SUM(A1)"),
            upper_row("+1", doc_no="-1"),
            upper_row(LONG_ID, doc_no="D9"),
        ],
        [lower_row("@L1", ori="=1+2", AMOUNT="150.00")],
    )
    argv = ["reconcile", "indicators", "--upper", str(upper), "--lower", str(lower)]
    argv += ["--as-of", "2026-03-20T12:00:00+08:00"]
    rows = _csv_rows(_cli([*argv, "--format", "csv"], tmp_path / "r.csv"))
    _assert_no_live_cell(rows, AMOUNTS)
    by_id = {row[ID]: row for row in rows[1:]}
    assert set(by_id) == {"'=1+2", "'\t=cmd", "'+1", ID_MARK + LONG_ID}
    assert (by_id["'=1+2"][LOWER_ID], by_id["'=1+2"][AMOUNTS[2]]) == ("'@L1", "-50.00")
    assert (by_id["'\t=cmd"][DOC_NO], by_id["'+1"][DOC_NO]) == ("'@SUM(A1)", "'-1")

    cells = _xlsx_cells(_cli([*argv, "--format", "xlsx"], tmp_path / "r.xlsx"))
    assert {"=1+2", "\t=cmd", "@SUM(A1)", "@L1", LONG_ID, -50} <= set(cells["差异明细"])


def test_cli_payment_reports_hold_no_live_formula(tmp_path: Path) -> None:
    files = write_chain(
        tmp_path,
        [voucher("=1+2"), voucher("@V2", day="20260309"), voucher("33032452012600000001234", amount="50.00")],
        [receipt("=1+2", paid="90.00"), receipt("33032452012600000001234")],
        [clearing("-C1", "=1+2", amount="90.00")],
        [],
    )
    argv = ["reconcile", "payments"]
    for path, role in files:
        argv += [f"--{role}", str(path)]
    argv += ["--as-of", "2026-03-20T12:00:00+08:00"]
    rows = _csv_rows(_cli([*argv, "--format", "csv"], tmp_path / "p.csv"))
    # payment break columns (report_rows.PAYMENT_BREAK_HEADERS_ZH): 5 凭证号, 6–10 amounts
    _assert_no_live_cell(rows, (6, 7, 8, 9, 10))
    numbers = {row[5] for row in rows[1:]}
    assert {"'=1+2", "'@V2", ID_MARK + "33032452012600000001234"} <= numbers
    cells = _xlsx_cells(_cli([*argv, "--format", "xlsx"], tmp_path / "p.xlsx"))
    assert {"=1+2", "@V2", "33032452012600000001234"} <= set(cells["差异明细"])


def test_cli_xlsx_report_holds_a_control_character_id(tmp_path: Path) -> None:
    """A BGT_ID with a C0 control character (which XML 1.0 cannot hold) made the openpyxl writer raise
    IllegalCharacterError; now the cell holds the OOXML ``_x0001_`` escape, which Excel decodes."""
    upper, lower = write_pair(tmp_path, [upper_row("B\x01-1", AMOUNT="100.00")], [])
    argv = ["reconcile", "indicators", "--upper", str(upper), "--lower", str(lower)]
    argv += ["--as-of", "2026-03-20T12:00:00+08:00", "--format", "xlsx"]
    cells = _xlsx_cells(_cli(argv, tmp_path / "r.xlsx"))
    assert "B_x0001_-1" in cells["差异明细"]  # openpyxl leaves the escape; Excel shows B\x01-1
