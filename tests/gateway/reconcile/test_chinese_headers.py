"""Ledger snapshots with Chinese column headers, as the 一体化 system's exports write them (issue 12): they
reconcile exactly like their UPPER_SNAKE twins, in CSV and XLSX; missing columns of both files are named
in one error; ``--help`` lists every column with its Chinese names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.reconcile.indicators.ledger_columns import ALL_COLUMNS, COLUMN_NAMES_ZH, HEADER_ALIASES
from gateway.reconcile.snapshot_files import snapshot_header
from tests.gateway.reconcile.ledgers import (
    LOWER_HEADER,
    UPPER_HEADER,
    Row,
    lower_row,
    upper_row,
    write_csv,
    write_xlsx,
)

AS_OF = "2026-03-20T12:00:00Z"
UPPER = [upper_row("U1"), upper_row("U2", doc_no="D2", AMOUNT="5.00"), upper_row("U3", AMOUNT="7.00")]
LOWER = [lower_row("L1", ori="U1"), lower_row("L3", ori="U3", AMOUNT="6.00")]


def _chinese(rows: list[Row]) -> list[Row]:
    return [{COLUMN_NAMES_ZH[k][0]: v for k, v in row.items()} for row in rows]


def _report(tmp: Path, chinese: bool, fmt: str) -> dict[str, object]:
    tmp.mkdir()
    files = []
    for name, header, rows in (("upper", UPPER_HEADER, UPPER), ("lower", LOWER_HEADER, LOWER)):
        cols = tuple(COLUMN_NAMES_ZH[c][0] for c in header) if chinese else header
        data = _chinese(rows) if chinese else rows
        if fmt == "xlsx":
            files.append(write_xlsx(tmp / f"{name}.xlsx", cols, data))
        else:
            files.append(write_csv(tmp / f"{name}.csv", cols, data, encoding="gbk"))
    out = tmp / "report.json"
    argv = ["reconcile", "indicators", "--upper", str(files[0]), "--lower", str(files[1]), "--as-of", AS_OF]
    assert main([*argv, "--quiet", "--out", str(out)]) == 0
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_chinese_headers_reconcile_as_their_upper_snake_twins(tmp_path: Path, fmt: str) -> None:
    twin = _report(tmp_path / "snake", False, fmt)
    assert twin["pairs"] and twin["breaks"]
    assert _report(tmp_path / "zh", True, fmt) == twin


def test_every_column_has_chinese_names_and_no_name_is_ambiguous() -> None:
    assert set(COLUMN_NAMES_ZH) == set(ALL_COLUMNS)
    names = [zh for names in COLUMN_NAMES_ZH.values() for zh in names]
    assert len(names) == len(set(names)) == len(HEADER_ALIASES)


def test_a_column_named_twice_in_two_languages_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", ("BGT_ID", "指标主键"), [{"BGT_ID": "U1", "指标主键": "U1"}])
    with pytest.raises(Exception, match="column BGT_ID appears twice"):
        snapshot_header(path)


def test_missing_columns_of_both_files_are_named_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upper = tuple(c for c in UPPER_HEADER if c != "REC_DIV_CODE")
    lower = tuple(c for c in LOWER_HEADER if c not in ("SUP_BGT_DOC_NO", "AMOUNT"))
    up = write_csv(tmp_path / "upper.csv", upper, UPPER)
    low = write_xlsx(tmp_path / "lower.xlsx", lower, LOWER)
    argv = ["reconcile", "indicators", "--upper", str(up), "--lower", str(low), "--as-of", AS_OF, "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"{up}: missing required column(s): REC_DIV_CODE (接收方财政区划代码)" in err
    assert f"{low}: missing required column(s): AMOUNT (指标金额), SUP_BGT_DOC_NO (上级指标文号)" in err


def test_help_lists_every_column_with_its_chinese_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["reconcile", "indicators", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for column, names in COLUMN_NAMES_ZH.items():
        assert any(column in line and " / ".join(names) in line for line in out.splitlines()), column
