"""The columnar payment engine and the reference engine give identical reports on random payment chains.

Rows are drawn from small pools (voucher numbers, divisions, banks, days, amounts) so every rule fires
often: vouchers booked as several rows, missing and partial receipts, failed payments (XPayAmt 0),
receipts and clearing lines for vouchers finance never sent, refunds of unknown, unpaid and paid vouchers,
2301 lines repeated across clearing vouchers, 2302 returns, balanced and broken 3510 lines, and windows
that put vouchers on either side of their deadlines. An explicit example holding every break type always
runs, and the in-memory entry point (column lists) is held to the same reports.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gateway.reconcile._duckdb import EngineSettings
from gateway.reconcile.payments.duckdb_engine import reconcile_payment_columns, reconcile_payment_files
from gateway.reconcile.payments.files import load_inputs
from gateway.reconcile.payments.reference import reconcile_payment_files_reference
from gateway.reconcile.payments.report import PAYMENT_BREAK_TYPES
from tests.gateway.reconcile.ledgers import Row
from tests.gateway.reconcile.payment_files import clearing, quota, receipt, refund, voucher, write_chain

AS_OF = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
NUMBERS = [f"V{i}" for i in range(6)]
ADMS = ["330324", "330381"]
BANKS = ["102", "103", ""]
DAYS = ["20260301", "2026-03-05", "20260309", "20260310"]
AMOUNTS = ["100.00", "60.00", "40.00", "0.00", "0.01"]

EVERY_TYPE: tuple[list[Row], list[Row], list[Row], list[Row]] = (
    [voucher("V1"), voucher("V2"), voucher("V3"), voucher("V4"), voucher("V5")],
    [
        receipt("V2", paid="90.00"),
        receipt("V3"),
        receipt("V4"),
        receipt("GHOST"),
        refund("R1", "V1"),
        refund("R2", "NOPE"),
    ],
    [clearing("C1", "V4"), clearing("C2", "V4"), clearing("C1", "X9", amount="5.00")],
    [quota("Q1", "10.00", "5.00", "1.00", "13.00")],
)


@st.composite
def voucher_rows(draw: st.DrawFn) -> Row:
    return voucher(
        draw(st.sampled_from(NUMBERS)),
        amount=draw(st.sampled_from(AMOUNTS)),
        day=draw(st.sampled_from(DAYS)),
        ADM_DIV_CODE=draw(st.sampled_from(ADMS)),
        PAY_BANK_CODE=draw(st.sampled_from(BANKS)),
        VT_CODE=draw(st.sampled_from(["5201", "8202", ""])),
    )


@st.composite
def receipt_rows(draw: st.DrawFn) -> Row:
    adm = draw(st.sampled_from(ADMS))
    number = draw(st.sampled_from([*NUMBERS, "G1"]))
    day = draw(st.sampled_from(DAYS))
    if draw(st.integers(0, 4)) == 0:
        original = draw(st.sampled_from([*NUMBERS, "G2"]))
        amount = draw(st.sampled_from(["-10.00", "-40.00", "-100.00"]))
        return refund(f"R{number}", original, amount=amount, day=day, ADM_DIV_CODE=adm)
    return receipt(
        number,
        paid=draw(st.sampled_from(AMOUNTS)),
        day=day,
        ADM_DIV_CODE=adm,
        PAY_BANK_CODE=draw(st.sampled_from(BANKS)),
        X_PAY_DATE=draw(st.sampled_from(["", *DAYS])),
        VT_CODE=draw(st.sampled_from(["5201", ""])),
    )


@st.composite
def clearing_rows(draw: st.DrawFn) -> Row:
    vt = draw(st.sampled_from(["2301", "2301", "2302"]))
    amount = draw(st.sampled_from(AMOUNTS))
    if vt == "2302" and amount != "0.00" and draw(st.booleans()):  # "-0.00" is refused (negative_zero)
        amount = "-" + amount
    return clearing(
        draw(st.sampled_from(["C1", "C2", "C3"])),
        draw(st.sampled_from([*NUMBERS, "G3"])),
        amount=amount,
        day=draw(st.sampled_from(DAYS)),
        vt=vt,
        ADM_DIV_CODE=draw(st.sampled_from(ADMS)),
        PAY_BANK_CODE=draw(st.sampled_from(BANKS)),
    )


@st.composite
def quota_rows(draw: st.DrawFn) -> Row:
    pre, added, reck = (draw(st.sampled_from(["0.00", "10.00", "25.50"])) for _ in range(3))
    cur = draw(st.sampled_from(["balanced", "0.00", "10.00"]))
    if cur == "balanced":
        from decimal import Decimal

        cur = f"{Decimal(pre) + Decimal(added) - Decimal(reck):.2f}"
    return quota(
        draw(st.sampled_from(["Q1", "Q2"])),
        pre,
        added,
        reck,
        cur,
        day=draw(st.sampled_from(DAYS)),
        ADM_DIV_CODE=draw(st.sampled_from(ADMS)),
    )


@example(chain=EVERY_TYPE, hours=(24, 24))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chain=st.tuples(
        st.lists(voucher_rows(), min_size=1, max_size=10),
        st.lists(receipt_rows(), max_size=10),
        st.lists(clearing_rows(), max_size=10),
        st.lists(quota_rows(), max_size=4),
    ),
    hours=st.tuples(st.sampled_from([0, 24, 24 * 30]), st.sampled_from([0, 24, 24 * 30])),
)
def test_duckdb_engine_matches_reference_engine(
    chain: tuple[list[Row], list[Row], list[Row], list[Row]], hours: tuple[int, int]
) -> None:
    unpaid, uncleared = (timedelta(hours=h) for h in hours)
    windows = {"unpaid_window": unpaid, "uncleared_window": uncleared}
    with TemporaryDirectory() as tmp:
        files = write_chain(Path(tmp), *chain)
        fast = reconcile_payment_files(files, as_of=AS_OF, **windows)
        slow = reconcile_payment_files_reference(files, as_of=AS_OF, **windows)
        in_memory = reconcile_payment_columns(load_inputs(files), as_of=AS_OF, **windows)
    assert fast.groups == slow.groups
    assert fast.breaks == slow.breaks
    assert in_memory == fast


def test_the_explicit_example_holds_every_break_type(tmp_path: Path) -> None:
    report = reconcile_payment_files(write_chain(tmp_path, *EVERY_TYPE), as_of=AS_OF)
    assert {b.type for b in report.breaks} == set(PAYMENT_BREAK_TYPES)
    assert len({b.key for b in report.breaks}) == len(report.breaks)


@example(chain=EVERY_TYPE)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chain=st.tuples(
        st.lists(voucher_rows(), min_size=1, max_size=10),
        st.lists(receipt_rows(), max_size=10),
        st.lists(clearing_rows(), max_size=10),
        st.lists(quota_rows(), max_size=4),
    )
)
def test_tables_in_a_database_file_give_the_same_report(
    chain: tuple[list[Row], list[Row], list[Row], list[Row]],
) -> None:
    """A large input is loaded into a database file (compressed) instead of memory: same report."""
    with TemporaryDirectory() as tmp:
        files = write_chain(Path(tmp), *chain)
        reports = [
            reconcile_payment_files(files, as_of=AS_OF, settings=EngineSettings(storage=storage))
            for storage in ("memory", "disk")
        ]
    assert reports[0] == reports[1]
