"""``fiscalgw reconcile indicators``: output, exit codes, one-line errors, progress on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gateway.cli import main
from tests.gateway.reconcile.ledgers import lower_row, upper_row, write_pair


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1"), upper_row("U2", doc_no="D2", CREATE_TIME="2026-03-10 08:00:00")],
        [lower_row("L1", ori="U1")],
    )
    return str(upper), str(lower)


def test_json_to_stdout_by_default_and_progress_on_stderr(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "reconcile",
            "indicators",
            "--upper",
            files[0],
            "--lower",
            files[1],
            "--as-of",
            "2026-03-10T12:00:00+08:00",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    assert data["pairs"][0]["status"] == "一致" and len(data["in_transit"]) == 1
    assert "reading upper ledger" in err and "done: 1 pair(s)" in err


def test_fail_on_breaks_exits_1_only_when_a_pair_disagrees(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    base = [
        "reconcile",
        "indicators",
        "--upper",
        files[0],
        "--lower",
        files[1],
        "--quiet",
        "--fail-on-breaks",
    ]
    assert main([*base, "--as-of", "2026-03-10T12:00:00+08:00"]) == 0
    assert main([*base, "--as-of", "2026-03-20T12:00:00Z"]) == 1  # U2 is now MISSING_IN_LOWER
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html", "json"])
def test_every_format_writes_to_out(files: tuple[str, str], tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    argv = [
        "reconcile",
        "indicators",
        "--upper",
        files[0],
        "--lower",
        files[1],
        "--format",
        fmt,
        "--out",
        str(out),
    ]
    assert main([*argv, "--quiet"]) == 0
    body = out.read_bytes()
    if fmt == "xlsx":
        assert load_workbook(out).sheetnames == ["汇总", "差异明细"]
    elif fmt == "csv":
        assert body.startswith(b"\xef\xbb\xbf\xe4\xb8\x8a\xe7\xba\xa7")  # BOM + 上级
    elif fmt == "html":
        assert body.startswith(b"<!DOCTYPE html>")
    else:
        assert json.loads(body)["kind"] == "indicators"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "xlsx"], "--format xlsx writes a binary file: give --out FILE"),
        (["--as-of", "yesterday"], "--as-of must be an RFC 3339 time"),
        (["--as-of", "2026-03-10T12:00:00"], "--as-of needs a UTC offset"),
        (["--in-transit-hours", "-1"], "--in-transit-hours must not be negative"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code = main(["reconcile", "indicators", "--upper", files[0], "--lower", files[1], "--quiet", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"fiscalgw: error: {message}") and err.count("\n") == 1


def test_bad_input_file_is_one_line_naming_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upper, lower = write_pair(tmp_path, [upper_row("U1", AMOUNT="1,000.00")], [])
    code = main(["reconcile", "indicators", "--upper", str(upper), "--lower", str(lower), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"fiscalgw: error: {upper}: line 2, column AMOUNT: amount must be a plain decimal")
    assert err.count("\n") == 1


def test_missing_file_is_reported(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["reconcile", "indicators", "--upper", files[0], "--lower", "/nonexistent/x.csv", "--quiet"])
    assert code == 2
    assert capsys.readouterr().err == "fiscalgw: error: /nonexistent/x.csv: no such file\n"
