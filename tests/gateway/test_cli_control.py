"""``fiscalgw control load | versions | held | release | refuse`` as ops run them (one-line errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from tests.gateway import payment_flows
from tests.gateway.conftest import Harness
from tests.gateway.control_flows import COUNTY, book, rules, spends, voucher

EXAMPLE = Path(__file__).parents[2] / "docs" / "control-rules.example.toml"


@pytest.fixture
def cli(harness: Harness, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.setenv("FISCALGW_DATABASE__URL", database_url)
    return harness


def run(h: Harness, *args: str) -> int:
    return main(["control", *args, "--config", str(h.config_dir)])


def test_load_hold_release_and_refuse(
    cli: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(cli, "load", str(EXAMPLE)) == 0
    rule_file = tmp_path / "rules.toml"
    rule_file.write_text(rules("hold"), encoding="utf-8")
    assert run(cli, "load", str(rule_file)) == 0
    assert "control rules v2 loaded (1 divisions" in capsys.readouterr().out
    assert run(cli, "versions") == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["v2", "v1"]
    book(cli, "L-1", "100.00", "b1")
    payment_flows.send(cli, COUNTY, voucher("V1", 50000), voucher("V2", 5000), voucher("V3", 20000))
    assert run(cli, "held") == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(row[2], row[3], row[4]) for row in listed] == [
        ("V1", "500.00", "indicator_exhausted"),
        ("V3", "200.00", "indicator_exhausted"),
    ]
    assert run(cli, "release", listed[0][0]) == 1  # still exhausted: one line, nothing changed
    assert "不能放行" in capsys.readouterr().err
    assert run(cli, "refuse", listed[0][0], "--reason", "超指标") == 0
    assert [(s[0], s[1]) for s in spends(cli)] == [("V1", "refused"), ("V2", "in_flight"), ("V3", "held")]


def test_a_bad_rule_file_is_one_line_and_loads_nothing(
    cli: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[divisions."330324000"]\npolicy = "sometimes"\n', encoding="utf-8")
    assert run(cli, "load", str(bad)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "policy must be one of refuse, hold, off" in err[0]
    assert run(cli, "load", str(tmp_path / "missing.toml")) == 2
    assert run(cli, "versions") == 0
    assert capsys.readouterr().out == ""
