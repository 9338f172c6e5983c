"""The pure-Python REFERENCE statement engine: the rules, one readable step at a time.

For tests and small inputs only; :mod:`gateway.reconcile.statements.duckdb_engine` must give exactly the
same report, which a property test checks. All amounts are integer fen.

**What a 3501 / 3502 is compared with** (its *source*), by its ``EVoucherType`` first, then its VtCode:

* ``EVoucherType`` 2301 / 2302 — the details name clearing documents (``C2301`` / ``C2302``): held = the
  2301 / 2302 lines of that ``ClearingNo`` dated ``CheckDate`` (their ``PayAmt`` summed); known = any line
  of that ClearingNo and VtCode;
* else a 3502 (人民银行与代理银行凭证对账) — the details name payment vouchers the agency bank paid (``R``):
  held = the 回单 of that voucher whose pay day (``XPayDate``, else the 回单's VouDate) is ``CheckDate``
  (``XPayAmt`` summed); known = a 5201 / 8202 voucher of that number the gateway holds;
* else a 3501 (人民银行与财政凭证对账) — payment vouchers PBOC cleared (``V``): held = the clearing lines
  naming that voucher dated ``CheckDate`` (2301 lines minus |2302 lines|); known = a voucher we hold.

Only held facts of known vouchers count (a 回单 for a voucher finance never sent is the payment kind's
break). A *group* is (AdmDivCode, VtCode, source, bank, CheckDate) with bank = the 3502's ``PayBankCode``
(a 3501 covers the whole division: bank ``""``). Per group, ``listed`` = the details' ``Amt`` summed per
VoucherNo over its statements; ``held`` = the facts of that source, division and day summed per ident,
whatever their bank (the number names the voucher or document); ``covered`` = the same over the facts of
the group's bank only (a fact's bank is the group's, or either is ``""``: banks spell their codes
differently — a 2301 carries the 12-digit 行号 — so a fact of another spelling is never called omitted):

1. ``STATEMENT_UNKNOWN``: a listed VoucherNo we do not know; difference = the listed amount.
2. ``STATEMENT_AMOUNT_MISMATCH``: a known listed VoucherNo whose listed amount ≠ held (0 when nothing is
   held that day; held amount then ``None``); difference = listed − held.
3. ``STATEMENT_OMITTED``: a covered ident with a non-zero amount that no statement of the group lists;
   difference = −covered. Its statement is the group's first (smallest number).
4. ``STATEMENT_TOTALS``: per statement, ``AllNum`` ≠ its number of details or ``AllAmt`` ≠ their sum;
   statement amount = AllAmt, held = the details' sum.
5. ``QUOTA_IDENTITY``: a 3510 / 5510 line (header 0 or detail) with PreDateMoney + ClearAmt − CurReckMoney
   ≠ CurDateMoney; ident ``quota:<no>#<line>``.
6. ``QUOTA_CLEARED_MISMATCH``: the header of a one-day statement (BeginDate = EndDate) whose
   ``CurReckMoney`` 本期已清算额度 ≠ the division's net clearing that day (2301 lines minus |2302 lines|;
   held ``None`` when there is none); a longer period is not checked (its other days' clearing may be
   anywhere).

The first statement listing a voucher (smallest number) is the break's; its fields name every statement
listing it and the details' ``ProState`` values (kept, not interpreted: their value list was NOT FOUND).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from gateway.reconcile.statements.columns import StatementInputs
from gateway.reconcile.statements.report import FoundRow, StatementReport, SummaryRow, assemble_report


def statement_source(vt_code: str, e_voucher_type: str) -> str:
    """What a 3501 / 3502 is compared with (see the module docstring)."""
    if e_voucher_type in ("2301", "2302"):
        return "C" + e_voucher_type
    return "R" if vt_code == "3502" else "V"


def group_bank(vt_code: str, bank: str) -> str:
    """The bank a statement's group covers: the 3502's PayBankCode; a 3501 covers the division."""
    return bank if vt_code == "3502" else ""


def covers(group_bank_code: str, fact_bank: str) -> bool:
    return not group_bank_code or not fact_bank or group_bank_code == fact_bank


@dataclass
class _Listed:
    amount: int = 0
    statements: set[str] = field(default_factory=set)
    states: set[str] = field(default_factory=set)


def reconcile_statements_reference(inputs: StatementInputs, *, as_of: datetime) -> StatementReport:
    """Reconcile in-memory inputs with the reference rules."""
    inputs.check()
    vouchers = set(inputs.vouchers.rows())
    clearing_docs = {(a, "C" + vt, c) for a, vt, c, _n, _d, _b, _x in inputs.clearing.rows()}
    facts: list[tuple[str, str, str, str, date, int]] = []  # (source, adm, ident, bank, day, amount)
    for a, n, b, d, x in inputs.receipts.rows():
        if (a, n) in vouchers:
            facts.append(("R", a, n, b, d, x))
    for a, vt, c, n, d, b, x in inputs.clearing.rows():
        if (a, n) in vouchers:
            facts.append(("V", a, n, b, d, x if vt == "2301" else -abs(x)))
        facts.append(("C" + vt, a, c, b, d, x))

    def known(source: str, adm: str, ident: str) -> bool:
        if source in ("R", "V"):
            return (adm, ident) in vouchers
        return (adm, source, ident) in clearing_docs

    found: list[FoundRow] = []
    summaries: list[SummaryRow] = []
    heads = list(inputs.statements.rows())
    details: dict[tuple[str, str, str], list[tuple[str, int, str]]] = defaultdict(list)
    for a, vt, s, n, x, p in inputs.details.rows():
        details[(a, vt, s)].append((n, x, p))
    groups: dict[tuple[str, str, str, str, date], list[str]] = defaultdict(list)
    for a, vt, s, day, bank, etype, all_num, all_amt in heads:
        own = details[(a, vt, s)]
        count, total = len(own), sum(x for _n, x, _p in own)
        summaries.append((a, vt, s, day, bank, etype, all_num, all_amt, count, total))
        gkey = (a, vt, statement_source(vt, etype), group_bank(vt, bank), day)
        groups[gkey].append(s)
        if count != all_num or total != all_amt:
            found.append(
                (
                    "STATEMENT_TOTALS",
                    a,
                    vt,
                    gkey[3],
                    day,
                    s,
                    f"statement:{s}",
                    s,
                    all_amt,
                    total,
                    all_amt - total,
                    None,
                    None,
                    (all_num, count),
                    None,
                )
            )
    for (a, vt, source, gbank, day), numbers in groups.items():
        listed: dict[str, _Listed] = defaultdict(_Listed)
        for s in numbers:
            for n, x, p in details[(a, vt, s)]:
                item = listed[n]
                item.amount += x
                item.statements.add(s)
                item.states.add(p)
        held: dict[str, int] = {}
        covered: dict[str, int] = {}
        for f_source, f_adm, ident, f_bank, f_day, amount in facts:
            if f_source == source and f_adm == a and f_day == day:
                held[ident] = held.get(ident, 0) + amount
                if covers(gbank, f_bank):
                    covered[ident] = covered.get(ident, 0) + amount
        for n, item in listed.items():
            nos = sorted(item.statements)
            common = (a, vt, gbank, day, nos[0], f"{source}:{n}", n)
            tail = (nos, sorted(item.states), None, None)
            if not known(source, a, n):
                found.append(("STATEMENT_UNKNOWN", *common, item.amount, None, item.amount, *tail))
            elif item.amount != held.get(n, 0):
                h = held.get(n)
                diff = item.amount - (h or 0)
                found.append(("STATEMENT_AMOUNT_MISMATCH", *common, item.amount, h, diff, *tail))
        first = min(numbers)
        for ident, amount in covered.items():
            if ident not in listed and amount != 0:
                common = (a, vt, gbank, day, first, f"{source}:{ident}", ident)
                found.append(("STATEMENT_OMITTED", *common, None, amount, -amount, None, None, None, None))

    cleared: dict[tuple[str, date], int] = {}
    for a, vt, _c, _n, d, _b, x in inputs.clearing.rows():
        cleared[(a, d)] = cleared.get((a, d), 0) + (x if vt == "2301" else -abs(x))
    quota_lines: dict[tuple[str, str], int] = defaultdict(int)
    for a, vt, s, line, begin, end, bank, pre, clr, reck, cur in inputs.quota.rows():
        balances = (pre, clr, reck, cur)
        if line > 0:
            quota_lines[(a, s)] += 1
        diff = pre + clr - reck - cur
        if diff != 0:
            found.append(
                (
                    "QUOTA_IDENTITY",
                    a,
                    vt,
                    bank,
                    end,
                    s,
                    f"quota:{s}#{line}",
                    s,
                    None,
                    None,
                    diff,
                    None,
                    None,
                    None,
                    balances,
                )
            )
        if line == 0 and begin == end:
            day_cleared = cleared.get((a, end))
            if reck != (day_cleared or 0):
                found.append(
                    (
                        "QUOTA_CLEARED_MISMATCH",
                        a,
                        vt,
                        bank,
                        end,
                        s,
                        f"quota:{s}",
                        s,
                        reck,
                        day_cleared,
                        reck - (day_cleared or 0),
                        None,
                        None,
                        None,
                        balances,
                    )
                )
    for a, vt, s, line, _begin, end, bank, _pre, _clr, reck, _cur in inputs.quota.rows():
        if line == 0:
            n = quota_lines[(a, s)]
            summaries.append((a, vt, s, end, bank, "", n, None, n, reck))
    return assemble_report(as_of, summaries, found)
