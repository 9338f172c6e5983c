"""Property: for every CFX MsgNo, ``parse(render(doc)) == doc``; the XML is well-formed GBK; money survives
exactly, and the batch control totals are the sums of the records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.base import Document, Record
from adapters.cfx import CfxAdapter
from adapters.cfx.msgnos import MSG_SPECS
from tests.adapters.payments_samples import CFX_SAMPLES
from tests.adapters.payments_strategies import CFX_HEAD, message_data, with_cfx_batch_head

ADAPTER = CfxAdapter()
KINDS = sorted(CFX_SAMPLES)


@st.composite
def documents(draw: st.DrawFn, msg_no: str) -> Document:
    _envelope, items = CFX_SAMPLES[msg_no]
    model, sample = items[0]
    spec = MSG_SPECS[msg_no]
    count = 1 if spec.single else draw(st.integers(min_value=1, max_value=4))
    data = with_cfx_batch_head(msg_no, [draw(message_data(model, sample)) for _ in range(count)])
    records = tuple(Record(i, model.model_validate(d)) for i, d in enumerate(data))
    return Document("cfx", records, {**draw(CFX_HEAD), "MsgNo": msg_no})


@pytest.mark.parametrize("msg_no", KINDS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_parse_render_round_trip(msg_no: str, data: st.DataObject) -> None:
    document = data.draw(documents(msg_no))
    raw = ADAPTER.render(document)
    raw.decode("gbk")
    root = etree.fromstring(raw)
    parsed = ADAPTER.parse(raw)
    assert parsed == document
    spec = MSG_SPECS[msg_no]
    if spec.amount and spec.totals == "required":
        total = sum((getattr(m, spec.amount) for m in parsed.messages), Decimal("0.00"))
        assert root.findtext(f"MSG/{spec.head_tag}{msg_no}/AllAmt") == f"{total:.2f}"
        assert root.findtext(f"MSG/{spec.head_tag}{msg_no}/AllNum") == str(len(parsed.records))
    elif spec.amount:  # 3133/3134: ITFE's binding has no control totals, so none are written
        assert root.find(f"MSG/{spec.head_tag}{msg_no}/AllNum") is None
