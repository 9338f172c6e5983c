"""Progress of a long CLI command on stderr: a redrawn bar on a terminal, one plain line per phase otherwise.

The engines report phases as short messages (``reading upper ledger …``, ``matching``, ``summarising`` …).
The command says how many phases it expects; on a TTY each message advances a one-line bar
``[#####-----]  50 %  12.3 s  matching`` redrawn in place, elsewhere (logs, pipes, CI) each message is a
line ``fiscalgw: [   12.3 s] matching``. ``quiet`` silences both. No dependency beyond the standard library.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_BAR_WIDTH = 30


class CLIProgress:
    """A callable progress sink for the reconciliation engines (``progress=CLIProgress(...)``)."""

    def __init__(self, phases: int, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self._phases = max(phases, 1)
        self._quiet = quiet
        self._stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._done = 0
        self._start = time.monotonic()
        self._drawn = False

    def __call__(self, message: str) -> None:
        if self._quiet:
            return
        elapsed = time.monotonic() - self._start
        if not self._tty:
            print(f"fiscalgw: [{elapsed:7.1f} s] {message}", file=self._stream, flush=True)
            return
        self._done = min(self._done + 1, self._phases)
        self._draw(elapsed, message)

    def finish(self, message: str) -> None:
        """The last message: the bar reaches 100 % and the line is ended."""
        if self._quiet:
            return
        if not self._tty:
            self(message)
            return
        self._done = self._phases
        self._draw(time.monotonic() - self._start, message)
        self._stream.write("\n")
        self._stream.flush()
        self._drawn = False

    def _draw(self, elapsed: float, message: str) -> None:
        filled = round(_BAR_WIDTH * self._done / self._phases)
        percent = 100 * self._done // self._phases
        text = message if len(message) <= 60 else "…" + message[-59:]
        line = f"[{'#' * filled}{'-' * (_BAR_WIDTH - filled)}] {percent:3d} % {elapsed:7.1f} s  {text}"
        # \r returns to the line start, \x1b[K clears what a longer previous message left behind.
        self._stream.write("\r" + line + "\x1b[K")
        self._stream.flush()
        self._drawn = True
