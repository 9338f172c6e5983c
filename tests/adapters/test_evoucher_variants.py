"""Variants the 凭证库 really produces: TimeStamp, Return_Reason, 2 MB <File> blocks, header left to the
envelope, comments — all accepted, kept in ``Record.meta`` where they are not business data, and rendered
back so that the document is equal after a second parse."""

from __future__ import annotations

import base64
import re

from adapters.base import Document, Record
from adapters.evoucher import EVoucherAdapter
from schemas.payments import PaymentReceipt, PaymentVoucher
from tests.adapters.evoucher_build import body, envelope, inner_bytes, inner_text, sample_envelope
from tests.adapters.payments_samples import PAYMENT_5201

ADAPTER = EVoucherAdapter()


def _equal_after_reparse(raw: bytes) -> None:
    first = ADAPTER.parse(raw)
    assert ADAPTER.parse(ADAPTER.render(first)) == first


def test_timestamp_attribute_is_kept_in_meta() -> None:
    raw = sample_envelope(extra_attrs=' TimeStamp="20260316093015123"')
    record = ADAPTER.parse(raw).records[0]
    assert record.meta["TimeStamp"] == "20260316093015123"
    assert b'TimeStamp="20260316093015123"' in ADAPTER.render(ADAPTER.parse(raw))
    _equal_after_reparse(raw)


def test_return_reason_is_kept_in_meta() -> None:
    raw = sample_envelope(before_voucher="<Return_Reason>收款人账号有误</Return_Reason><Attach/>")
    record = ADAPTER.parse(raw).records[0]
    assert record.meta == {"Return_Reason": "收款人账号有误"}
    _equal_after_reparse(raw)


def test_two_megabyte_file_blocks_are_accepted_and_kept() -> None:
    block = base64.b64encode(bytes(range(256)) * 8192).decode("ascii")  # 2 MiB of attachment data
    files = "".join(
        f"<File><FileName>采购合同.pdf</FileName><FileBlockCount>2</FileBlockCount>"
        f"<AfewBlock>{n}</AfewBlock><Attach>{block}</Attach></File>"
        for n in (1, 2)
    )
    raw = sample_envelope(after_voucher=files)
    assert len(raw) > 5_000_000
    document = ADAPTER.parse(raw)
    meta = document.records[0].meta
    assert meta["File[0].FileName"] == "采购合同.pdf"
    assert meta["File[1].AfewBlock"] == "2"
    assert meta["File[1].Attach"] == block
    rendered = ADAPTER.render(document)
    assert rendered.count(b"<File>") == 2
    assert ADAPTER.parse(rendered) == document


def test_inner_voucher_may_leave_the_header_to_the_envelope() -> None:
    text = re.sub(r"<(AdmDivCode|StYear|VtCode|VoucherNo)>[^<]*</\1>", "", inner_text())
    document = ADAPTER.parse(sample_envelope(text))
    message = document.messages[0]
    assert isinstance(message, PaymentVoucher)
    assert (message.adm_div_code, message.st_year, message.vt_code, message.voucher_no) == (
        "330324",
        2026,
        "5201",
        "3303245201260000123",
    )
    _equal_after_reparse(sample_envelope(text))


def test_absent_optional_elements_and_comments_are_accepted() -> None:
    text = inner_text().replace("<Hold1/><Hold2/>", "<!-- 备注 -->")
    document = ADAPTER.parse(sample_envelope(text))
    assert document.messages[0].model_dump()["hold1"] is None


def test_base64_may_be_wrapped_over_lines() -> None:
    encoded = base64.encodebytes(inner_bytes(inner_text())).decode("ascii")  # 76-column lines
    assert "\n" in encoded.strip()
    assert ADAPTER.parse(envelope(body(b"", voucher_text=encoded))).records


def test_voucher_flag_one_is_a_receipt() -> None:
    text = inner_text("5201_receipt")
    document = ADAPTER.parse(sample_envelope(text, flag="1"))
    message = document.messages[0]
    assert isinstance(message, PaymentReceipt)
    assert str(message.x_pay_amt) == "12345.67"
    assert message.x_agent_business_no == "ICBC20260317000098765"


def test_gb18030_declaration_is_accepted() -> None:
    raw = sample_envelope().replace(b'encoding="GBK"', b'encoding="GB18030"', 1)
    assert ADAPTER.parse(raw).records


def test_characters_outside_gbk_travel_as_character_references() -> None:
    voucher = PaymentVoucher.model_validate({**PAYMENT_5201, "payee_acct_name": "𠮷野家餐饮有限公司"})
    raw = ADAPTER.render(Document("evoucher", (Record(0, voucher),)))
    match = re.search(rb"<Voucher>([^<]+)</Voucher>", raw)
    assert match is not None
    inner = base64.b64decode(match.group(1))
    assert b"&#134071;" in inner
    inner.decode("gbk")
    assert ADAPTER.parse(raw).messages == (voucher,)
