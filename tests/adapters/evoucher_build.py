"""Helpers that assemble e-voucher envelopes byte by byte, so tests can break them in precise ways."""

from __future__ import annotations

import base64

from adapters.evoucher.inner import voucher_bytes
from tests.adapters.payments_samples import EVOUCHER_SAMPLES

DECL = b'<?xml version="1.0" encoding="GBK"?>\n'


def inner_text(name: str = "5201", index: int = 0) -> str:
    """The inner voucher of a sample as text (without its XML declaration), ready to be edited."""
    model, data, _meta = EVOUCHER_SAMPLES[name][index]
    message = model.model_validate({k: v for k, v in data.items() if v is not None})
    return voucher_bytes(message).decode("gbk").split("\n", 1)[1]


def inner_bytes(text: str, declaration: bytes = DECL, encoding: str = "gbk") -> bytes:
    return declaration + text.encode(encoding)


def body(
    inner: bytes,
    *,
    adm: str = "330324",
    year: str = "2026",
    vt: str = "5201",
    no: str = "3303245201260000123",
    flag: str = "0",
    extra_attrs: str = "",
    before_voucher: str = "<Attach>SUCCESS</Attach>",
    after_voucher: str = "",
    voucher_text: str | None = None,
) -> bytes:
    text = base64.b64encode(inner).decode("ascii") if voucher_text is None else voucher_text
    return (
        f'<VoucherBody AdmDivCode="{adm}" StYear="{year}" VtCode="{vt}" VoucherNo="{no}"{extra_attrs}>'
        f"<VoucherFlag>{flag}</VoucherFlag>{before_voucher}<Voucher>{text}</Voucher>{after_voucher}"
        "</VoucherBody>"
    ).encode("gbk")


def envelope(*bodies: bytes, count: int | None = None, declaration: bytes = DECL) -> bytes:
    n = len(bodies) if count is None else count
    return declaration + b"<MOF><VoucherCount>%d</VoucherCount>" % n + b"".join(bodies) + b"</MOF>"


def sample_envelope(text: str | None = None, **body_args: str) -> bytes:
    """One 5201 body whose inner voucher is ``text`` (default: the unchanged 5201 sample)."""
    return envelope(body(inner_bytes(inner_text() if text is None else text), **body_args))
