"""The ``evoucher`` adapter: 财政国库支付电子凭证 envelopes (DOMAIN.md §2)."""

from adapters.evoucher.adapter import EVoucherAdapter

__all__ = ["EVoucherAdapter"]
