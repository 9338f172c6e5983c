"""``fiscalgw validate`` and ``fiscalgw convert`` on the golden files and on bad input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from adapters.registry import default_registry
from gateway.cli import main

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
MOF = GOLDEN / "mof"


def _run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8")


@pytest.mark.parametrize(
    ("relative", "summary"),
    [
        ("mof/indicators_issue.json", "format=mof.json type=transfer_indicator records=3"),
        ("mof/indicators_adjust_recall.xml", "format=mof.xml type=transfer_indicator records=3"),
        ("mof/indicator_receipts.xml", "format=mof.xml type=indicator_receipt records=2"),
        ("csv/ledger_county_gbk.csv", "format=csv type=transfer_indicator records=1"),
        ("xlsx/ledger_typed_cells.xlsx", "format=xlsx type=transfer_indicator records=2"),
    ],
)
def test_validate_prints_one_summary_line(
    capsysbinary: pytest.CaptureFixture[bytes], relative: str, summary: str
) -> None:
    path = str(GOLDEN / relative)
    code, out, _ = _run(capsysbinary, "validate", path)
    assert code == 0
    assert out.decode("utf-8") == f"{path}: ok: {summary}\n"


def test_validate_canonical_json(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = str(MOF / "indicators_issue.expected.json")
    code, out, _ = _run(capsysbinary, "validate", "--format", "json", path)
    assert (code, out.decode()) == (0, f"{path}: ok: format=json type=transfer_indicator records=3\n")


def test_validate_lists_every_problem_with_its_path(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    rows = json.loads((MOF / "indicators_issue.json").read_text(encoding="utf-8"))
    rows["BA_BGT_INFO"][0]["AMOUNT"] = "1.005"
    rows["BA_BGT_INFO"][2]["REC_DIV_CODE"] = "440100000"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    code, out, err = _run(capsysbinary, "validate", str(bad))
    assert code == 1
    lines = out.decode("utf-8").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[0].amount: amount_precision: amount has more than two decimal places")
    assert lines[1].startswith("[2].rec_div_code: rec_div_not_below:")
    assert "2 problem(s)" in err


def test_validate_reports_a_malformed_document_in_one_line(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b'<!DOCTYPE BGT_EXCHANGE [<!ENTITY x "y">]><BGT_EXCHANGE/>')
    code, out, _ = _run(capsysbinary, "validate", "--format", "mof.xml", str(bad))
    assert code == 1
    assert out.decode().splitlines() == [f"{bad}: dtd_forbidden: DOCTYPE / DTD declarations are not accepted"]


def test_validate_with_the_wrong_format(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, _ = _run(
        capsysbinary, "validate", "--format", "mof.json", str(GOLDEN / "csv/ledger_province_utf8bom.csv")
    )
    assert code == 1 and b"not_json" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "UNKNOWN"], "no adapter recognises the document"),
        (["validate", "/nonexistent/file.json"], "no such file"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path, argv: list[str], message: str
) -> None:
    unknown = tmp_path / "unknown.txt"
    unknown.write_bytes(b"hello")
    argv = [
        str(MOF / "indicators_issue.json") if a == "FILE" else str(unknown) if a == "UNKNOWN" else a
        for a in argv
    ]
    code, out, err = _run(capsysbinary, *argv)
    assert code == 2 and out == b""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_convert_json_to_xml_gives_the_golden_xml(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, _ = _run(
        capsysbinary, "convert", "--to", "mof.xml", str(MOF / "indicators_adjust_recall.json")
    )
    assert code == 0 and out == (MOF / "indicators_adjust_recall.xml").read_bytes()


def test_convert_to_canonical_json_holds_the_messages_and_the_wire_data(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    """Issue 12: ``--to json`` keeps the envelope and layouts next to the messages (it used to write the
    bare list of messages, which lost them); ``messages`` is that list, unchanged."""
    code, out, _ = _run(capsysbinary, "convert", "--to", "json", str(MOF / "indicator_receipts.xml"))
    assert code == 0
    value = json.loads(out)
    expected = json.loads((MOF / "indicator_receipts.expected.json").read_bytes())
    assert (value["format"], value["messages"]) == ("mof.xml", expected)
    assert len(value["records"]) == len(expected) and "layout" in value


def test_convert_from_canonical_json(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    source = str(MOF / "indicators_issue.expected.json")
    code, out, _ = _run(capsysbinary, "convert", "--from", "json", "--to", "mof.json", source)
    assert code == 0 and out == (MOF / "indicators_issue.json").read_bytes()


def test_convert_xlsx_to_csv(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, _ = _run(capsysbinary, "convert", "--to", "csv", str(GOLDEN / "xlsx/ledger_province.xlsx"))
    assert code == 0 and out == (GOLDEN / "csv/ledger_province_utf8bom.csv").read_bytes()


def test_conversion_that_cannot_be_expressed(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, err = _run(capsysbinary, "convert", "--to", "csv", str(MOF / "indicators_adjust_recall.json"))
    assert code == 1 and out == b""
    assert err.count("\n") == 1 and "no form" in err


def test_convert_from_bad_canonical_json(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"message_type": "transfer_indicator"}]', encoding="utf-8")
    code, out, _ = _run(capsysbinary, "convert", "--from", "json", "--to", "mof.xml", str(bad))
    assert code == 1
    assert b"[0].bgt_id: missing" in out
    not_json = tmp_path / "not.json"
    not_json.write_bytes(b"{")
    code, _, err = _run(capsysbinary, "convert", "--from", "json", "--to", "mof.xml", str(not_json))
    assert code == 1 and "not canonical JSON" in err


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('[{"message_type": "transfer_indicator", "message_type": "indicator_receipt"}]', "duplicate_key"),
        ('[{"message_type": "transfer_indicator", "bgt_dec": "\\ud800"}]', "invalid_text"),
        ('[{"message_type": "transfer_indicator", "fiscal_year": 1' + "0" * 40 + "}]", "number_too_large"),
    ],
)
def test_canonical_json_is_read_strictly(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path, text: str, code: str
) -> None:
    """The CLI reads canonical JSON as the gateway reads JSON: a repeated key, a lone surrogate or an
    over-long integer is one line naming the code, exit 1 — never a traceback."""
    path = tmp_path / "strict.json"
    path.write_text(text, encoding="utf-8")
    for argv in (("validate", "--format", "json"), ("convert", "--from", "json", "--to", "mof.xml")):
        status, out, err = _run(capsysbinary, *argv, str(path))
        assert status == 1, (argv, out, err)
        assert code in err and err.count("\n") == 1, (argv, err)


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--format", "pdf", "FILE"],
        ["convert", "--to", "pdf", "FILE"],
        ["convert", "--from", "x", "--to", "csv", "FILE"],
    ],
)
def test_an_unknown_format_name_is_refused_listing_the_choices(
    capsysbinary: pytest.CaptureFixture[bytes], argv: list[str]
) -> None:
    argv = [str(MOF / "indicators_issue.json") if a == "FILE" else a for a in argv]
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsysbinary.readouterr().err.decode()
    assert caught.value.code == 2 and "invalid choice" in err
    assert "cfx, csv, evoucher, json, mof.json, mof.xml, xlsx" in err.replace("'", "")


KNOWN_FORMATS = "known formats: cfx, csv, evoucher, json, mof.json, mof.xml, xlsx"

UNRECOGNISED = {
    "text": (b"hello, this is just a note\n", "plain text, not XML or JSON"),
    "empty": (b"", "the file is empty"),
    "broken_xml": (
        b'<?xml version="1.0"?>\n<Report>\n  <Row></Report>\n',
        "not well-formed XML at line 3, column",
    ),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32), "a PNG image"),
    "broken_json": (b'{"BA_BGT_INF": [\n  {"AMOUNT": 1,}\n]}', "not valid JSON at line 2, column"),
    "unknown_xml_root": (
        b'<?xml version="1.0"?><Report><Row/></Report>',
        "XML root element <Report> is not one of <BGT_EXCHANGE> (mof.xml), <CFX> (cfx), <MOF> (evoucher)",
    ),
    "unknown_json_table": (
        b'{"ROWS": []}',
        'first key "ROWS" is not one of BA_BGT_ADJSUB, BA_BGT_INFO, BA_BGT_RECEIPT (mof.json)',
    ),
}


@pytest.mark.parametrize("name", sorted(UNRECOGNISED))
def test_an_unrecognised_document_is_explained_in_one_line(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path, name: str
) -> None:
    """Issue 15: the line names the file, why no format matched, the known formats and ``--format``."""
    raw, reason = UNRECOGNISED[name]
    path = tmp_path / f"{name}.dat"
    path.write_bytes(raw)
    code, out, err = _run(capsysbinary, "validate", str(path))
    assert code == 2 and out == b""
    assert err.count("\n") == 1, err
    assert err.startswith(f"fiscalgw: error: {path}: no adapter recognises the document: "), err
    assert reason in err, err
    assert KNOWN_FORMATS in err and "--format" in err, err
    assert "None" not in err, err


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"<BGT_EXCHANGE><x>",
        b'{"BA_BGT_INFO": [',
        b"<?xml version='1.0' encoding='latin-1'?><MOF/>",
        b"<CFX><HEAD/></CFX>",
        b"\x89PNG\r\n\x1a\n",
        b"PK\x03\x04" + bytes(30),
        b"BGT_ID,MOF_DIV_CODE\n1,2,3\n",
    ],
)
def test_no_message_shows_a_python_none(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path, raw: bytes
) -> None:
    path = tmp_path / "doc"
    path.write_bytes(raw)
    for argv in (("validate",), ("convert", "--to", "json")):
        _code, out, err = _run(capsysbinary, *argv, str(path))
        text = out.decode("utf-8", "replace") + err
        assert "None" not in text, (argv, text)


def test_help_lists_exactly_the_formats_format_accepts(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    from gateway.cli import build_parser

    expected = [*default_registry().formats, "json"]
    parser = build_parser()
    choices = {}
    for command in ("validate", "convert"):
        sub = _subparser(parser, command)
        for action in sub._actions:
            if action.dest in ("format", "source", "target"):
                choices[(command, action.dest)] = sorted(action.choices or ())
    assert choices == {
        ("validate", "format"): sorted(expected),
        ("convert", "source"): sorted(expected),
        ("convert", "target"): sorted(expected),
    }
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    help_text = " ".join(capsysbinary.readouterr().out.decode().split())
    assert ", ".join(sorted(expected)) in help_text


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]  # type: ignore[no-any-return]
    raise AssertionError(name)
