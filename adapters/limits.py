"""Size and depth limits applied to every inbound document (configurable by the gateway)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 16 * 1024 * 1024
    """Whole document. The 电子凭证 2 MB ``<File>`` blocks fit comfortably."""
    max_depth: int = 32
    """Element nesting. The standard formats need fewer than 8 levels."""
    max_records: int = 1000
    """Records per batch (CFX packages carry at most 1,000; e-voucher envelopes at most 100)."""


DEFAULT_LIMITS = Limits()
