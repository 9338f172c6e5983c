"""A pair's reconciliation read (issue 16): the index-driven selection gives exactly the rows, in the order
and the bytes, of the single-statement selection it replaced, on random ledgers with duplicates across lowers,
other years' issuers, other issuers to the lower, deleted rows and separators in cells (SQLite, and
PostgreSQL with FISCALGW_TEST_DATABASE_URL)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, Select, func, select, union

from gateway.reconcile.indicators.snapshot_columns import FIELD_SEPARATOR, SnapshotColumns
from gateway.rows import NewIndicator
from gateway.store.ledger import (
    EXPORT_COLUMNS,
    LedgerRepository,
    _export_columns,
    _packed_line,
    _write_csv,
)
from gateway.store.tables import ledger_indicators

UPPER, LOWER, YEAR = "330000000", "330301000", 2026
_UPPERS = [UPPER, "330100000", "340000000"]
_LOWERS = [LOWER, "330302000", "330303000"]
_AT = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)


def _legacy_selects(
    lower: str, upper: str, fiscal_year: int, columns: tuple[Any, ...]
) -> tuple[Select[Any], Select[Any]]:
    """The selection pair_columns / export_pair used before issue 16 (one statement per side)."""
    t = ledger_indicators
    live = [t.c.fiscal_year == fiscal_year, t.c.is_deleted.is_(False)]
    to_lower = select(t.c.id).where(t.c.counterparty == lower, t.c.side == "issued", *live)
    shared_ids = select(t.c.bgt_id).where(
        t.c.counterparty == lower, t.c.side == "issued", t.c.division == upper, *live
    )
    shared = select(t.c.id).where(
        t.c.division == upper, t.c.side == "issued", *live, t.c.bgt_id.in_(shared_ids)
    )
    any_year = (
        select(func.min(t.c.id))
        .where(t.c.counterparty == lower, t.c.side == "issued", t.c.is_deleted.is_(False))
        .group_by(t.c.division)
    )
    ids = union(to_lower, shared, any_year).subquery()
    upper_query = select(*columns).where(t.c.id.in_(select(ids.c[0]))).order_by(t.c.id)
    lower_query = (
        select(*columns).where(*live, t.c.side == "received", t.c.division == lower).order_by(t.c.id)
    )
    return upper_query, lower_query


def _legacy_columns(c: Connection, upper: str, lower: str, year: int) -> tuple[SnapshotColumns, ...]:
    packed = _legacy_selects(lower, upper, year, (_packed_line(_export_columns(c)),))
    out = []
    for index, query in enumerate(packed):
        snapshot = SnapshotColumns.packed(EXPORT_COLUMNS, list(c.execute(query).scalars()))
        if snapshot is None:
            plain = _legacy_selects(lower, upper, year, _export_columns(c))[index]
            snapshot = SnapshotColumns.from_rows(EXPORT_COLUMNS, [tuple(r) for r in c.execute(plain)])
        out.append(snapshot)
    return tuple(out)


def _random_ledger(rng: random.Random, count: int, separator: bool) -> list[NewIndicator]:
    bgt_ids = [f"BGT{n:05d}" for n in range(count // 3 + 1)]  # few: BGT_IDs repeat across rows
    rows = []
    for n in range(count):
        side = rng.choice(["issued", "issued", "issued", "received", "own"])
        division = rng.choice(_UPPERS if side == "issued" else [*_LOWERS, *_UPPERS])
        title = rng.choice([None, "", "标题", f"甲{FIELD_SEPARATOR}乙" if separator else "乙"])
        created = None if rng.random() < 0.2 else _AT - timedelta(seconds=rng.randrange(10**8))
        rows.append(
            NewIndicator(
                division=division,
                side=side,
                counterparty=rng.choice([*_LOWERS, None]) if side == "issued" else None,
                fiscal_year=rng.choice([YEAR, YEAR, YEAR - 1, YEAR + 1]),
                bgt_id=rng.choice(bgt_ids),
                ori_bgt_id=rng.choice([None, *bgt_ids[:5]]),
                cor_bgt_doc_no=rng.choice([None, f"文号{n}"]),
                sup_bgt_doc_no=rng.choice([None, "上级文号"]),
                bgt_doc_title=title,
                doc_date=rng.choice([None, "2026-01-15"]),
                pro_code=rng.choice([None, "P0001"]),
                fund_type_code="11",
                tp_func_code=rng.choice([None, "2010101"]),
                gov_bgt_eco_code=None,
                distri_type_code=rng.choice([None, "1"]),
                is_track=rng.choice([None, "1", "2"]),
                amount_fen=rng.randrange(-(10**15), 10**15),
                create_time=created,
                is_deleted=rng.random() < 0.15,
            )
        )
    return rows


@pytest.mark.parametrize("seed", range(6))
def test_pair_selection_equals_the_legacy_statement(engine: sa.Engine, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    with engine.begin() as c:
        LedgerRepository(c).add_many(_random_ledger(rng, 400, separator=seed % 3 == 2), _AT)
    compared = 0
    with engine.connect() as c:
        ledger = LedgerRepository(c)
        for upper in _UPPERS:
            for lower in _LOWERS:
                for year in (YEAR, YEAR - 1):
                    new = ledger.pair_columns(upper, lower, year)
                    old = _legacy_columns(c, upper, lower, year)
                    assert new == old, (upper, lower, year)
                    ledger.export_pair(upper, lower, year, tmp_path / "u.csv", tmp_path / "l.csv")
                    legacy_upper, legacy_lower = _legacy_selects(lower, upper, year, _export_columns(c))
                    _write_csv(c, legacy_upper, tmp_path / "old_u.csv")
                    _write_csv(c, legacy_lower, tmp_path / "old_l.csv")
                    assert (tmp_path / "u.csv").read_bytes() == (tmp_path / "old_u.csv").read_bytes()
                    assert (tmp_path / "l.csv").read_bytes() == (tmp_path / "old_l.csv").read_bytes()
                    compared += new[0].count
    assert compared > 100  # the random ledgers do put rows in the pairs compared


def test_duplicates_across_lowers_and_other_years_issuers_are_in_the_upper_side(engine: sa.Engine) -> None:
    rows = [
        _issued("340000000", LOWER, YEAR - 1, "OLD"),  # another year's issuer to the lower: one row of it
        _issued("340000000", LOWER, YEAR - 1, "OLD2"),  # … only one
        _issued(UPPER, LOWER, YEAR, "A"),
        _issued(UPPER, "330302000", YEAR, "A"),  # same BGT_ID to another lower: in
        _issued(UPPER, None, YEAR, "A"),  # no counterparty, same BGT_ID: in
        _issued(UPPER, "330302000", YEAR, "B"),  # another lower only: out
        _issued(UPPER, "330302000", YEAR, "A", deleted=True),  # deleted: out
        _issued(UPPER, "330302000", YEAR - 1, "A"),  # other year: out
    ]
    lines = _upper_side_cells(engine, rows)
    mof, bgt, rec = (EXPORT_COLUMNS.index(c) for c in ("MOF_DIV_CODE", "BGT_ID", "REC_DIV_CODE"))
    got = [(cells[mof], cells[bgt], cells[rec]) for cells in lines]
    assert got == [
        ("340000000", "OLD", LOWER),
        (UPPER, "A", LOWER),
        (UPPER, "A", "330302000"),
        (UPPER, "A", ""),
    ]


def _issued(division: str, lower: str | None, year: int, bgt_id: str, deleted: bool = False) -> NewIndicator:
    return NewIndicator(
        division=division,
        side="issued",
        counterparty=lower,
        fiscal_year=year,
        bgt_id=bgt_id,
        ori_bgt_id=None,
        cor_bgt_doc_no=None,
        sup_bgt_doc_no=None,
        bgt_doc_title=None,
        doc_date=None,
        pro_code=None,
        fund_type_code=None,
        tp_func_code=None,
        gov_bgt_eco_code=None,
        distri_type_code=None,
        is_track=None,
        amount_fen=100,
        create_time=None,
        is_deleted=deleted,
    )


def _upper_side_cells(engine: sa.Engine, rows: list[NewIndicator]) -> list[list[str]]:
    """``rows`` stored, then the cells of each line of the pair's upper snapshot, in order."""
    with engine.begin() as c:
        LedgerRepository(c).add_many(rows, _AT)
    with engine.connect() as c:
        upper, _lower = LedgerRepository(c).pair_columns(UPPER, LOWER, YEAR)
    assert upper.text is not None
    return [line.split(FIELD_SEPARATOR) for line in upper.text.split("\x1e")]


# BGT_IDs the bound array (PostgreSQL) and the JSON value (SQLite) must carry exactly: quotes, backslash,
# comma, braces, NULL as a word, spaces, CJK, a character outside the BMP (a surrogate pair in JSON).
_AWKWARD_BGT_IDS = ['A"1', "B\\2", "C,3", "{D}", "NULL", " E ", "指标甲", "F😀", "G'7"]


def test_shared_bgt_ids_with_awkward_characters_select_the_other_lowers_rows(engine: sa.Engine) -> None:
    rows = [_issued(UPPER, LOWER, YEAR, b) for b in _AWKWARD_BGT_IDS]
    rows += [_issued(UPPER, "330302000", YEAR, b) for b in _AWKWARD_BGT_IDS]  # the same BGT_IDs: all in
    rows += [_issued(UPPER, "330302000", YEAR, b + "x") for b in _AWKWARD_BGT_IDS]  # near misses: out
    lines = _upper_side_cells(engine, rows)
    bgt, rec = (EXPORT_COLUMNS.index(c) for c in ("BGT_ID", "REC_DIV_CODE"))
    got = [(cells[bgt], cells[rec]) for cells in lines]
    assert got == [(b, LOWER) for b in _AWKWARD_BGT_IDS] + [(b, "330302000") for b in _AWKWARD_BGT_IDS]
