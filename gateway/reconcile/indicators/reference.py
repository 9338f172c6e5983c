"""The pure-Python REFERENCE indicator engine: the semantics of issue #5, one readable rule at a time.

It builds one Python object per row and is meant for tests and small inputs only; the columnar engine
(:mod:`gateway.reconcile.indicators.duckdb_engine`) must give exactly the same report, which a property test
checks on random ledgers. The rules, in order:

0. Rows with IS_DELETED = 1 are ignored. An upper row belongs to the pair (MOF_DIV_CODE, REC_DIV_CODE,
   FISCAL_YEAR). A lower row (MOF_DIV_CODE = the lower) belongs to the upper that issued the indicator its
   ORI_BGT_ID names (to this lower, this year); else the upper that issued its SUP_BGT_DOC_NO to it this
   year; else the upper that issued anything to it; else its parent division by code. Ties → lowest code.
1. DUPLICATE: a BGT_ID twice for one upper and year, or an ORI_BGT_ID twice for one lower and year; one
   break per key, and those rows take no further part.
2. Match by id: lower ORI_BGT_ID = upper BGT_ID within the pair.
3. Then by document: remaining rows with a document number, grouped (COR_BGT_DOC_NO | SUP_BGT_DOC_NO,
   TP_FUNC_CODE, FUND_TYPE_CODE) with amounts summed; groups with equal keys match.
4. AMOUNT_MISMATCH on a matched id or group whose amounts differ; ATTRIBUTE_MISMATCH on an id match with
   equal amounts but differing compared attributes. Group matches compare amounts only.
5. Unmatched upper rows: IN_TRANSIT if CREATE_TIME is after as-of − window, else MISSING_IN_LOWER.
   Unmatched lower rows: MISSING_IN_UPPER.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from gateway.reconcile.breaks import Break, BreakType, FieldDifference
from gateway.reconcile.errors import BadValueError, MissingColumnsError
from gateway.reconcile.indicators.ledger_columns import (
    COLUMN_NAMES_ZH,
    COMPARED_ATTRIBUTES,
    REQUIRED_COLUMNS,
    CellError,
    LedgerRow,
    Side,
    in_transit_cutoff,
    parent_division_fallback,
    parse_amount,
    parse_code9,
    parse_create_time,
    parse_deleted,
    parse_doc_date,
    parse_required,
    parse_year,
)
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary, empty_counts
from gateway.reconcile.snapshot_files import iter_records

ZERO = Decimal("0.00")
_T = TypeVar("_T")
Pair = tuple[str, str, int]
GroupKey = tuple[str, str, int, str, str, str]


def load_ledger(path: Path, side: Side) -> list[LedgerRow]:
    """Read and validate a whole snapshot; the first malformed cell raises :class:`BadValueError`."""
    return list(iter_ledger(path, side))


def iter_ledger(path: Path, side: Side) -> Iterator[LedgerRow]:
    """Stream validated rows in file order (bounded memory: used to locate errors in big files)."""
    checked_header = False
    for line, record in iter_records(path):
        if not checked_header:
            missing = [c for c in REQUIRED_COLUMNS[side] if c not in record]
            if missing:
                raise MissingColumnsError(str(path), missing, COLUMN_NAMES_ZH)
            checked_header = True
        if not any(v is not None for v in record.values()):
            continue
        yield _parse_row(path, side, line, record)


def check_record(source: str, side: Side, line: int, record: dict[str, str | None]) -> LedgerRow:
    """One snapshot row (cells by column name) through the cell rules; :class:`BadValueError` names
    ``source``, ``line`` and the column of the first malformed cell."""
    return _parse_row(Path(source), side, line, record)


def _cell(
    path: Path, line: int, record: dict[str, str | None], column: str, parse: Callable[[str | None], _T]
) -> _T:
    try:
        return parse(record.get(column))
    except CellError as exc:
        raise BadValueError(str(path), line, column, str(exc)) from None


def _parse_row(path: Path, side: Side, line: int, record: dict[str, str | None]) -> LedgerRow:
    def text(column: str) -> str | None:
        return record.get(column)

    return LedgerRow(
        line=line,
        bgt_id=_cell(path, line, record, "BGT_ID", parse_required),
        mof_div_code=_cell(path, line, record, "MOF_DIV_CODE", parse_code9),
        rec_div_code=(
            _cell(path, line, record, "REC_DIV_CODE", parse_code9)
            if side is Side.UPPER
            else text("REC_DIV_CODE")
        ),
        fiscal_year=_cell(path, line, record, "FISCAL_YEAR", parse_year),
        cor_bgt_doc_no=text("COR_BGT_DOC_NO"),
        sup_bgt_doc_no=text("SUP_BGT_DOC_NO"),
        bgt_doc_title=text("BGT_DOC_TITLE"),
        doc_date=_cell(path, line, record, "DOC_DATE", parse_doc_date),
        pro_code=text("PRO_CODE"),
        fund_type_code=text("FUND_TYPE_CODE"),
        tp_func_code=text("TP_FUNC_CODE"),
        gov_bgt_eco_code=text("GOV_BGT_ECO_CODE"),
        distri_type_code=text("DISTRI_TYPE_CODE"),
        is_track=text("IS_TRACK"),
        amount=_cell(path, line, record, "AMOUNT", parse_amount),
        ori_bgt_id=text("ORI_BGT_ID"),
        is_deleted=_cell(path, line, record, "IS_DELETED", parse_deleted),
        create_time=_cell(path, line, record, "CREATE_TIME", parse_create_time),
    )


def _attributes(row: LedgerRow, side: Side) -> tuple[str | None, ...]:
    doc_no = row.cor_bgt_doc_no if side is Side.UPPER else row.sup_bgt_doc_no
    return (
        row.bgt_doc_title,
        doc_no,
        row.doc_date,
        row.pro_code,
        row.fund_type_code,
        row.tp_func_code,
        row.gov_bgt_eco_code,
        row.distri_type_code,
        row.is_track,
    )


def _field_differences(up: LedgerRow, low: LedgerRow) -> tuple[FieldDifference, ...]:
    pairs = zip(COMPARED_ATTRIBUTES, _attributes(up, Side.UPPER), _attributes(low, Side.LOWER), strict=True)
    return tuple(FieldDifference(name, u, v) for name, u, v in pairs if u != v)


def _min_or_none(values: Sequence[str | None]) -> str | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _key(kind: BreakType, pair: Pair, ident: str) -> str:
    return f"{kind}|{pair[0]}|{pair[1]}|{pair[2]}|{ident}"


def _attribute_lower_rows(upper: Sequence[LedgerRow], lower: Sequence[LedgerRow]) -> list[str]:
    by_id: dict[tuple[str | None, int, str], str] = {}
    by_doc: dict[tuple[str | None, int, str], str] = {}
    by_lower: dict[str | None, str] = {}
    for r in upper:
        id_key = (r.rec_div_code, r.fiscal_year, r.bgt_id)
        by_id[id_key] = min(by_id.get(id_key, r.mof_div_code), r.mof_div_code)
        if r.cor_bgt_doc_no is not None:
            doc_key = (r.rec_div_code, r.fiscal_year, r.cor_bgt_doc_no)
            by_doc[doc_key] = min(by_doc.get(doc_key, r.mof_div_code), r.mof_div_code)
        by_lower[r.rec_div_code] = min(by_lower.get(r.rec_div_code, r.mof_div_code), r.mof_div_code)
    result: list[str] = []
    for r in lower:
        found = by_id.get((r.mof_div_code, r.fiscal_year, r.ori_bgt_id)) if r.ori_bgt_id is not None else None
        if found is None and r.sup_bgt_doc_no is not None:
            found = by_doc.get((r.mof_div_code, r.fiscal_year, r.sup_bgt_doc_no))
        if found is None:
            found = by_lower.get(r.mof_div_code)
        result.append(found if found is not None else parent_division_fallback(r.mof_div_code))
    return result


def reconcile_rows(
    upper_rows: Sequence[LedgerRow],
    lower_rows: Sequence[LedgerRow],
    *,
    as_of: datetime,
    in_transit_window: timedelta = timedelta(hours=48),
) -> IndicatorReport:
    """Reconcile validated rows (in file order) as of ``as_of`` (timezone-aware)."""
    cutoff = in_transit_cutoff(as_of, in_transit_window)
    upper = [r for r in upper_rows if not r.is_deleted]
    lower = [r for r in lower_rows if not r.is_deleted]
    lower_upper = _attribute_lower_rows(upper, lower)
    out: list[Break] = []

    # 1. duplicates
    upper_groups: dict[tuple[str, int, str], list[LedgerRow]] = defaultdict(list)
    for r in upper:
        upper_groups[(r.mof_div_code, r.fiscal_year, r.bgt_id)].append(r)
    for (u, year, bgt_id), rows in upper_groups.items():
        if len(rows) > 1:
            pair = (u, min(r.rec_div_code or "" for r in rows), year)
            total = sum((r.amount for r in rows), ZERO)
            doc = _min_or_none([r.cor_bgt_doc_no for r in rows])
            key = _key(BreakType.DUPLICATE, pair, f"upper-id:{bgt_id}")
            out.append(Break(BreakType.DUPLICATE, key, *pair, bgt_id, None, doc, total, None, None))
    lower_groups: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for i, r in enumerate(lower):
        if r.ori_bgt_id is not None:
            lower_groups[(r.mof_div_code, r.fiscal_year, r.ori_bgt_id)].append(i)
    for (lower_code, year, ori), idx in lower_groups.items():
        if len(idx) > 1:
            pair = (min(lower_upper[i] for i in idx), lower_code, year)
            total = sum((lower[i].amount for i in idx), ZERO)
            doc = _min_or_none([lower[i].sup_bgt_doc_no for i in idx])
            key = _key(BreakType.DUPLICATE, pair, f"lower-ori:{ori}")
            out.append(Break(BreakType.DUPLICATE, key, *pair, ori, None, doc, None, total, None))
    upper_ok = [
        (j, r)
        for j, r in enumerate(upper)
        if len(upper_groups[(r.mof_div_code, r.fiscal_year, r.bgt_id)]) == 1
    ]
    lower_ok = [
        i
        for i, r in enumerate(lower)
        if r.ori_bgt_id is None or len(lower_groups[(r.mof_div_code, r.fiscal_year, r.ori_bgt_id)]) == 1
    ]

    # 2. match by id
    upper_index = {(r.mof_div_code, r.rec_div_code or "", r.fiscal_year, r.bgt_id): j for j, r in upper_ok}
    matched_upper: set[int] = set()
    matched_lower: set[int] = set()
    for i in lower_ok:
        low = lower[i]
        if low.ori_bgt_id is None:
            continue
        pair = (lower_upper[i], low.mof_div_code, low.fiscal_year)
        j = upper_index.get((*pair, low.ori_bgt_id))
        if j is None:
            continue
        up = upper[j]
        matched_upper.add(j)
        matched_lower.add(i)
        fields = _field_differences(up, low)
        if up.amount != low.amount:
            kind = BreakType.AMOUNT_MISMATCH
        elif fields:
            kind = BreakType.ATTRIBUTE_MISMATCH
        else:
            continue
        key = _key(kind, pair, f"id:{up.bgt_id}")
        diff = up.amount - low.amount
        out.append(
            Break(
                kind,
                key,
                *pair,
                up.bgt_id,
                low.bgt_id,
                up.cor_bgt_doc_no,
                up.amount,
                low.amount,
                diff,
                fields,
            )
        )

    # 3. match by document group
    upper_docs: dict[GroupKey, list[int]] = defaultdict(list)
    for j, r in upper_ok:
        if j not in matched_upper and r.cor_bgt_doc_no is not None:
            gk = (r.mof_div_code, r.rec_div_code or "", r.fiscal_year, r.cor_bgt_doc_no)
            upper_docs[(*gk, r.tp_func_code or "", r.fund_type_code or "")].append(j)
    lower_docs: dict[GroupKey, list[int]] = defaultdict(list)
    for i in lower_ok:
        r = lower[i]
        if i not in matched_lower and r.sup_bgt_doc_no is not None:
            gk = (lower_upper[i], r.mof_div_code, r.fiscal_year, r.sup_bgt_doc_no)
            lower_docs[(*gk, r.tp_func_code or "", r.fund_type_code or "")].append(i)
    for gkey in upper_docs.keys() & lower_docs.keys():
        ups, lows = [upper[j] for j in upper_docs[gkey]], [lower[i] for i in lower_docs[gkey]]
        matched_upper.update(upper_docs[gkey])
        matched_lower.update(lower_docs[gkey])
        up_total = sum((r.amount for r in ups), ZERO)
        low_total = sum((r.amount for r in lows), ZERO)
        if up_total == low_total:
            continue
        pair = (gkey[0], gkey[1], gkey[2])
        key = _key(BreakType.AMOUNT_MISMATCH, pair, f"doc:{gkey[3]}|{gkey[4]}|{gkey[5]}")
        group_bgt_id = ups[0].bgt_id if len(ups) == 1 else None
        lower_bgt_id = lows[0].bgt_id if len(lows) == 1 else None
        out.append(
            Break(
                BreakType.AMOUNT_MISMATCH,
                key,
                *pair,
                group_bgt_id,
                lower_bgt_id,
                gkey[3],
                up_total,
                low_total,
                up_total - low_total,
            )
        )

    # 5. unmatched
    for j, r in upper_ok:
        if j in matched_upper:
            continue
        pair = (r.mof_div_code, r.rec_div_code or "", r.fiscal_year)
        transit = r.create_time is not None and r.create_time > cutoff
        kind = BreakType.IN_TRANSIT if transit else BreakType.MISSING_IN_LOWER
        key = _key(kind, pair, f"id:{r.bgt_id}")
        out.append(Break(kind, key, *pair, r.bgt_id, None, r.cor_bgt_doc_no, r.amount, None, None))
    seen: Counter[str] = Counter()
    for i in lower_ok:
        if i in matched_lower:
            continue
        r = lower[i]
        pair = (lower_upper[i], r.mof_div_code, r.fiscal_year)
        key = _key(BreakType.MISSING_IN_UPPER, pair, f"lower-id:{r.bgt_id}")
        seen[key] += 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        out.append(
            Break(
                BreakType.MISSING_IN_UPPER, key, *pair, None, r.bgt_id, r.sup_bgt_doc_no, None, r.amount, None
            )
        )

    return _assemble(as_of, in_transit_window, upper, lower, lower_upper, out)


def _assemble(
    as_of: datetime,
    window: timedelta,
    upper: Sequence[LedgerRow],
    lower: Sequence[LedgerRow],
    lower_upper: Sequence[str],
    found: list[Break],
) -> IndicatorReport:
    counts: dict[Pair, list[int]] = defaultdict(lambda: [0, 0])
    totals: dict[Pair, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for r in upper:
        pair = (r.mof_div_code, r.rec_div_code or "", r.fiscal_year)
        counts[pair][0] += 1
        totals[pair][0] += r.amount
    for r, u in zip(lower, lower_upper, strict=True):
        pair = (u, r.mof_div_code, r.fiscal_year)
        counts[pair][1] += 1
        totals[pair][1] += r.amount
    per_pair: dict[Pair, dict[BreakType, int]] = defaultdict(empty_counts)
    for b in found:
        per_pair[(b.upper, b.lower, b.fiscal_year)][b.type] += 1
    pairs = tuple(
        PairSummary(
            *pair,
            upper_count=counts[pair][0],
            lower_count=counts[pair][1],
            upper_amount=totals[pair][0],
            lower_amount=totals[pair][1],
            break_counts=per_pair[pair],
        )
        for pair in sorted(counts)
    )
    ordered = sorted(found, key=Break.sort_key)
    return IndicatorReport(
        as_of=as_of,
        in_transit_window=window,
        pairs=pairs,
        breaks=tuple(b for b in ordered if b.type is not BreakType.IN_TRANSIT),
        in_transit=tuple(b for b in ordered if b.type is BreakType.IN_TRANSIT),
    )


def reconcile_files_reference(
    upper_path: Path,
    lower_path: Path,
    *,
    as_of: datetime,
    in_transit_window: timedelta = timedelta(hours=48),
) -> IndicatorReport:
    """Load both snapshots row by row and reconcile them with the reference rules (small inputs only)."""
    return reconcile_rows(
        load_ledger(upper_path, Side.UPPER),
        load_ledger(lower_path, Side.LOWER),
        as_of=as_of,
        in_transit_window=in_transit_window,
    )
