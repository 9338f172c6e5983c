"""The demo folder's claim (issue 15): one ``fiscalgw demo`` per folder, and a start that fails leaves
nothing behind.

``DIR/demo.pid`` holds the demo's pid and an exclusive ``flock`` for the life of the demo (the kernel drops
it when the process dies, so a demo killed with SIGKILL never locks its folder for good, and a reused pid is
never mistaken for a live demo). A second demo into the same folder finds the lock held and refuses with the
folder and the pid before touching anything. :meth:`DemoFolder.discard` removes what a failed start wrote:
the folder when the demo created it, otherwise only its contents (a folder the demo may use is empty or one
an earlier demo wrote, so everything in it is the demo's)."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import IO

from gateway.demo.client import DemoFailed

PID_FILE = "demo.pid"


def running(directory: Path) -> DemoFailed:
    pid = ""
    try:
        pid = (directory / PID_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        pass
    return DemoFailed(
        f"演示正在运行 / a demo is already running in {directory} (pid {pid or '?'}); "
        "先停止它或换一个目录 / stop it first or choose another --dir"
    )


class DemoFolder:
    """Claim ``directory`` for this process (:class:`DemoFailed` when another demo holds it)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.created = not directory.exists()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / PID_FILE
        handle: IO[str] = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise running(directory) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle: IO[str] | None = handle

    def clear(self) -> None:
        """Remove everything in the folder but the claim (before the fresh demo is written)."""
        for entry in self.directory.iterdir():
            if entry.name == PID_FILE:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def release(self) -> None:
        """The demo is over: drop the claim (the folder stays for ``fiscalgw serve``)."""
        if self._handle is None:
            return
        (self.directory / PID_FILE).unlink(missing_ok=True)
        self._handle.close()
        self._handle = None

    def discard(self) -> None:
        """A start failed: remove what it wrote, then drop the claim."""
        self.clear()
        self.release()
        if self.created:
            try:
                self.directory.rmdir()
            except OSError:
                pass
