"""Payment snapshot headers (issue 12): the missing required columns of every payment file are named in one
error, each with its Chinese name."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from tests.gateway.reconcile.ledgers import write_csv
from tests.gateway.reconcile.payment_files import RECEIPT_HEADER, VOUCHER_HEADER, receipt, voucher


def test_missing_payment_columns_of_every_file_are_named_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vouchers = write_csv(
        tmp_path / "v.csv", tuple(c for c in VOUCHER_HEADER if c != "PAY_AMT"), [voucher("V1")]
    )
    receipts = write_csv(
        tmp_path / "r.csv", tuple(c for c in RECEIPT_HEADER if c != "VOU_DATE"), [receipt("V1")]
    )
    argv = ["reconcile", "payments", "--vouchers", str(vouchers), "--receipts", str(receipts), "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{vouchers}: missing required column(s): PAY_AMT (支付金额)" in err
    assert f"{receipts}: missing required column(s): VOU_DATE (凭证日期)" in err
