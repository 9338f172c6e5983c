"""Property: for every e-voucher type, ``parse(render(doc)) == doc``; the XML is well-formed GBK; money
survives exactly."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.base import Document, Record
from adapters.evoucher import EVoucherAdapter
from schemas.base import CanonicalModel
from tests.adapters.payments_samples import EVOUCHER_SAMPLES
from tests.adapters.payments_strategies import EVOUCHER_META, messages

ADAPTER = EVoucherAdapter()
KINDS = sorted(EVOUCHER_SAMPLES)


def _amounts(value: Any) -> list[Decimal]:
    if isinstance(value, Decimal):
        return [value]
    if isinstance(value, CanonicalModel):
        return [a for v in value.__dict__.values() for a in _amounts(v)]
    if isinstance(value, tuple):
        return [a for v in value for a in _amounts(v)]
    return []


@st.composite
def documents(draw: st.DrawFn, kind: str) -> Document:
    model, sample, meta = EVOUCHER_SAMPLES[kind][0]
    count = draw(st.integers(min_value=1, max_value=3))
    records = []
    for position in range(count):
        message = draw(messages(model, {**sample, "voucher_no": f"{sample['voucher_no']}{position}"}))
        record_meta = dict(draw(EVOUCHER_META))
        if meta.get("VoucherFlag"):
            record_meta["VoucherFlag"] = meta["VoucherFlag"]
        records.append(Record(position, message, record_meta))
    return Document("evoucher", tuple(records))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_parse_render_round_trip(kind: str, data: st.DataObject) -> None:
    document = data.draw(documents(kind))
    raw = ADAPTER.render(document)
    raw.decode("gbk")  # GBK-encodable, and the declaration says so
    root = etree.fromstring(raw)
    for voucher in root.iter("Voucher"):
        etree.fromstring(base64.b64decode(voucher.text or ""))
    parsed = ADAPTER.parse(raw)
    assert parsed == document
    for before, after in zip(document.messages, parsed.messages, strict=True):
        assert [str(a) for a in _amounts(after)] == [str(a) for a in _amounts(before)]
