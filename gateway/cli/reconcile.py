"""``fiscalgw reconcile``: reconcile ledger snapshots from files (no running server needed).

``fiscalgw reconcile indicators --upper FILE --lower FILE [--as-of RFC3339] [--in-transit-hours N]
[--format json|csv|xlsx|html] [--out FILE] [--fail-on-breaks] [--quiet] [--columns MAP.toml]``

``fiscalgw reconcile payments --vouchers FILE [--receipts FILE] [--clearing FILE] [--quota FILE]
[--as-of RFC3339] [--unpaid-hours N] [--uncleared-hours N] [--format json|csv|xlsx|html] [--out FILE]
[--fail-on-breaks] [--quiet] [--columns MAP.toml]`` — each input option may be repeated; a file is a
CSV / XLSX snapshot or an e-voucher / CFX document (see :mod:`gateway.reconcile.payments.files`).

``--columns MAP.toml`` maps the files' own column names to the standard ones
(:mod:`gateway.reconcile.column_map`); ``fiscalgw reconcile template`` writes empty snapshot files
(:mod:`gateway.cli.reconcile_template`).

Exit codes: 0 when the run succeeded, whatever it found; 1 with ``--fail-on-breaks`` when any pair
(group) is 不一致 (IN_TRANSIT / awaiting payment or clearing alone is not a break); 2 for a usage or
input error (one line on stderr). Progress goes
to stderr unless ``--quiet``; the report goes to ``--out`` or stdout (XLSX needs ``--out``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gateway.cli import reconcile_remote, reconcile_template
from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError
from gateway.cli.ledger_files import column_map_option
from gateway.cli.progress import CLIProgress
from gateway.reconcile.column_map import applied
from gateway.reconcile.errors import ReconcileError
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files
from gateway.reconcile.indicators.ledger_columns import ALL_COLUMNS, COLUMN_NAMES_ZH, REQUIRED_COLUMNS, Side
from gateway.reconcile.indicators.report import STATUS_AGREE
from gateway.reconcile.payments.columns import PAYMENT_COLUMN_NAMES_ZH, Role, known_columns
from gateway.reconcile.payments.columns import REQUIRED_COLUMNS as PAYMENT_REQUIRED
from gateway.reconcile.payments.duckdb_engine import reconcile_payment_files
from gateway.reconcile.report.formats import BINARY_FORMATS, RENDERERS, AnyReport, render_report


def register(subparsers: Any) -> None:
    """Add ``reconcile indicators`` to the ``fiscalgw`` parser."""
    group = subparsers.add_parser("reconcile", help="reconcile ledgers from snapshot files")
    kinds = group.add_subparsers(dest="reconcile_kind", metavar="KIND")
    kinds.required = True
    indicators = kinds.add_parser(
        "indicators",
        help="upper- vs lower-level indicator ledgers (BA_BGT_INFO snapshots, CSV or XLSX)",
        description="上下级财政预算指标对账: compare the upper level's issued indicators with the lower "
        "level's received indicators. Exit 0 when the run succeeded (1 with --fail-on-breaks if any pair "
        "is 不一致), 2 on a usage or input error.",
        epilog=_indicator_columns_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    indicators.add_argument("--upper", required=True, metavar="FILE", help="upper level's snapshot")
    indicators.add_argument("--lower", required=True, metavar="FILE", help="lower level's snapshot")
    indicators.add_argument("--as-of", metavar="RFC3339", help="reconcile as of this time (default now)")
    indicators.add_argument(
        "--in-transit-hours", type=int, default=48, metavar="N", help="in-transit window (default 48)"
    )
    indicators.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="json",
        help="report format: %(choices)s (default %(default)s)",
    )
    indicators.add_argument("--out", metavar="FILE", help="write the report here (default stdout)")
    indicators.add_argument("--fail-on-breaks", action="store_true", help="exit 1 if any pair is 不一致")
    indicators.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _add_columns_option(indicators)
    indicators.set_defaults(handler=_indicators)
    reconcile_remote.register(kinds)  # ``reconcile remote``: bucket digests against another gateway
    payments = kinds.add_parser(
        "payments",
        help="finance vouchers vs bank receipts and refunds vs PBOC clearing (CSV, XLSX or e-voucher files)",
        description="国库集中支付三方对账: per division, agency bank and day, compare finance's payment "
        "vouchers (5201/8202) with the bank's 回单 and 2252 refunds and with PBOC clearing (2301/2302), and "
        "check 3510 quota statements. Each input option may be repeated. Exit 0 when the run succeeded "
        "(1 with --fail-on-breaks if any group is 不一致), 2 on a usage or input error.",
        epilog=_payment_columns_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    payments.add_argument(
        "--vouchers", required=True, action="append", metavar="FILE", help="finance's 5201/8202 vouchers"
    )
    payments.add_argument(
        "--receipts", action="append", default=[], metavar="FILE", help="bank 回单, 2252 refunds, 3502"
    )
    payments.add_argument(
        "--clearing", action="append", default=[], metavar="FILE", help="2301/2302 clearing (+回单, 3143)"
    )
    payments.add_argument(
        "--quota", action="append", default=[], metavar="FILE", help="3510/5510 quota statements"
    )
    payments.add_argument("--as-of", metavar="RFC3339", help="reconcile as of this time (default now)")
    payments.add_argument(
        "--unpaid-hours",
        type=int,
        default=24,
        metavar="N",
        help="payment window after the voucher day (default 24)",
    )
    payments.add_argument(
        "--uncleared-hours",
        type=int,
        default=24,
        metavar="N",
        help="clearing window after payment (default 24)",
    )
    payments.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="json",
        help="report format: %(choices)s (default %(default)s)",
    )
    payments.add_argument("--out", metavar="FILE", help="write the report here (default stdout)")
    payments.add_argument("--fail-on-breaks", action="store_true", help="exit 1 if any group is 不一致")
    payments.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _add_columns_option(payments)
    payments.set_defaults(handler=_payments)
    reconcile_template.register(kinds)  # ``reconcile template``: empty snapshot files to fill in


def _add_columns_option(parser: Any) -> None:
    parser.add_argument(
        "--columns",
        metavar="MAP.toml",
        help='map the files\' own column names to the standard ones: a [columns] table of "file name" = '
        '"STANDARD_NAME" (see the column list below)',
    )


def parse_as_of(text: str | None) -> datetime:
    """RFC 3339 with an offset (``2026-03-31T18:00:00+08:00`` or ``…Z``); default: now."""
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CLIError(
            f"--as-of must be an RFC 3339 time such as 2026-03-31T18:00:00+08:00, got {text!r}"
        ) from None
    if value.tzinfo is None:
        raise CLIError(f"--as-of needs a UTC offset (e.g. +08:00 or Z), got {text!r}")
    return value


def _indicator_columns_help() -> str:
    """The snapshot columns, UPPER_SNAKE and Chinese, as ``--help`` lists them (one definition:
    :mod:`gateway.reconcile.indicators.ledger_columns`)."""

    def line(column: str) -> str:
        names = " / ".join(COLUMN_NAMES_ZH.get(column, ()))
        if column in REQUIRED_COLUMNS[Side.UPPER] and column in REQUIRED_COLUMNS[Side.LOWER]:
            need = "required"
        elif column in REQUIRED_COLUMNS[Side.UPPER]:
            need = "required in --upper"
        elif column in REQUIRED_COLUMNS[Side.LOWER]:
            need = "required in --lower"
        else:
            need = "optional"
        return f"  {column:<18} {names}  [{need}]"

    return (
        "snapshot columns (CSV in UTF-8, UTF-8 with BOM, GBK or GB18030, LF / CRLF / CR line endings, or\n"
        "XLSX; the header row may use the UPPER_SNAKE names or the Chinese ones, or names mapped with\n"
        "--columns; other columns are ignored; `fiscalgw reconcile template indicators` writes one):\n"
        + "\n".join(line(c) for c in ALL_COLUMNS)
    )


def _payment_columns_help() -> str:
    """The payment snapshot columns per file, UPPER_SNAKE and Chinese (one definition:
    :mod:`gateway.reconcile.payments.columns`)."""
    lines = [
        "snapshot columns per file (CSV in UTF-8, UTF-8 with BOM, GBK or GB18030, LF / CRLF / CR endings, or",
        "XLSX; UPPER_SNAKE or Chinese headers, or names mapped with --columns; other columns are ignored;",
        "`fiscalgw reconcile template payments` writes one):",
    ]
    for role in Role:
        lines.append(f"  --{role.value}:")
        for column in known_columns(role):
            names = " / ".join(PAYMENT_COLUMN_NAMES_ZH.get(column, ()))
            need = "required" if column in PAYMENT_REQUIRED[role] else "optional"
            lines.append(f"    {column:<20} {names}  [{need}]")
    return "\n".join(lines)


def _indicators(args: argparse.Namespace) -> int:
    as_of = parse_as_of(args.as_of)
    if args.in_transit_hours < 0:
        raise CLIError("--in-transit-hours must not be negative")
    if args.format in BINARY_FORMATS and not args.out:
        raise CLIError(f"--format {args.format} writes a binary file: give --out FILE")
    # reading upper, reading lower, matching, summarising, rendering, done
    mapping = column_map_option(args.columns)
    progress = CLIProgress(6, quiet=args.quiet)
    try:
        with applied(mapping):
            report = reconcile_indicator_files(
                Path(args.upper),
                Path(args.lower),
                as_of=as_of,
                in_transit_window=timedelta(hours=args.in_transit_hours),
                progress=progress,
            )
        progress(f"rendering {args.format} report")
    except ReconcileError as exc:
        raise CLIError(str(exc)) from None
    _write(report, args.format, args.out)
    broken = sum(1 for p in report.pairs if p.status != STATUS_AGREE)
    progress.finish(
        f"done: {len(report.pairs)} pair(s), {broken} 不一致, {len(report.breaks)} break(s), "
        f"{len(report.in_transit)} in transit"
    )
    if args.fail_on_breaks and not report.consistent:
        return EXIT_FAILED
    return EXIT_OK


def _write(report: AnyReport, fmt: str, out: str | None) -> None:
    try:
        body = render_report(report, fmt)
    except ReconcileError as exc:
        raise CLIError(str(exc)) from None
    if out:
        try:
            Path(out).write_bytes(body)
        except OSError as exc:
            raise CLIError(f"cannot write {out}: {exc.strerror}") from None
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()


def _payments(args: argparse.Namespace) -> int:
    as_of = parse_as_of(args.as_of)
    if args.unpaid_hours < 0 or args.uncleared_hours < 0:
        raise CLIError("--unpaid-hours and --uncleared-hours must not be negative")
    if args.format in BINARY_FORMATS and not args.out:
        raise CLIError(f"--format {args.format} writes a binary file: give --out FILE")
    files = [(Path(p), Role.VOUCHERS) for p in args.vouchers]
    files += [(Path(p), Role.RECEIPTS) for p in args.receipts]
    files += [(Path(p), Role.CLEARING) for p in args.clearing]
    files += [(Path(p), Role.QUOTA) for p in args.quota]
    # one phase per file read, then documents, matching, summarising, rendering, done
    mapping = column_map_option(args.columns)
    progress = CLIProgress(len(files) + 5, quiet=args.quiet)
    try:
        with applied(mapping):
            report = reconcile_payment_files(
                files,
                as_of=as_of,
                unpaid_window=timedelta(hours=args.unpaid_hours),
                uncleared_window=timedelta(hours=args.uncleared_hours),
                progress=progress,
            )
        progress(f"rendering {args.format} report")
    except ReconcileError as exc:
        raise CLIError(str(exc)) from None
    _write(report, args.format, args.out)
    broken = sum(1 for g in report.groups if g.status != STATUS_AGREE)
    progress.finish(f"done: {len(report.groups)} group(s), {broken} 不一致, {len(report.breaks)} break(s)")
    if args.fail_on_breaks and not report.consistent:
        return EXIT_FAILED
    return EXIT_OK
