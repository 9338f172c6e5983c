"""Issue 13 items 6 and 10 (amounts) over HTTP: a lenient or out-of-range amount in ``POST /v1/messages`` is a
422 ``schema_validation_failed`` whose problem names the field and a specific rule; nothing is stored — on
SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.adapters.evoucher_build import inner_text, sample_envelope
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row
from tests.security.helpers import CITY, COUNTY, PROVINCE, error_code, post
from tests.security.test_hostile_http import assert_nothing_stored

CASES = [
    ("１０００.００", "amount_not_ascii"),
    ("١٠٠٠.٠٠", "amount_not_ascii"),
    ("+1000.00", "amount_sign"),
    (" 1000.00", "amount_whitespace"),
    ("1000.00\n", "amount_whitespace"),
    ("-0.00", "negative_zero"),
    ("1000000000000000.00", "amount_out_of_range"),  # 10^15 yuan: accepted before, then broke PostgreSQL runs
    ("92233720368547758.08", "amount_out_of_range"),  # 2^63 fen: beyond BIGINT
]


@pytest.mark.parametrize(("amount", "rule"), CASES)
def test_indicator_amount(harness: Harness, amount: str, rule: str) -> None:
    row = indicator_row(PROVINCE, CITY, "3300002026AMT01", Decimal("1.00"))
    row["AMOUNT"] = amount
    response = post(harness, PROVINCE, indicator_document(row), "m-amount")
    assert response.status_code == 422, response.text
    assert error_code(response) == "schema_validation_failed"
    assert [(p["path"], p["rule"]) for p in response.json()["detail"]] == [("[0].amount", rule)]
    assert_nothing_stored(harness)


@pytest.mark.parametrize(("amount", "rule"), CASES[:1] + CASES[2:])  # GBK has no Arabic-Indic digits
def test_payment_voucher_amount(harness: Harness, amount: str, rule: str) -> None:
    inner = inner_text().replace("<PayAmt>2345.67</PayAmt>", f"<PayAmt>{amount}</PayAmt>")
    response = post(harness, COUNTY, sample_envelope(inner), "v-amount")
    assert response.status_code == 422, response.text
    assert error_code(response) == "schema_validation_failed"
    assert ("[0].details[1].pay_amt", rule) in [(p["path"], p["rule"]) for p in response.json()["detail"]]
    assert_nothing_stored(harness)
