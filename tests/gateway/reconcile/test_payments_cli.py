"""``fiscalgw reconcile payments``: the JSON shape, the four formats, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gateway.cli import main
from tests.gateway.reconcile.ledgers import write_csv
from tests.gateway.reconcile.payment_files import (
    VOUCHER_HEADER,
    clearing,
    quota,
    receipt,
    refund,
    voucher,
    write_chain,
)

AS_OF = "2026-03-10T12:00:00+08:00"


@pytest.fixture
def args(tmp_path: Path) -> list[str]:
    files = write_chain(
        tmp_path,
        [voucher("V1"), voucher("V2", day="20260309"), voucher("V3", amount="50.00")],
        [receipt("V1"), receipt("V3", paid="49.00"), refund("R1", "NOPE")],
        [clearing("C1", "V1"), clearing("C1", "V3", amount="49.00")],
        [quota("Q1", "10.00", "5.00", "1.00", "13.00")],
    )
    out = ["reconcile", "payments"]
    for path, role in files:
        out += [f"--{role}", str(path)]
    return [*out, "--as-of", AS_OF]


def test_json_report_shape_on_stdout_and_progress_on_stderr(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert set(data) == {"kind", "as_of", "unpaid_hours", "uncleared_hours", "groups", "breaks"}
    assert (data["kind"], data["as_of"], data["unpaid_hours"]) == (
        "payments",
        "2026-03-10T12:00:00+08:00",
        24,
    )
    first = data["groups"][0]
    assert first["adm_div_code"] == "330324" and first["status"] in ("一致", "不一致")
    assert set(first["break_counts"]) == {
        "UNPAID",
        "PAY_AMOUNT_MISMATCH",
        "NOT_CLEARED",
        "CLEARED_UNKNOWN",
        "DOUBLE_CLEARED",
        "REFUND_UNMATCHED",
        "QUOTA_IDENTITY",
    }
    mismatch = next(b for b in data["breaks"] if b["type"] == "PAY_AMOUNT_MISMATCH")
    assert mismatch == {
        "type": "PAY_AMOUNT_MISMATCH",
        "key": "PAY_AMOUNT_MISMATCH|330324|102|2026-03-01|voucher:V3",
        "adm_div_code": "330324",
        "bank": "102",
        "day": "2026-03-01",
        "voucher_no": "V3",
        "voucher_amount": "50.00",
        "paid_amount": "49.00",
        "refund_amount": None,
        "cleared_amount": "49.00",
        "difference": "1.00",
        "fields": [],
    }
    assert sorted(b["type"] for b in data["breaks"]) == [
        "PAY_AMOUNT_MISMATCH",
        "QUOTA_IDENTITY",
        "REFUND_UNMATCHED",
    ]  # V2 is still inside its payment window
    assert "reading vouchers" in err and "done: " in err


def test_fail_on_breaks_and_windows(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*args, "--quiet", "--fail-on-breaks"]) == 1
    assert capsys.readouterr().err == ""
    assert main([*args, "--quiet", "--unpaid-hours", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "UNPAID" in {b["type"] for b in data["breaks"]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html", "json"])
def test_every_format_writes_to_out(args: list[str], tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    assert main([*args, "--quiet", "--format", fmt, "--out", str(out)]) == 0
    raw = out.read_bytes()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:4] == ["区划", "代理银行", "日期", "差异类型"] and len(rows) == 4
    elif fmt == "xlsx":
        workbook = load_workbook(out, read_only=True)
        assert workbook.sheetnames == ["汇总", "差异明细"]
        details = list(workbook["差异明细"].iter_rows(values_only=True))
        assert details[0][3] == "差异类型" and {r[3] for r in details[1:]} == {
            "支付金额不一致",
            "退款无对应支付",
            "额度余额不平",
        }
        workbook.close()
    elif fmt == "html":
        page = raw.decode("utf-8")
        assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page and "退款无对应支付" in page
    else:
        assert json.loads(raw)["kind"] == "payments"


def test_errors_are_one_line_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_csv(tmp_path / "v.csv", VOUCHER_HEADER, [voucher("V1", PAY_AMT="1.234")])
    assert main(["reconcile", "payments", "--vouchers", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "line 2, column PAY_AMT" in err
    assert main(["reconcile", "payments", "--vouchers", str(tmp_path / "none.csv"), "--quiet"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["reconcile", "payments", "--vouchers", str(bad), "--format", "xlsx"]) == 2
    assert "--out" in capsys.readouterr().err
