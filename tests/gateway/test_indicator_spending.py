"""The balance arithmetic of gateway/store/indicator_spending.py against a model (hypothesis, money as
two-place Decimals turned into fen): available = net amount − paid − in flight, whatever the order of
vouchers, 回单 (paid in full, in part or not at all), refunds and changes of the indicator's amount."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.model import MessageStatus, NewMessage
from gateway.rows import NewIndicator, NewSpend
from gateway.store.unit_of_work import UnitOfWork
from schemas.money import to_fen

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("voucher"), money),
        st.tuples(st.just("receipt"), st.integers(0, 30), st.floats(0, 1)),  # which voucher, share paid
        st.tuples(st.just("refund"), st.integers(0, 30), money),
        st.tuples(st.just("adjust"), st.integers(-5_000_000, 5_000_000)),  # fen, either way
    ),
    max_size=25,
)


@dataclass
class Model:
    amount: int
    in_flight: dict[str, int] = field(default_factory=dict)
    paid: dict[str, int] = field(default_factory=dict)

    @property
    def spent(self) -> int:
        return sum(self.in_flight.values()) + sum(self.paid.values())


def _opened(uow: UnitOfWork, n: int, amount_fen: int) -> tuple[int, int]:
    """A fresh indicator and a message for the spends to hang on: (indicator id, message pk)."""
    new = NewIndicator(
        division="330324000", side="received", counterparty=None, fiscal_year=2026, bgt_id=f"H-{n}",
        ori_bgt_id=None, cor_bgt_doc_no=f"DOC-{n}", sup_bgt_doc_no=None, bgt_doc_title=None, doc_date=None,
        pro_code=None, fund_type_code=None, tp_func_code=None, gov_bgt_eco_code=None, distri_type_code=None,
        is_track=None, amount_fen=amount_fen, create_time=AT, message_pk=None,
    )  # fmt: skip
    indicator_id = uow.ledger.open(new, AT)
    pk = uow.messages.add(
        NewMessage("330324000", f"m-{n}", AT, "evoucher", "payment_voucher", b"", "0" * 64, {},
                   MessageStatus.STORED, {})
    )  # fmt: skip
    return indicator_id, pk


def test_balance_arithmetic_matches_the_model(engine: sa.Engine) -> None:
    examples = iter(range(10**6))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(opening=money, script=steps)
    def check(opening: Decimal, script: list[tuple[object, ...]]) -> None:
        n = next(examples)
        model = Model(to_fen(opening))
        with UnitOfWork(engine) as uow:
            indicator_id, pk = _opened(uow, n, model.amount)
            spending, vouchers = uow.spending, list[str]()
            for step in script:
                if step[0] == "voucher":
                    fen, no = to_fen(step[1]), f"{n}-V{len(vouchers)}"  # type: ignore[arg-type]
                    passes = model.amount - model.spent >= fen
                    assert spending.reserve(indicator_id, fen) is passes
                    if passes:
                        vouchers.append(no)
                        model.in_flight[no] = fen
                        spending.add([NewSpend(pk, len(vouchers), "330324", "5201", no, 2026, None,
                                               indicator_id, fen, fen, "in_flight", "", 1, AT)])  # fmt: skip
                elif step[0] == "receipt" and vouchers:
                    no = vouchers[int(step[1]) % len(vouchers)]  # type: ignore[call-overload]
                    asked = model.in_flight.get(no)
                    share = int((asked or 0) * float(step[2]))  # type: ignore[arg-type]
                    settled = spending.settle("330324", no, share)
                    assert (settled is not None) == (asked is not None)  # a second 回单 settles nothing
                    if asked is not None:
                        del model.in_flight[no]
                        if share:  # XPayAmt 0.00: failed, nothing paid, nothing to refund later
                            model.paid[no] = share
                elif step[0] == "refund" and vouchers:
                    no = vouchers[int(step[1]) % len(vouchers)]  # type: ignore[call-overload]
                    back = to_fen(step[2])  # type: ignore[arg-type]
                    done = spending.refund("330324", no, back)
                    if no in model.paid:
                        assert done is not None
                        model.paid[no] -= min(back, model.paid[no])  # never below zero
                    else:
                        assert done is None  # in flight or failed: a refund gives nothing back
                elif step[0] == "adjust":
                    delta = max(int(step[1]), -model.amount)  # type: ignore[call-overload]
                    model.amount += delta
                    uow.ledger.set_amount(indicator_id, model.amount, AT)
                row = uow.spending.candidate(indicator_id)
                assert row is not None
                assert (row.amount_fen, row.spent_fen) == (model.amount, model.spent)
            totals = spending.totals([indicator_id]).get(indicator_id)
            if vouchers:
                assert totals is not None
                assert (totals.in_flight_fen, totals.paid_fen, totals.vouchers) == (
                    sum(model.in_flight.values()),
                    sum(model.paid.values()),
                    len(vouchers),
                )
            else:
                assert totals is None
            uow.commit()

    check()


def test_reserve_refuses_a_deleted_indicator(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        indicator_id, _ = _opened(uow, 0, 10_000)
        uow.ledger.set_amount(indicator_id, 10_000, AT, deleted=True)
        assert uow.spending.reserve(indicator_id, 1) is False
        row = uow.spending.candidate(indicator_id)
        assert row is not None and row.spent_fen == 0
