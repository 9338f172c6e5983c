"""The unit of work's safety net: a value of the input that the database itself refuses (a number beyond a
BIGINT) leaves nothing written and surfaces as :class:`ValueNotStorable` (HTTP 400 ``invalid_value``), never
as a driver error that would become a 500. The money maximum (``schemas.money.MAX_AMOUNT``, also enforced
after adjustments) keeps intake from getting here; this guards whatever still does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gateway.errors import ValueNotStorable
from gateway.rows import NewIndicator
from gateway.store.unit_of_work import UnitOfWork
from tests.gateway.store.factories import T0


def _indicator(amount_fen: int) -> NewIndicator:
    return NewIndicator(
        division="330000000",
        side="issued",
        counterparty="330300000",
        fiscal_year=2026,
        bgt_id="B-BIGINT",
        ori_bgt_id=None,
        cor_bgt_doc_no="浙财预〔2026〕1号",
        sup_bgt_doc_no=None,
        bgt_doc_title=None,
        doc_date="2026-03-01",
        pro_code=None,
        fund_type_code=None,
        tp_func_code=None,
        gov_bgt_eco_code=None,
        distri_type_code=None,
        is_track=None,
        amount_fen=amount_fen,
        create_time=T0,
    )


@pytest.mark.parametrize("amount_fen", [2**63, -(2**63) - 1], ids=["above", "below"])
def test_a_value_beyond_a_bigint_is_value_not_storable_and_nothing_is_written(
    engine: sa.Engine, amount_fen: int
) -> None:
    with pytest.raises(ValueNotStorable), UnitOfWork(engine) as uow:
        uow.ledger.add_many([_indicator(amount_fen)], T0)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.ledger.rows("330000000") == []


def test_the_largest_bigint_is_stored(engine: sa.Engine) -> None:
    """The control: 2^63 − 1 fen fits the column, so the refusal above is about range alone."""
    with UnitOfWork(engine) as uow:
        uow.ledger.add_many([_indicator(2**63 - 1)], T0)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert [row.amount_fen for row in uow.ledger.rows("330000000")] == [2**63 - 1]
