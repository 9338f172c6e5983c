"""The columnar engine and the reference engine give identical reports on random ledgers.

An explicit example holding every break type always runs first. Rows are drawn from deliberately small
pools (ids, document numbers, codes, amounts), so every rule fires often: duplicates on both sides, id
matches with amount and attribute differences, document groups of several lines, deleted rows,
in-transit and missing rows, several pairs (a county receiving from both the province and the city) and
two years.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gateway.reconcile._duckdb import DISK_SHARE, EngineSettings, size_bytes, tables_on_disk
from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files
from gateway.reconcile.indicators.reference import reconcile_files_reference
from tests.gateway.reconcile.conftest import AS_OF
from tests.gateway.reconcile.ledgers import (
    CITY,
    COUNTY,
    LOWER_HEADER,
    UPPER,
    UPPER_HEADER,
    Row,
    lower_row,
    upper_row,
    write_csv,
)

PAIRS = [(UPPER, CITY), (UPPER, COUNTY), (CITY, COUNTY)]
IDS = [f"B{i}" for i in range(8)]
DOCS = ["浙财〔2026〕1号", "浙财〔2026〕2号", "温财〔2026〕3号"]
AMOUNTS = ["10.00", "20.00", "30.50", "-5.00", "0.01"]
TIMES = ["", "2026-01-05 10:00:00", "2026-03-09 20:00:00", "20260310120000"]

EVERY_TYPE_UPPER: list[Row] = [
    upper_row("B1", AMOUNT="10.00"),
    upper_row("B2", BGT_DOC_TITLE="标题甲"),
    upper_row("B3", doc_no="D3", AMOUNT="5.00"),
    upper_row("B4", doc_no="D3", AMOUNT="6.00"),
    upper_row("B5", doc_no="D5", CREATE_TIME="2026-03-10 09:00:00"),
    upper_row("B6", doc_no="D6", CREATE_TIME="2026-01-01 09:00:00"),
    upper_row("B7", doc_no="D7"),
    upper_row("B7", doc_no="D7"),
    upper_row("B8", doc_no="D8", IS_DELETED="1"),
    upper_row("B9", doc_no="D9", REC_DIV_CODE=COUNTY, FISCAL_YEAR="2025"),
]
EVERY_TYPE_LOWER: list[Row] = [
    lower_row("L1", ori="B1", AMOUNT="9.00"),
    lower_row("L2", ori="B2", BGT_DOC_TITLE="标题乙"),
    lower_row("L3", sup="D3", AMOUNT="12.00"),
    lower_row("L4", sup="D4"),
    lower_row("L5", ori="B9", sup="D9", MOF_DIV_CODE=COUNTY, FISCAL_YEAR="2025"),
    lower_row("L6", ori="B9", sup="D9", MOF_DIV_CODE=COUNTY, FISCAL_YEAR="2025"),
]


def _maybe(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(["", *values])


@st.composite
def upper_rows(draw: st.DrawFn) -> Row:
    upper, lower = draw(st.sampled_from(PAIRS))
    return {
        "BGT_ID": draw(st.sampled_from(IDS)),
        "MOF_DIV_CODE": upper,
        "REC_DIV_CODE": lower,
        "FISCAL_YEAR": draw(st.sampled_from(["2026", "2026", "2025"])),
        "COR_BGT_DOC_NO": draw(_maybe(DOCS)),
        "BGT_DOC_TITLE": draw(st.sampled_from(["标题甲", "标题乙"])),
        "DOC_DATE": draw(st.sampled_from(["", "2026-03-01", "20260302"])),
        "FUND_TYPE_CODE": draw(_maybe(["111", "121"])),
        "TP_FUNC_CODE": draw(st.sampled_from(["2300409", "2300410"])),
        "IS_TRACK": draw(_maybe(["1", "2"])),
        "AMOUNT": draw(st.sampled_from(AMOUNTS)),
        "IS_DELETED": draw(st.sampled_from(["2", "2", "2", "1", ""])),
        "CREATE_TIME": draw(st.sampled_from(TIMES)),
    }


@st.composite
def lower_rows(draw: st.DrawFn) -> Row:
    return {
        "BGT_ID": draw(st.sampled_from([f"L{i}" for i in range(6)])),
        "MOF_DIV_CODE": draw(st.sampled_from([CITY, COUNTY])),
        "FISCAL_YEAR": draw(st.sampled_from(["2026", "2026", "2025"])),
        "SUP_BGT_DOC_NO": draw(_maybe(DOCS)),
        "BGT_DOC_TITLE": draw(st.sampled_from(["标题甲", "标题乙"])),
        "DOC_DATE": draw(st.sampled_from(["", "2026-03-01", "2026-03-02"])),
        "FUND_TYPE_CODE": draw(_maybe(["111", "121"])),
        "TP_FUNC_CODE": draw(st.sampled_from(["2300409", "2300410"])),
        "IS_TRACK": draw(_maybe(["1", "2"])),
        "AMOUNT": draw(st.sampled_from(AMOUNTS)),
        "ORI_BGT_ID": draw(_maybe([*IDS, "GHOST"])),
        "IS_DELETED": draw(st.sampled_from(["2", "2", "2", "1"])),
    }


@example(upper=EVERY_TYPE_UPPER, lower=EVERY_TYPE_LOWER, hours=48)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    upper=st.lists(upper_rows(), max_size=14),
    lower=st.lists(lower_rows(), max_size=14),
    hours=st.sampled_from([0, 48, 24 * 90]),
)
def test_duckdb_engine_matches_reference_engine(upper: list[Row], lower: list[Row], hours: int) -> None:
    _assert_engines_agree(upper, lower, hours)


@st.composite
def document_ledgers(draw: st.DrawFn) -> tuple[list[Row], list[Row]]:
    """One pair and year, few documents, mostly no ORI_BGT_ID: many multi-line document groups."""
    ids = st.sampled_from([f"B{i}" for i in range(30)])
    docs = st.sampled_from(DOCS[:2])
    amounts = st.sampled_from(AMOUNTS)
    upper = [
        {**base, "BGT_ID": draw(ids), "COR_BGT_DOC_NO": draw(docs), "AMOUNT": draw(amounts)}
        for base in draw(st.lists(upper_rows(), max_size=12))
    ]
    lower = [
        {**base, "ORI_BGT_ID": draw(st.sampled_from(["", "", "", "B1"])), "SUP_BGT_DOC_NO": draw(docs)}
        for base in draw(st.lists(lower_rows(), max_size=12))
    ]
    fixed = {"FISCAL_YEAR": "2026", "TP_FUNC_CODE": "2300409", "FUND_TYPE_CODE": "111", "IS_DELETED": "2"}
    return (
        [{**r, **fixed, "MOF_DIV_CODE": UPPER, "REC_DIV_CODE": CITY} for r in upper],
        [{**r, **fixed, "MOF_DIV_CODE": CITY} for r in lower],
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers=document_ledgers())
def test_engines_agree_on_ledgers_of_multi_line_documents(ledgers: tuple[list[Row], list[Row]]) -> None:
    _assert_engines_agree(*ledgers, hours=48)


def _assert_engines_agree(upper: list[Row], lower: list[Row], hours: int) -> None:
    with TemporaryDirectory() as tmp:
        upper_path = write_csv(Path(tmp) / "u.csv", UPPER_HEADER, upper)
        lower_path = write_csv(Path(tmp) / "l.csv", LOWER_HEADER, lower)
        window = timedelta(hours=hours)
        fast = reconcile_indicator_files(upper_path, lower_path, as_of=AS_OF, in_transit_window=window)
        slow = reconcile_files_reference(upper_path, lower_path, as_of=AS_OF, in_transit_window=window)
    assert fast.pairs == slow.pairs
    assert fast.breaks == slow.breaks
    assert fast.in_transit == slow.in_transit


def test_the_explicit_example_holds_every_break_type(tmp_path: Path) -> None:
    upper_path = write_csv(tmp_path / "u.csv", UPPER_HEADER, EVERY_TYPE_UPPER)
    lower_path = write_csv(tmp_path / "l.csv", LOWER_HEADER, EVERY_TYPE_LOWER)
    report = reconcile_indicator_files(upper_path, lower_path, as_of=AS_OF)
    assert {b.type for b in (*report.breaks, *report.in_transit)} == set(INDICATOR_BREAK_TYPES)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(upper=st.lists(upper_rows(), max_size=14), lower=st.lists(lower_rows(), max_size=14))
@example(upper=EVERY_TYPE_UPPER, lower=EVERY_TYPE_LOWER)
def test_tables_in_a_database_file_give_the_same_report(upper: list[Row], lower: list[Row]) -> None:
    """A large input is loaded into a database file (compressed) instead of memory: same report."""
    with TemporaryDirectory() as tmp:
        upper_path = write_csv(Path(tmp) / "u.csv", UPPER_HEADER, upper)
        lower_path = write_csv(Path(tmp) / "l.csv", LOWER_HEADER, lower)
        reports = [
            reconcile_indicator_files(
                upper_path, lower_path, as_of=AS_OF, settings=EngineSettings(storage=storage)
            )
            for storage in ("memory", "disk")
        ]
    assert reports[0] == reports[1]


def test_storage_follows_the_input_size_against_the_memory_limit() -> None:
    assert size_bytes("3GB") == 3 * 10**9
    assert size_bytes("512 MiB") == 512 * 2**20
    assert size_bytes("lots") is None
    limit = EngineSettings(memory_limit="1GB")
    assert not tables_on_disk(limit, int(DISK_SHARE * 10**9))
    assert tables_on_disk(limit, int(DISK_SHARE * 10**9) + 1)
    assert not tables_on_disk(EngineSettings(memory_limit="1GB", storage="memory"), 10**12)
    assert tables_on_disk(EngineSettings(storage="disk"), 0)
