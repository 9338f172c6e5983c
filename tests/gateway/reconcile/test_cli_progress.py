"""The CLI progress renderer: plain lines off a terminal, a redrawn bar on one, nothing when quiet."""

from __future__ import annotations

import io

from gateway.cli.progress import CLIProgress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = CLIProgress(3, stream=out)
    progress("reading upper ledger a.csv")
    progress.finish("done: 1 pair(s)")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("fiscalgw: [") and lines[0].endswith("reading upper ledger a.csv")
    assert lines[1].endswith("done: 1 pair(s)")
    assert "\r" not in out.getvalue()


def test_bar_on_a_terminal_reaches_100_percent() -> None:
    out = _Terminal()
    progress = CLIProgress(4, stream=out)
    progress("reading")
    progress("matching")
    assert "\r[" + "#" * 15 + "-" * 15 + "]  50 %" in out.getvalue()
    progress.finish("done")
    text = out.getvalue()
    assert text.endswith("done\x1b[K\n")
    assert "] 100 %" in text


def test_quiet_writes_nothing_on_either() -> None:
    for out in (io.StringIO(), _Terminal()):
        progress = CLIProgress(2, quiet=True, stream=out)
        progress("reading")
        progress.finish("done")
        assert out.getvalue() == ""
