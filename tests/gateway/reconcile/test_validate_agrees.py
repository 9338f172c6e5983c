"""``fiscalgw validate --ledger KIND`` and ``fiscalgw reconcile`` agree about the same file (issue 12): a file
one accepts the other accepts, and a file one refuses the other refuses with the very same line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.reconcile.indicators.ledger_columns import COLUMN_NAMES_ZH
from gateway.reconcile.payments.columns import PAYMENT_COLUMN_NAMES_ZH, Role
from tests.gateway.reconcile.ledgers import LOWER_HEADER, UPPER_HEADER, Row, csv_text, lower_row, upper_row
from tests.gateway.reconcile.payment_files import HEADERS, clearing, quota, receipt, refund, voucher

AS_OF = "2026-03-20T12:00:00Z"
GOOD: dict[str, tuple[tuple[str, ...], list[Row]]] = {
    "upper": (UPPER_HEADER, [upper_row("U1"), upper_row("U2", doc_no="D2")]),
    "lower": (LOWER_HEADER, [lower_row("L1", ori="U1")]),
    "vouchers": (HEADERS[Role.VOUCHERS], [voucher("V1"), voucher("V2")]),
    "receipts": (HEADERS[Role.RECEIPTS], [receipt("V1"), refund("R1", "V1")]),
    "clearing": (HEADERS[Role.CLEARING], [clearing("C1", "V1")]),
    "quota": (HEADERS[Role.QUOTA], [quota("Q1", "10.00", "5.00", "5.00", "10.00")]),
}
AMOUNT_COLUMN = {"upper": "AMOUNT", "lower": "AMOUNT", "vouchers": "PAY_AMT", "receipts": "X_PAY_AMT"}
AMOUNT_COLUMN |= {"clearing": "PAY_AMT", "quota": "CLEAR_AMT"}


def _write(path: Path, kind: str, edit: Callable[[str, list[Row]], bytes] | None = None) -> Path:
    header, rows = GOOD[kind]
    path.write_bytes(edit(kind, rows) if edit else csv_text(header, rows).encode("utf-8"))
    return path


def _bad_amount(kind: str, rows: list[Row]) -> bytes:
    first = {**rows[0], AMOUNT_COLUMN[kind]: "12.345"}
    return csv_text(GOOD[kind][0], [first, *rows[1:]]).encode("utf-8")


def _missing_column(kind: str, rows: list[Row]) -> bytes:
    header = tuple(c for c in GOOD[kind][0] if c != AMOUNT_COLUMN[kind])
    return csv_text(header, rows).encode("utf-8")


def _mixed_endings(kind: str, rows: list[Row]) -> bytes:
    first, rest = csv_text(GOOD[kind][0], rows).split("\n", 1)
    return (first + "\r\n" + rest).encode("utf-8")


def _not_text(kind: str, rows: list[Row]) -> bytes:
    return csv_text(GOOD[kind][0], rows).encode("utf-8") + b"\xff\xfe\x80\n"


def _chinese_header(kind: str, rows: list[Row]) -> bytes:
    names = {**COLUMN_NAMES_ZH, **PAYMENT_COLUMN_NAMES_ZH}
    text = csv_text(GOOD[kind][0], rows).split("\n", 1)[1]
    return (",".join(names[c][0] for c in GOOD[kind][0]) + "\r\n" + text.replace("\n", "\r\n")).encode("gbk")


EDITS = {
    "good": None,
    "chinese header, GBK, CRLF": _chinese_header,
    "bad amount": _bad_amount,
    "missing column": _missing_column,
    "mixed line endings": _mixed_endings,
    "not UTF-8 or GBK": _not_text,
}


def _reconcile(tmp: Path, kind: str, path: Path) -> list[str]:
    if kind in ("upper", "lower"):
        other = "lower" if kind == "upper" else "upper"
        files = {kind: path, other: _write(tmp / f"good-{other}.csv", other)}
        return ["reconcile", "indicators", "--upper", str(files["upper"]), "--lower", str(files["lower"])]
    argv = ["reconcile", "payments", f"--{kind}", str(path)]
    if kind != "vouchers":
        argv += ["--vouchers", str(_write(tmp / "good-vouchers.csv", "vouchers"))]
    return argv


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("kind", list(GOOD))
def test_validate_and_reconcile_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, edit: str
) -> None:
    path = _write(tmp_path / f"{kind}.csv", kind, EDITS[edit])
    validated = main(["validate", "--ledger", kind, str(path)])
    out, validate_err = capsys.readouterr()
    reconciled = main(
        [*_reconcile(tmp_path, kind, path), "--as-of", AS_OF, "--quiet", "--out", str(tmp_path / "r")]
    )
    _, reconcile_err = capsys.readouterr()
    if EDITS[edit] is None or edit.startswith("chinese"):
        assert (validated, reconciled) == (0, 0), validate_err + reconcile_err
        assert out == f"{path}: ok: ledger={kind} rows={len(GOOD[kind][1])}\n"
    else:
        assert (validated, reconciled) == (2, 2)
        assert validate_err == reconcile_err and validate_err.count("\n") == 1 and str(path) in validate_err


def test_validate_without_ledger_points_to_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "vouchers.csv", "vouchers", _chinese_header)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--ledger upper|lower|vouchers|receipts|clearing|quota" in err


def test_columns_without_ledger_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "upper.csv", "upper")
    assert main(["validate", "--columns", str(tmp_path / "map.toml"), str(path)]) == 2
    assert "--ledger" in capsys.readouterr().err


def test_validate_ledger_takes_the_column_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, rows = GOOD["vouchers"]
    own = {"VOUCHER_NO": "单据号"}
    path = tmp_path / "vouchers.csv"
    path.write_bytes(
        csv_text(
            [own.get(c, c) for c in header], [{own.get(k, k): v for k, v in r.items()} for r in rows]
        ).encode()
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"单据号" = "VOUCHER_NO"\n', encoding="utf-8")
    assert main(["validate", "--ledger", "vouchers", str(path)]) == 2
    assert "VOUCHER_NO (凭证号)" in capsys.readouterr().err
    assert main(["validate", "--ledger", "vouchers", "--columns", str(mapping), str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok: ledger=vouchers rows=2\n"
