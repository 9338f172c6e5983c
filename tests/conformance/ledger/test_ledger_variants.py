"""Ledger files as real exports are (issue 12): every ledger file kind — the indicator snapshots of both
levels and the four payment inputs — in every line ending (LF, CRLF, CR) and encoding (UTF-8, UTF-8 with
BOM, GBK, GB18030), with UPPER_SNAKE or Chinese headers, reconciles exactly as its LF UTF-8 twin, and the
reference readers read exactly the same rows.

The rows carry a title with a character outside GBK (U+20000, written in GB18030 as a four-byte sequence)
in the GB18030 variant, so that variant really is GB18030 and not GBK.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.reconcile.indicators.ledger_columns import COLUMN_NAMES_ZH, Side
from gateway.reconcile.indicators.reference import load_ledger
from gateway.reconcile.payments.columns import PAYMENT_COLUMN_NAMES_ZH, Role
from gateway.reconcile.payments.files import load_inputs
from tests.gateway.reconcile.ledgers import LOWER_HEADER, UPPER_HEADER, Row, csv_text, lower_row, upper_row
from tests.gateway.reconcile.payment_files import HEADERS, clearing, quota, receipt, refund, voucher

AS_OF = "2026-03-20T12:00:00Z"
ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}
ENCODINGS = {"utf-8": "utf-8", "utf-8-bom": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
OUTSIDE_GBK = "\U00020000"

UPPER = [upper_row("U1"), upper_row("U2", doc_no="D2", AMOUNT="5.00"), upper_row("U3", AMOUNT="7.00")]
LOWER = [lower_row("L1", ori="U1"), lower_row("L3", ori="U3", AMOUNT="6.00")]
PAYMENTS: dict[Role, list[Row]] = {
    Role.VOUCHERS: [voucher("V1"), voucher("V2", amount="50.00"), voucher("V3")],
    Role.RECEIPTS: [receipt("V1"), receipt("V2", paid="49.00"), refund("R1", "V1")],
    Role.CLEARING: [clearing("C1", "V1"), clearing("C2", "V2", amount="-3.00", vt="2302")],
    Role.QUOTA: [quota("Q1", "1000.00", "100.00", "100.00", "1000.00")],
}


def _zh(column: str) -> str:
    return (COLUMN_NAMES_ZH.get(column) or PAYMENT_COLUMN_NAMES_ZH[column])[0]


def _write(
    path: Path, header: Sequence[str], rows: Sequence[Row], ending: str, encoding: str, chinese: bool
) -> Path:
    if encoding == "gb18030":  # only GB18030 (not GBK) can hold this title
        rows = [
            {**r, "BGT_DOC_TITLE": r["BGT_DOC_TITLE"] + OUTSIDE_GBK} if "BGT_DOC_TITLE" in r else r
            for r in rows
        ]
    text = csv_text(header, rows)
    if chinese:
        _header, rest = text.split("\n", 1)
        text = ",".join(_zh(c) for c in header) + "\n" + rest
    path.write_bytes(text.replace("\n", ENDINGS[ending]).encode(ENCODINGS[encoding]))
    return path


def _files(tmp: Path, ending: str, encoding: str, chinese: bool) -> dict[str, Path]:
    tmp.mkdir()
    files = {
        "upper": _write(tmp / "upper.csv", UPPER_HEADER, UPPER, ending, encoding, chinese),
        "lower": _write(tmp / "lower.csv", LOWER_HEADER, LOWER, ending, encoding, chinese),
    }
    for role, rows in PAYMENTS.items():
        files[role.value] = _write(tmp / f"{role.value}.csv", HEADERS[role], rows, ending, encoding, chinese)
    return files


def _reports(files: dict[str, Path], tmp: Path) -> tuple[object, object]:
    indicators, payments = tmp / "indicators.json", tmp / "payments.json"
    argv = ["reconcile", "indicators", "--upper", str(files["upper"]), "--lower", str(files["lower"])]
    assert main([*argv, "--as-of", AS_OF, "--quiet", "--out", str(indicators)]) == 0
    argv = ["reconcile", "payments"]
    for role in Role:
        argv += [f"--{role.value}", str(files[role.value])]
    assert main([*argv, "--as-of", AS_OF, "--quiet", "--out", str(payments)]) == 0
    return json.loads(indicators.read_text("utf-8")), json.loads(payments.read_text("utf-8"))


def _reference_rows(files: dict[str, Path]) -> tuple[object, ...]:
    """What the reference readers make of the files (line numbers kept: they must not move either)."""
    upper = [
        replace(r, bgt_doc_title=(r.bgt_doc_title or "").rstrip(OUTSIDE_GBK))
        for r in load_ledger(files["upper"], Side.UPPER)
    ]
    lower = [
        replace(r, bgt_doc_title=(r.bgt_doc_title or "").rstrip(OUTSIDE_GBK))
        for r in load_ledger(files["lower"], Side.LOWER)
    ]
    payments = load_inputs([(files[role.value], role) for role in Role])
    return upper, lower, payments


def _without_outside_gbk(report: object) -> object:
    return json.loads(json.dumps(report, ensure_ascii=False).replace(OUTSIDE_GBK, ""))


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, object, tuple[object, ...]]:
    tmp = tmp_path_factory.mktemp("lf-utf8")
    files = _files(tmp / "files", "LF", "utf-8", chinese=False)
    indicators, payments = _reports(files, tmp)
    assert isinstance(indicators, dict) and indicators["pairs"] and indicators["breaks"]
    assert isinstance(payments, dict) and payments["groups"] and payments["breaks"]
    return indicators, payments, _reference_rows(files)


VARIANTS = [(e, c, False) for e in ENDINGS for c in ENCODINGS if (e, c) != ("LF", "utf-8")]
VARIANTS += [
    ("LF", "utf-8", True),
    ("CRLF", "gbk", True),
    ("CR", "gb18030", True),
    ("CRLF", "utf-8-bom", True),
]


@pytest.mark.parametrize(("ending", "encoding", "chinese"), VARIANTS)
def test_every_ledger_file_kind_reconciles_as_its_lf_utf8_twin(
    tmp_path: Path, twin: tuple[object, object, tuple[object, ...]], ending: str, encoding: str, chinese: bool
) -> None:
    files = _files(tmp_path / "files", ending, encoding, chinese)
    indicators, payments = _reports(files, tmp_path)
    assert (_without_outside_gbk(indicators), payments) == twin[:2]
    assert _reference_rows(files) == twin[2]
