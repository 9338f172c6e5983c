"""``fiscalgw reconcile template`` (issue 12): the empty snapshot files read back as exactly the standard
columns, in CSV and XLSX with Chinese or UPPER_SNAKE headers, and a filled-in template reconciles."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gateway.cli import main
from gateway.reconcile.snapshot_files import snapshot_header
from gateway.reconcile.templates import TEMPLATE_KINDS, template_columns
from tests.gateway.reconcile.ledgers import lower_row, upper_row

AS_OF = "2026-03-20T12:00:00Z"


@pytest.mark.parametrize("header", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_a_template_reads_back_as_the_standard_columns(
    tmp_path: Path, kind: str, fmt: str, header: str
) -> None:
    out = tmp_path / f"{kind}.{fmt}"
    assert main(["reconcile", "template", kind, "--format", fmt, "--header", header, "-o", str(out)]) == 0
    assert snapshot_header(out) == list(template_columns(kind))
    if fmt == "csv":
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n") and raw.count(b"\r\n") == 1
    else:
        workbook = load_workbook(out, read_only=True)
        assert workbook.sheetnames == ["台账", "说明"]
        notes = list(workbook["说明"].iter_rows(values_only=True))
        assert [r[0] for r in notes[1:]] == list(template_columns(kind))


def test_filled_in_templates_reconcile(tmp_path: Path) -> None:
    files = {}
    for side, rows in (("upper", [upper_row("U1")]), ("lower", [lower_row("L1", ori="U1")])):
        path = tmp_path / f"{side}.csv"
        assert main(["reconcile", "template", "indicators", "-o", str(path)]) == 0
        text = path.read_bytes().decode("utf-8-sig")
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerows([row.get(c, "") for c in template_columns("indicators")] for row in rows)
        path.write_bytes(("\ufeff" + text + buffer.getvalue()).encode("utf-8"))
        files[side] = path
    out = tmp_path / "report.json"
    argv = ["reconcile", "indicators", "--upper", str(files["upper"]), "--lower", str(files["lower"])]
    assert main([*argv, "--as-of", AS_OF, "--quiet", "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [p["status"] for p in report["pairs"]] == ["一致"] and not report["breaks"]


def test_an_unwritable_target_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reconcile", "template", "quota", "-o", str(tmp_path / "no" / "such" / "dir.csv")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
