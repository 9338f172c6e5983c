"""Ledger files as real exports are (issue 12): LF, CRLF (Excel, Python's csv module) and CR line endings, in
UTF-8, UTF-8 with BOM and GBK, reconcile exactly as their LF twins — indicators and payments, through the
CLI. And never a silent short read: a file with data rows of which fewer are read is an error with counts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.reconcile import snapshot_files
from gateway.reconcile.errors import SnapshotFormatError
from gateway.reconcile.snapshot_files import check_rows_read, csv_layout, line_endings
from tests.gateway.reconcile.ledgers import LOWER_HEADER, UPPER_HEADER, Row, csv_text, lower_row, upper_row
from tests.gateway.reconcile.payment_files import HEADERS, clearing, receipt, refund, voucher

AS_OF = "2026-03-20T12:00:00Z"
ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}
ENCODINGS = {"utf-8": ("utf-8", False), "utf-8-bom": ("utf-8", True), "gbk": ("gbk", False)}


def _write(path: Path, header: Sequence[str], rows: Sequence[Row], eol: str, encoding: str) -> Path:
    codec, bom = ENCODINGS[encoding]
    text = csv_text(header, rows).replace("\n", eol)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(codec))
    return path


def _indicator_report(tmp: Path, eol: str, encoding: str) -> dict[str, object]:
    upper = [upper_row("U1"), upper_row("U2", doc_no="D2", AMOUNT="5.00"), upper_row("U3", AMOUNT="7.00")]
    lower = [lower_row("L1", ori="U1"), lower_row("L3", ori="U3", AMOUNT="6.00")]
    up = _write(tmp / "upper.csv", UPPER_HEADER, upper, eol, encoding)
    low = _write(tmp / "lower.csv", LOWER_HEADER, lower, eol, encoding)
    out = tmp / "report.json"
    argv = ["reconcile", "indicators", "--upper", str(up), "--lower", str(low), "--as-of", AS_OF]
    assert main([*argv, "--quiet", "--out", str(out)]) == 0
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _payment_report(tmp: Path, eol: str, encoding: str) -> dict[str, object]:
    inputs = {
        "vouchers": [voucher("V1"), voucher("V2", amount="50.00"), voucher("V3")],
        "receipts": [receipt("V1"), receipt("V2", paid="49.00"), refund("R1", "V1")],
        "clearing": [clearing("C1", "V1")],
    }
    argv = ["reconcile", "payments"]
    for role, rows in inputs.items():
        header = next(h for r, h in HEADERS.items() if r.value == role)
        argv += [f"--{role}", str(_write(tmp / f"{role}.csv", header, rows, eol, encoding))]
    out = tmp / "report.json"
    assert main([*argv, "--as-of", AS_OF, "--quiet", "--out", str(out)]) == 0
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("ending", ["CRLF", "CR"])
def test_an_indicator_ledger_reconciles_as_its_lf_twin(tmp_path: Path, ending: str, encoding: str) -> None:
    twin = _indicator_report(_mkdirs(tmp_path, "lf"), "\n", encoding)
    assert twin["pairs"] and twin["breaks"], "the LF twin must have something to compare"
    assert _indicator_report(_mkdirs(tmp_path, ending), ENDINGS[ending], encoding) == twin


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("ending", ["CRLF", "CR"])
def test_payment_files_reconcile_as_their_lf_twins(tmp_path: Path, ending: str, encoding: str) -> None:
    twin = _payment_report(_mkdirs(tmp_path, "lf"), "\n", encoding)
    assert twin["groups"] and twin["breaks"], "the LF twin must have something to compare"
    assert _payment_report(_mkdirs(tmp_path, ending), ENDINGS[ending], encoding) == twin


def _mkdirs(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.mkdir(exist_ok=True)
    return path


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_the_layout_names_the_header_line_ending(tmp_path: Path, ending: str) -> None:
    path = _write(tmp_path / "a.csv", UPPER_HEADER, [upper_row("U1")], ENDINGS[ending], "utf-8-bom")
    layout = csv_layout(path)
    assert (layout.header, layout.newline) == (list(UPPER_HEADER), ENDINGS[ending])
    assert line_endings(path) == [ending]


def test_mixed_line_endings_are_refused_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = csv_text(UPPER_HEADER, [upper_row("U1"), upper_row("U2")])
    first, rest = text.split("\n", 1)
    up = tmp_path / "upper.csv"
    up.write_bytes((first + "\r\n" + rest).encode("utf-8"))  # a CRLF header over LF data (files joined)
    low = _write(tmp_path / "lower.csv", LOWER_HEADER, [lower_row("L1", ori="U1")], "\n", "utf-8")
    argv = ["reconcile", "indicators", "--upper", str(up), "--lower", str(low), "--as-of", AS_OF, "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mixed line endings (CRLF, LF)" in err and str(up) in err


def test_rows_the_columnar_reader_would_drop_are_an_error_with_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row whose standard columns are all empty but that holds a value in another column is a data row of
    the file: the engine may not quietly leave it out of the report."""
    header = (*UPPER_HEADER, "REMARK")
    rows = [upper_row("U1"), {"REMARK": "调整说明见附件"}, upper_row("U2", doc_no="D2")]
    up = _write(tmp_path / "upper.csv", header, rows, "\r\n", "utf-8")
    low = _write(tmp_path / "lower.csv", LOWER_HEADER, [lower_row("L1", ori="U1")], "\r\n", "utf-8")
    argv = ["reconcile", "indicators", "--upper", str(up), "--lower", str(low), "--as-of", AS_OF, "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "holds 3 data rows but 2 were read" in err, err


@pytest.mark.parametrize("chunk", [3, 4, 1 << 22])
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_the_row_check_passes_blank_lines_quoted_breaks_and_a_missing_final_ending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str, chunk: int
) -> None:
    """The fast count (physical lines, read in chunks that may split a CRLF) and the exact one accept what
    was read; a short read is refused."""
    monkeypatch.setattr(snapshot_files, "_CHUNK", chunk)
    eol = ENDINGS[ending]
    cases = {
        "plain": (f"A,B{eol}1,x{eol}2,y{eol}", 2),
        "no final ending": (f"A,B{eol}1,x{eol}2,y", 2),
        "blank lines": (f"A,B{eol}{eol}1,x{eol}{eol}2,y{eol}{eol}", 2),
        "quoted line break": (f'A,B{eol}1,"x{eol}x"{eol}2,y{eol}', 2),
        "header only": (f"A,B{eol}", 0),
    }
    for name, (text, rows) in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode("utf-8"))
        check_rows_read(path, path, eol, rows)
        if rows:
            with pytest.raises(SnapshotFormatError, match=f"holds {rows} data rows but {rows - 1} were read"):
                check_rows_read(path, path, eol, rows - 1)
