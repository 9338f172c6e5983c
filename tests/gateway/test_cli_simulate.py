"""``fiscalgw simulate``: the behaviour rules are documented in --help; bad rules and ports are one line."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from gateway.cli import main


def test_help_documents_every_party_and_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["simulate", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for word in ("bank", "pbc", "finance", "--behaviour", "--rule", "seed=N", "fail=", "short=", "refund=",
                 "clear=true", "never_clear=", "lose=", "2252", "3143", "接收回执"):  # fmt: skip
        assert word in text, word


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("explode=1", "unknown behaviour rule 'explode'"),
        ("refund_rate=1.5", "refund_rate must be between 0 and 1"),
    ],
)
def test_a_bad_rule_is_one_line_and_exit_2(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], rule: str, message: str
) -> None:
    code = main(["simulate", "bank", "--config", str(demo_dir), "--port", "9", "--rule", rule])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("fiscalgw: error: ") and message in err and err.count("\n") == 1


def test_a_behaviour_file_that_is_not_toml(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "b.toml"
    bad.write_text("fail = [", encoding="utf-8")
    code = main(["simulate", "bank", "--config", str(demo_dir), "--port", "9", "--behaviour", str(bad)])
    assert code == 2 and "is not TOML" in capsys.readouterr().err


def test_a_port_in_use_is_one_line(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["simulate", "pbc", "--config", str(demo_dir), "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err
