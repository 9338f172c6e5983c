"""Issue 15: every command, sub-command, positional and option of ``fiscalgw`` says what it is, and every
option with a default says the default (the whole argparse tree is walked: a new command cannot skip it)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

import pytest

from gateway.cli import build_parser, main

_NO_DEFAULT = (None, False, argparse.SUPPRESS)


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, str | None]]:
    """(command path, its parser, the one-line help its parent lists) for every (sub-)command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, listed.get(name)
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(build_parser()))


def test_the_tree_holds_the_commands_of_the_issue() -> None:
    names = {" ".join(path) for path, _parser, _help in COMMANDS}
    assert {
        "serve", "relay", "init", "db upgrade", "audit verify", "outbox retry", "outbox cancel",
        "outbox replay", "keys generate", "sign", "verify", "sm3", "validate", "convert",
    } <= names  # fmt: skip


@pytest.mark.parametrize(
    ("path", "parser", "listed"), COMMANDS, ids=[" ".join(path) for path, _p, _h in COMMANDS]
)
def test_every_command_and_argument_is_described(
    path: tuple[str, ...], parser: argparse.ArgumentParser, listed: str | None
) -> None:
    missing: list[str] = []
    if not listed:
        missing.append("the command's line in its parent's list")
    if not parser.description:
        missing.append("the command's description (its --help)")
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        name = "/".join(action.option_strings) or action.dest
        if not action.help or action.help == argparse.SUPPRESS:
            missing.append(f"{name}: no help")
            continue
        flag = isinstance(action, (argparse._StoreConstAction, argparse._CountAction))  # store_true/false too
        stated = "default" in action.help
        if action.default not in _NO_DEFAULT and action.default != [] and not flag and not stated:
            missing.append(f"{name}: the default ({action.default!r}) is not stated")
    assert missing == [], f"fiscalgw {' '.join(path)}: {missing}"


def test_serve_says_what_it_writes_without_config() -> None:
    serve = next(p for path, p, _h in COMMANDS if path == ("serve",))
    text = " ".join((serve.description or "").split())
    assert ".fiscalgw/" in text and "demo" in text and "migrat" in text


def test_help_runs_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for path, _parser, _help in COMMANDS:
        with pytest.raises(SystemExit) as done:
            main([*path, "--help"])
        out = capsys.readouterr().out
        assert done.value.code == 0, path
        assert out.startswith(f"usage: fiscalgw {' '.join(path)}") and "None" not in out, (path, out)


def test_the_console_script_prints_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "--port PORT" in done.stdout and "Traceback" not in done.stderr
