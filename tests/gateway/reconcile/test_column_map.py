"""``--columns MAP.toml`` (issue 12): a file's own column names mapped to the standard ones reconcile exactly
like the standard header; a map that cannot be used is one line on stderr with its code, exit 2, before any
file is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.reconcile.column_map import applied, load_column_map
from gateway.reconcile.errors import ColumnMapError
from gateway.reconcile.snapshot_files import snapshot_header
from tests.gateway.reconcile.ledgers import LOWER_HEADER, UPPER_HEADER, lower_row, upper_row, write_csv
from tests.gateway.reconcile.payment_files import RECEIPT_HEADER, VOUCHER_HEADER, receipt, voucher

AS_OF = "2026-03-20T12:00:00Z"
UPPER = [upper_row("U1"), upper_row("U2", doc_no="D2", AMOUNT="5.00")]
LOWER = [lower_row("L1", ori="U1", AMOUNT="6.00")]
OWN_NAMES = {
    "BGT_ID": "指标编号",
    "MOF_DIV_CODE": "区划编码",
    "AMOUNT": "下达金额",
    "REC_DIV_CODE": "Receiver",
}
MAP = "[columns]\n" + "".join(f'"{own}" = "{std}"\n' for std, own in OWN_NAMES.items())


def _renamed(header: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(OWN_NAMES.get(c, c) for c in header)


def _indicators(tmp: Path, own: bool, extra: list[str]) -> dict[str, object]:
    """Reconcile UPPER/LOWER written with the standard header, or (``own``) with the names of OWN_NAMES."""

    def name(column: str) -> str:
        return OWN_NAMES.get(column, column) if own else column

    up = write_csv(
        tmp / "upper.csv", tuple(map(name, UPPER_HEADER)), [{name(k): v for k, v in r.items()} for r in UPPER]
    )
    low = write_csv(
        tmp / "lower.csv", tuple(map(name, LOWER_HEADER)), [{name(k): v for k, v in r.items()} for r in LOWER]
    )
    out = tmp / "report.json"
    argv = ["reconcile", "indicators", "--upper", str(up), "--lower", str(low), "--as-of", AS_OF, "--quiet"]
    assert main([*argv, "--out", str(out), *extra]) == 0
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


def test_a_mapped_header_reconciles_as_the_standard_one(tmp_path: Path) -> None:
    (tmp_path / "std").mkdir()
    (tmp_path / "own").mkdir()
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAP, encoding="utf-8")
    standard = _indicators(tmp_path / "std", False, [])
    assert standard["pairs"] and standard["breaks"]
    assert _indicators(tmp_path / "own", True, ["--columns", str(mapping)]) == standard


def test_the_map_applies_to_payment_files_too(tmp_path: Path) -> None:
    own = {"VOUCHER_NO": "单据号", "PAY_AMT": "金额（元）"}
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"单据号" = "voucher_no"\n"金额（元）" = "PAY_AMT"\n', encoding="utf-8")
    vouchers = write_csv(
        tmp_path / "v.csv",
        tuple(own.get(c, c) for c in VOUCHER_HEADER),
        [{own.get(k, k): v for k, v in voucher("V1", amount="80.00").items()}],
        encoding="gbk",
    )
    receipts = write_csv(tmp_path / "r.csv", RECEIPT_HEADER, [receipt("V1", paid="80.00")])
    out = tmp_path / "report.json"
    argv = [
        "reconcile",
        "payments",
        "--vouchers",
        str(vouchers),
        "--receipts",
        str(receipts),
        "--as-of",
        AS_OF,
    ]
    assert main([*argv, "--quiet", "--out", str(out), "--columns", str(mapping)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    # read through the map: V1 is paid in full by its 回单 and only awaits clearing (no clearing file given)
    assert [b["type"] for b in report["breaks"]] == ["NOT_CLEARED"]
    with applied(load_column_map(mapping)):
        assert snapshot_header(vouchers)[2] == "VOUCHER_NO"
    assert snapshot_header(vouchers)[2] == "单据号"  # outside the run, no map


def test_without_the_map_the_missing_columns_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    up = write_csv(tmp_path / "upper.csv", _renamed(UPPER_HEADER), [])
    low = write_csv(tmp_path / "lower.csv", LOWER_HEADER, [])
    argv = ["reconcile", "indicators", "--upper", str(up), "--lower", str(low), "--as-of", AS_OF, "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "BGT_ID" in err and "MOF_DIV_CODE" in err and "AMOUNT" in err


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[columns\n", "not_toml"),
        ('"指标编号" = "BGT_ID"\n', "no_columns_table"),
        ("[columns]\n", "no_columns_table"),
        ('[columns]\n"指标编号" = 1\n', "bad_entry"),
        ('[columns]\n"  " = "BGT_ID"\n', "bad_entry"),
        ('[columns]\n"指标编号" = "BGT_KEY"\n', "unknown_column"),
        ('[columns]\n"指标编号" = "BGT_ID"\n"编号" = "bgt_id"\n', "duplicate_target"),
    ],
)
def test_a_bad_map_is_refused_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, code: str
) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(ColumnMapError) as info:
        load_column_map(mapping)
    assert info.value.code == code
    argv = ["reconcile", "indicators", "--upper", "missing-upper.csv", "--lower", "missing-lower.csv"]
    assert main([*argv, "--quiet", "--columns", str(mapping)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"({code})" in err and str(mapping) in err
    assert "missing-upper.csv" not in err  # refused before any file is read


def test_an_unreadable_map(tmp_path: Path) -> None:
    with pytest.raises(ColumnMapError) as info:
        load_column_map(tmp_path / "absent.toml")
    assert info.value.code == "unreadable"
