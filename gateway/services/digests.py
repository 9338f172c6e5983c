"""Reconciling two gateways without shipping whole ledgers (SPEC §8): SM3 digests of key-range buckets.

Every live ledger row of a pair (the upper's issued rows to the lower and the lower's received rows, one
fiscal year) has a key ``side|division|bgt_id`` and a canonical text (the BA_BGT_INFO fields reconciliation
compares, and the amount). A row's bucket is the key's position in the SM3 hash space cut into ``buckets``
equal ranges, so buckets are stable and evenly filled whatever the ids look like. A bucket's digest is the SM3
of its rows' canonical lines in sorted order; equal digests mean equal contents. Two gateways compare the
digests and fetch rows only for buckets that differ (:func:`compare_rows`).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.rows import IndicatorRow
from gateway.services.errors import BadRequest
from gateway.services.ports import ServiceContext
from gateway.services.reconciliation.indicators import pair_scope
from schemas.money import format_fen
from signing import sm3_hex

MAX_BUCKETS = 4096


@dataclass(frozen=True)
class BucketDigest:
    bucket: int
    count: int
    sm3: str


@dataclass(frozen=True)
class PairDigests:
    upper: str
    lower: str
    fiscal_year: int
    buckets: int
    digests: tuple[BucketDigest, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "upper": self.upper,
            "lower": self.lower,
            "fiscal_year": self.fiscal_year,
            "buckets": self.buckets,
            "digests": [{"bucket": d.bucket, "count": d.count, "sm3": d.sm3} for d in self.digests],
        }

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> PairDigests:
        return cls(
            str(body["upper"]),
            str(body["lower"]),
            int(body["fiscal_year"]),
            int(body["buckets"]),
            tuple(BucketDigest(int(d["bucket"]), int(d["count"]), str(d["sm3"])) for d in body["digests"]),
        )


@dataclass(frozen=True)
class RowDifference:
    """Rows of the differing buckets: keys only here, only there, or present on both with other contents."""

    differing_buckets: tuple[int, ...]
    rows_fetched: int
    only_local: tuple[str, ...] = ()
    only_remote: tuple[str, ...] = ()
    changed: tuple[dict[str, Any], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "differing_buckets": list(self.differing_buckets),
            "rows_fetched": self.rows_fetched,
            "only_local": list(self.only_local),
            "only_remote": list(self.only_remote),
            "changed": [dict(c) for c in self.changed],
        }


def row_key(row: IndicatorRow) -> str:
    return f"{row.side}|{row.division}|{row.bgt_id}"


def row_fields(row: IndicatorRow) -> dict[str, Any]:
    """The canonical fields of a row (what two gateways must agree on). CREATE_TIME is left out: without
    the column it is when each gateway received the row, which legitimately differs between gateways."""
    return {
        "SIDE": row.side,
        "BGT_ID": row.bgt_id,
        "MOF_DIV_CODE": row.division,
        "REC_DIV_CODE": row.counterparty,
        "FISCAL_YEAR": row.fiscal_year,
        "COR_BGT_DOC_NO": row.cor_bgt_doc_no,
        "SUP_BGT_DOC_NO": row.sup_bgt_doc_no,
        "BGT_DOC_TITLE": row.bgt_doc_title,
        "DOC_DATE": row.doc_date,
        "PRO_CODE": row.pro_code,
        "FUND_TYPE_CODE": row.fund_type_code,
        "TP_FUNC_CODE": row.tp_func_code,
        "GOV_BGT_ECO_CODE": row.gov_bgt_eco_code,
        "DISTRI_TYPE_CODE": row.distri_type_code,
        "IS_TRACK": row.is_track,
        "AMOUNT": format_fen(row.amount_fen),
        "ORI_BGT_ID": row.ori_bgt_id,
    }


def _line(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def bucket_of(key: str, buckets: int) -> int:
    """The key-range bucket of ``key``: its SM3 position (first 32 bits) scaled to ``buckets`` ranges."""
    return (int(sm3_hex(key.encode("utf-8"))[:8], 16) * buckets) >> 32


def _check(buckets: int) -> None:
    if not 1 <= buckets <= MAX_BUCKETS:
        raise BadRequest(f"buckets must be 1…{MAX_BUCKETS}")


def _keyed(rows: Iterable[IndicatorRow]) -> Iterable[tuple[str, dict[str, Any]]]:
    for row in rows:
        yield row_key(row), row_fields(row)


def pair_digests(gw: ServiceContext, upper: str, lower: str, fiscal_year: int, buckets: int) -> PairDigests:
    """Digests of every bucket (empty buckets included) of the pair's ledger rows in this gateway's store."""
    scope = pair_scope(upper, lower, fiscal_year)
    _check(buckets)
    lines: list[list[str]] = [[] for _ in range(buckets)]
    with gw.database.unit_of_work() as uow:
        for key, fields in _keyed(uow.ledger.pair_rows(scope.upper, scope.lower, scope.fiscal_year)):
            lines[bucket_of(key, buckets)].append(_line(fields))
    digests = tuple(
        BucketDigest(i, len(items), sm3_hex("\n".join(sorted(items)).encode("utf-8")))
        for i, items in enumerate(lines)
    )
    return PairDigests(scope.upper, scope.lower, scope.fiscal_year, buckets, digests)


def bucket_rows(
    gw: ServiceContext, upper: str, lower: str, fiscal_year: int, buckets: int, wanted: Iterable[int]
) -> list[dict[str, Any]]:
    """The canonical rows of the ``wanted`` buckets (each with its ``bucket``), in key order."""
    scope = pair_scope(upper, lower, fiscal_year)
    _check(buckets)
    chosen = set(wanted)
    if any(not 0 <= b < buckets for b in chosen):
        raise BadRequest(f"bucket numbers must be 0…{buckets - 1}")
    out: list[dict[str, Any]] = []
    with gw.database.unit_of_work() as uow:
        for key, fields in _keyed(uow.ledger.pair_rows(scope.upper, scope.lower, scope.fiscal_year)):
            bucket = bucket_of(key, buckets)
            if bucket in chosen:
                out.append({"key": key, "bucket": bucket, "fields": fields})
    return sorted(out, key=lambda r: (r["key"], _line(r["fields"])))


def differing_buckets(local: PairDigests, remote: PairDigests) -> tuple[int, ...]:
    if (local.upper, local.lower, local.fiscal_year, local.buckets) != (
        remote.upper,
        remote.lower,
        remote.fiscal_year,
        remote.buckets,
    ):
        raise BadRequest("the two digest sets cover different pairs or bucket counts")
    theirs = {d.bucket: d.sm3 for d in remote.digests}
    return tuple(d.bucket for d in local.digests if not hmac.compare_digest(theirs.get(d.bucket, ""), d.sm3))


def compare_rows(
    buckets: Iterable[int], local_rows: Iterable[Mapping[str, Any]], remote_rows: Iterable[Mapping[str, Any]]
) -> RowDifference:
    """What differs inside the differing buckets, by row key."""
    mine: dict[str, list[str]] = {}
    theirs: dict[str, list[str]] = {}
    fetched = 0
    for target, rows in ((mine, local_rows), (theirs, remote_rows)):
        for row in rows:
            target.setdefault(str(row["key"]), []).append(_line(row["fields"]))
            fetched += target is theirs
    changed = tuple(
        {"key": key, "local": sorted(mine[key]), "remote": sorted(theirs[key])}
        for key in sorted(mine.keys() & theirs.keys())
        if sorted(mine[key]) != sorted(theirs[key])
    )
    return RowDifference(
        tuple(sorted(buckets)),
        fetched,
        tuple(sorted(mine.keys() - theirs.keys())),
        tuple(sorted(theirs.keys() - mine.keys())),
        changed,
    )
