"""Parse + validate throughput per wire format, against a plain parser on the same bytes in the same run.

    .venv/bin/python bench/adapters.py [--records 200] [--seconds 1.5] [--rounds 10] [--clock wall|cpu]
        [--only FORMAT ...]

For each format: documents/s and records/s of ``adapter.parse`` (decode, hardened parse, map columns, build
and validate every canonical model incl. code lists and cross-field rules), next to the reference parser
(``lxml.etree.fromstring`` for XML, ``json.loads``, ``csv.reader``, openpyxl read-only rows) and the ratio.
Table-driven: a format is one :class:`Case` in ``CASES``. Bounded: about ``2 × seconds`` per case.

Both sides run in alternating slices (``--rounds``) and the ratio is the median of the per-round ratios, so
that load from other jobs on a shared machine, which comes and goes, hits both sides alike; ``--clock cpu``
counts this process's CPU time instead of elapsed time. Before measuring, the script checks that the
adapter reads back exactly the messages it rendered.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.base import Document, Record
from adapters.registry import default_registry
from bench.payment_batches import clearing_package, lxml_outer_and_inner, voucher_batch
from schemas.indicators import TransferIndicator


def indicator_batch(records: int) -> Document:
    """``records`` realistic 浙江省 → 温州市 / 永嘉县 ISSUE rows."""
    rows = []
    for index in range(records):
        rows.append(
            Record(
                index,
                TransferIndicator(
                    bgt_id=f"3300002026ZJ{index:022d}",
                    mof_div_code="330000000",
                    mof_div_name="浙江省",
                    rec_div_code="330300000" if index % 2 else "330324000",
                    rec_div_name="温州市" if index % 2 else "永嘉县",
                    fiscal_year=2026,
                    cor_bgt_doc_no=f"浙财农〔2026〕{index % 90 + 1}号",
                    sup_bgt_doc_no="财农〔2025〕128号",
                    bgt_doc_title="关于下达2026年中央财政农业相关转移支付资金的通知",
                    doc_date=datetime(2026, 1, 20).date(),
                    bgt_dec="提前下达2026年农业相关转移支付资金",
                    pro_code=f"33000026{index:013d}",
                    pro_name="耕地地力保护补贴",
                    fund_type_code="111",
                    fund_type_name="一般公共预算资金",
                    tp_func_code="2130122",
                    tp_func_name="农业生产发展",
                    gov_bgt_eco_code="51301",
                    gov_bgt_eco_name="上下级政府间转移性支出",
                    budget_level_code="2",
                    distri_type_code="1",
                    is_dir="1",
                    is_track="1",
                    amount=Decimal(1_000_000 + index * 137) / 100,
                    is_deleted="2",
                    create_time=datetime(2026, 1, 20, 9, 30),
                ),
            )
        )
    return Document("bench", tuple(rows))


def _xlsx_rows(raw: bytes) -> int:
    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        return sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


@dataclass(frozen=True)
class Case:
    format: str
    """Registry format name; the sample is rendered by that adapter from ``sample(records)``."""
    reference_name: str
    reference: Callable[[bytes], object]
    sample: Callable[[int], Document] = indicator_batch


CASES: list[Case] = [
    Case("mof.xml", "lxml.etree.fromstring", etree.fromstring),
    Case("mof.json", "json.loads", json.loads),
    Case("csv", "csv.reader", lambda raw: list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))),
    Case("xlsx", "openpyxl read-only rows", _xlsx_rows),
    Case("evoucher", "lxml outer + inner vouchers", lxml_outer_and_inner, voucher_batch),
    Case("cfx", "lxml.etree.fromstring", etree.fromstring, clearing_package),
]


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
"""``wall``: elapsed time; ``cpu``: this process's CPU time (less disturbed by other jobs on the machine)."""


def rate(func: Callable[[], object], seconds: float, clock: Callable[[], float] = time.perf_counter) -> float:
    """Calls per second (of ``clock``) of ``func`` over about ``seconds`` (at least one call)."""
    count, start = 0, clock()
    deadline = start + seconds
    while True:
        func()
        count += 1
        now = clock()
        if now >= deadline:
            return count / (now - start)


@dataclass(frozen=True)
class Measurement:
    ours: float
    """Median calls/s of the adapter over the rounds."""
    theirs: float
    """Median calls/s of the reference over the rounds."""
    ratios: list[float]
    """ours / theirs per round, sorted."""

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def interleaved(
    ours: Callable[[], object],
    theirs: Callable[[], object],
    seconds: float,
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> Measurement:
    """Both sides measured in alternating slices of ``seconds / rounds`` (after one warm-up call each), so
    that load from other processes, which comes and goes, hits both alike; the ratio is taken per round."""
    ours()
    theirs()
    slice_ = seconds / rounds
    ours_rates, theirs_rates, ratios = [], [], []
    for _ in range(rounds):
        mine, reference = rate(ours, slice_, clock), rate(theirs, slice_, clock)
        ours_rates.append(mine)
        theirs_rates.append(reference)
        ratios.append(mine / reference)
    return Measurement(statistics.median(ours_rates), statistics.median(theirs_rates), sorted(ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="records per document (default 200)")
    parser.add_argument("--seconds", type=float, default=1.5, help="measuring time per side (default 1.5)")
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating slices per side the time is cut into (default 10)"
    )
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall", help="wall-clock or CPU time (default wall)"
    )
    parser.add_argument(
        "--only", action="append", metavar="FORMAT", help="measure only this format (repeatable)"
    )
    args = parser.parse_args()
    registry = default_registry()
    print(
        f"{args.records} records per document, {args.seconds:g} s ({args.clock} clock) per side in "
        f"{args.rounds} alternating rounds; rates and ratio are medians over the rounds"
    )
    print(
        f"{'format':<10} {'bytes':>9} {'docs/s':>9} {'records/s':>11}  {'reference':<28} {'docs/s':>9}"
        f"  {'ratio':>7}  {'range':>13}"
    )
    for case in CASES:
        if args.only and case.format not in args.only:
            continue
        adapter = registry.get(case.format)
        sample = case.sample(args.records)  # an e-voucher envelope holds at most 100 records
        raw = adapter.render(sample)
        parsed = adapter.parse(raw)
        assert parsed.messages == sample.messages, "the adapter must read back what it rendered"
        found = interleaved(
            lambda: adapter.parse(raw),  # noqa: B023
            lambda: case.reference(raw),  # noqa: B023
            args.seconds,
            args.rounds,
            CLOCKS[args.clock],
        )
        spread = f"{found.ratios[0]:.3f}–{found.ratios[-1]:.3f}"
        print(
            f"{case.format:<10} {len(raw):>9} {found.ours:>9.1f} {found.ours * len(sample.records):>11.0f}  "
            f"{case.reference_name:<28} {found.theirs:>9.1f}  {found.ratio:>6.3f}x  {spread:>13}"
        )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"cores: {os.cpu_count()}; load average at the end: {load} (other jobs may share the machine)")


if __name__ == "__main__":
    main()
