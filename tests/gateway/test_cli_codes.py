"""``fiscalgw validate --codes warn|refuse``: a value outside its code list is a warning line and exit 0
by default (as a stock gateway accepts it), a problem and exit 1 under ``refuse`` (issue 12)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.cli import main
from tests.gateway.samples import indicator_document, indicator_row


def _regional_file(tmp_path: Path, fund_type: str = "11111") -> Path:
    row = indicator_row("330000000", "330300000", "3300002026ZJ0301", Decimal("880000.00"))
    row["FUND_TYPE_CODE"] = fund_type
    path = tmp_path / "regional.json"
    path.write_bytes(indicator_document(row))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_validate_warns_and_exits_0_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _regional_file(tmp_path)
    code, out, _err = _run(capsys, "validate", str(path))
    assert code == 0
    assert out[0] == f"{path}: ok: format=mof.json type=transfer_indicator records=1 code_warnings=1"
    assert out[1].startswith("warning: [0].fund_type_code: code_list:FUND_TYPE: ")
    assert out[1].endswith("(value: '11111')")
    assert len(out) == 2


def test_validate_codes_refuse_exits_1_with_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _regional_file(tmp_path)
    code, out, err = _run(capsys, "validate", "--codes", "refuse", str(path))
    assert code == 1
    assert err.strip() == f"{path}: 1 problem(s)"
    assert len(out) == 1 and out[0].startswith("[0].fund_type_code: code_list:FUND_TYPE: ")


def test_validate_of_known_codes_prints_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _regional_file(tmp_path, "111")
    for argv in (["validate", str(path)], ["validate", "--codes", "refuse", str(path)]):
        code, out, _err = _run(capsys, *argv)
        assert (code, out) == (0, [f"{path}: ok: format=mof.json type=transfer_indicator records=1"])


def test_convert_keeps_stdout_for_the_document_and_warns_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _regional_file(tmp_path)
    code, out, err = _run(capsys, "convert", "--to", "mof.xml", str(path))
    assert code == 0
    assert "<FUND_TYPE_CODE>11111</FUND_TYPE_CODE>" in "\n".join(out)
    assert err.startswith(f"{path}: warning: [0].fund_type_code: code_list:FUND_TYPE")


def test_an_unknown_policy_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "--codes", "ignore", str(_regional_file(tmp_path))])
    assert info.value.code == 2
    assert "invalid choice: 'ignore'" in capsys.readouterr().err


def test_canonical_json_is_checked_against_the_lists_of_its_division(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _regional_file(tmp_path)
    assert main(["convert", "--to", "json", str(source)]) == 0
    canonical = tmp_path / "canonical.json"
    canonical.write_text(capsys.readouterr().out, encoding="utf-8")
    code, out, _err = _run(capsys, "validate", "--format", "json", str(canonical))
    assert code == 0
    assert out[0].endswith("records=1 code_warnings=1")
    assert out[1].startswith("warning: [0].fund_type_code: code_list:FUND_TYPE: ")
    code, _out, _err = _run(capsys, "validate", "--format", "json", "--codes", "refuse", str(canonical))
    assert code == 1
