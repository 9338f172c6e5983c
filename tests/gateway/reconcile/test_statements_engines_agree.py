"""The columnar statement engine and the reference engine give identical reports on random inputs.

Values come from small pools (divisions, statement and voucher numbers, banks, days, amounts) so that every
rule fires often: listed vouchers we never held, amounts that differ, held payments and clearing the
statements omit, control totals that disagree, statements of both VtCodes and of every EVoucherType, several
statements in one group, balanced and broken 3510 lines, one-day and longer quota periods. An explicit
example with every break type always runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.reconcile.statements.columns import StatementInputs
from gateway.reconcile.statements.duckdb_engine import reconcile_statement_columns
from gateway.reconcile.statements.reference import reconcile_statements_reference
from gateway.reconcile.statements.report import STATEMENT_BREAK_TYPES

AS_OF = datetime(2026, 3, 18, 2, 0, tzinfo=UTC)
ADMS = ["330324", "330381"]
VOUCHERS = [f"V{i}" for i in range(5)]
CLEARINGS = [f"C{i}" for i in range(3)]
BANKS = ["102", "103", ""]
DAYS = [date(2026, 3, 16), date(2026, 3, 17)]
FEN = [0, 1, 4000, 6000, 10000, -500]
STATES = ["", "1", "2"]


@st.composite
def inputs(draw: st.DrawFn) -> StatementInputs:
    got = StatementInputs()
    heads = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ADMS),
                st.sampled_from(["3501", "3502"]),
                st.sampled_from(["S1", "S2", "S3"]),
                st.sampled_from(DAYS),
                st.sampled_from(BANKS),
                st.sampled_from(["", "5201", "8202", "2301", "2302"]),
            ),
            max_size=5,
            unique_by=lambda h: (h[0], h[1], h[2]),
        )
    )
    for adm, vt, no, day, bank, etype in heads:
        lines = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(VOUCHERS + CLEARINGS), st.sampled_from(FEN), st.sampled_from(STATES)
                ),
                max_size=5,
            )
        )
        for voucher_no, fen, state in lines:
            got.details.append(adm, vt, no, voucher_no, fen, state)
        honest = draw(st.booleans())
        all_num = len(lines) if honest else draw(st.integers(0, 6))
        all_amt = sum(f for _v, f, _s in lines) if honest else draw(st.sampled_from(FEN))
        got.statements.append(adm, vt, no, day, bank, etype, all_num, all_amt)
    for adm, number in draw(
        st.lists(st.tuples(st.sampled_from(ADMS), st.sampled_from(VOUCHERS)), max_size=6)
    ):
        got.vouchers.append(adm, number)
    receipts = st.tuples(
        st.sampled_from(ADMS),
        st.sampled_from(VOUCHERS),
        st.sampled_from(BANKS),
        st.sampled_from(DAYS),
        st.sampled_from(FEN),
    )
    for row in draw(st.lists(receipts, max_size=8)):
        got.receipts.append(*row)
    clearing = st.tuples(
        st.sampled_from(ADMS),
        st.sampled_from(["2301", "2302"]),
        st.sampled_from(CLEARINGS),
        st.sampled_from(VOUCHERS),
        st.sampled_from(DAYS),
        st.sampled_from(BANKS),
        st.sampled_from(FEN),
    )
    for row in draw(st.lists(clearing, max_size=8)):
        got.clearing.append(*row)
    quotas = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ADMS), st.sampled_from(["Q1", "Q2"]), st.sampled_from(["3510", "5510"])
            ),
            max_size=3,
            unique_by=lambda q: (q[0], q[1]),
        )
    )
    for adm, no, vt in quotas:
        end = draw(st.sampled_from(DAYS))
        begin = draw(st.sampled_from([end, date(2026, 3, 1)]))
        for line in range(draw(st.integers(1, 3))):
            pre, clr, reck = (draw(st.sampled_from(FEN)) for _ in range(3))
            cur = pre + clr - reck if draw(st.booleans()) else draw(st.sampled_from(FEN))
            got.quota.append(adm, vt, no, line, begin, end, draw(st.sampled_from(BANKS)), pre, clr, reck, cur)
    return got


def every_type() -> StatementInputs:
    day = DAYS[1]
    got = StatementInputs()
    got.statements.append("330324", "3502", "S1", day, "102", "5201", 3, 99999)
    got.details.append("330324", "3502", "S1", "V1", 10000, "1")  # paid 10000: agrees
    got.details.append("330324", "3502", "S1", "V2", 6000, "1")  # paid 4000: amount differs
    got.details.append("330324", "3502", "S1", "GHOST", 500, "1")  # never held
    got.vouchers.append("330324", "V1")
    got.vouchers.append("330324", "V2")
    got.vouchers.append("330324", "V3")
    got.receipts.append("330324", "V1", "102", day, 10000)
    got.receipts.append("330324", "V2", "102", day, 4000)
    got.receipts.append("330324", "V3", "102", day, 6000)  # paid that day, omitted
    got.clearing.append("330324", "2301", "C1", "V1", day, "102", 10000)
    got.quota.append("330324", "3510", "Q1", 0, day, day, "001", 50000, 0, 9000, 41000)  # cleared 10000
    got.quota.append("330324", "3510", "Q1", 1, day, day, "102", 50000, 0, 9000, 40000)  # broken identity
    return got


def _same(given_inputs: StatementInputs) -> None:
    columnar = reconcile_statement_columns(given_inputs, as_of=AS_OF)
    reference = reconcile_statements_reference(given_inputs, as_of=AS_OF)
    assert columnar == reference


def test_every_break_type_is_found_and_the_engines_agree() -> None:
    report = reconcile_statement_columns(every_type(), as_of=AS_OF)
    assert {b.type for b in report.breaks} == set(STATEMENT_BREAK_TYPES)
    assert report == reconcile_statements_reference(every_type(), as_of=AS_OF)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs())
def test_engines_agree_on_random_inputs(drawn: StatementInputs) -> None:
    _same(drawn)


def test_a_value_holding_the_column_separator_goes_as_a_list() -> None:
    got = every_type()
    got.details.append("330324", "3502", "S1", "V\x1f9", 1, "")  # the engine joins columns with \x1f
    got.statements.all_num[0] += 1
    report = reconcile_statement_columns(got, as_of=AS_OF)
    assert "V\x1f9" in {b.voucher_no for b in report.breaks}
    assert report == reconcile_statements_reference(got, as_of=AS_OF)
