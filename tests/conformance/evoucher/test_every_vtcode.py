"""Every VtCode the e-voucher adapter supports, with both ``VoucherFlag`` values, parses from its ITFE-built
document (the field lists of the sibling modules) to the model ``adapters/evoucher/vtcodes.py`` names."""

from __future__ import annotations

import pytest

from adapters.evoucher.vtcodes import VT_SPECS
from tests.conformance.evoucher import (
    test_clearing_2301_2302 as clearing,
)
from tests.conformance.evoucher import (
    test_payment_5201_8202 as payment,
)
from tests.conformance.evoucher import (
    test_quota_5108_5106 as quota,
)
from tests.conformance.evoucher import (
    test_refund_2252 as refund,
)
from tests.conformance.evoucher import (
    test_statements_35xx_5510 as statements,
)
from tests.conformance.evoucher.itfe import Fields, assert_carries, document, parse_one, replace

VOUCHERS: dict[str, tuple[Fields, list[Fields]]] = {
    "5201": (payment.header("5201"), payment.details()),
    "8202": (payment.header("8202"), payment.details()),
    "2301": (clearing.HEADER_2301, clearing.DETAILS_2301),
    "2302": (clearing.HEADER_2302, clearing.DETAILS_2302),
    "2252": (refund.HEADER, refund.DETAILS),
    "5108": (quota.HEADER_5108, quota.DETAILS_5108),
    "5106": (quota.HEADER_5106, quota.DETAILS_5106),
    "3501": (statements.HEADER_3501, statements.voucher_lines()),
    "3502": (statements.HEADER_3502, statements.voucher_lines()),
    "3510": (statements.HEADER_3510, [statements.LINE_3510]),
    "5510": (statements.HEADER_5510, [statements.LINE_5510]),
}
RECEIPTS: dict[str, tuple[Fields, list[Fields]]] = {
    "5201": (payment.receipt_header("5201"), payment.receipt_details()),
    "8202": (payment.receipt_header("8202"), payment.receipt_details()),
    "2301": (replace(clearing.HEADER_2301, XPayAmt="13205.67", XClearDate="20260317"), clearing.DETAILS_2301),
}


def test_every_supported_vtcode_has_a_conformance_document() -> None:
    assert set(VOUCHERS) == set(VT_SPECS)
    assert set(RECEIPTS) | {"2302"} == {vt for vt, spec in VT_SPECS.items() if spec.receipt is not None}


@pytest.mark.parametrize("flag", ["0", "1"])
@pytest.mark.parametrize("vt_code", sorted(VT_SPECS))
def test_vtcode_and_flag_parse_to_the_model_vtcodes_names(vt_code: str, flag: str) -> None:
    spec = VT_SPECS[vt_code]
    header, details = RECEIPTS.get(vt_code, VOUCHERS[vt_code]) if flag == "1" else VOUCHERS[vt_code]
    parsed = parse_one(document(header, details, flag=flag))
    message = parsed.messages[0]
    expected = spec.receipt if flag == "1" and spec.receipt is not None else spec.voucher
    assert type(message) is expected and message.model_dump()["vt_code"] == vt_code
    assert_carries(message, header, details)
    has_own_receipt = spec.receipt is not None
    assert parsed.records[0].meta.get("VoucherFlag") == ("1" if flag == "1" and not has_own_receipt else None)
