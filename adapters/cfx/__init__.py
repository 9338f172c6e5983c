"""The ``cfx`` adapter: PBOC TIPS CFX messages (DOMAIN.md §3)."""

from adapters.cfx.adapter import CfxAdapter

__all__ = ["CfxAdapter"]
