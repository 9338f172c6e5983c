"""`fiscalgw` command group: documents (see register())."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add this group's sub-commands to the `fiscalgw` parser."""
