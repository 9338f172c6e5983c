"""``fiscalgw reconcile template KIND [--format csv|xlsx] [--header zh|en] --out FILE``: an empty snapshot
file (header row only) for ``indicators`` or one payment input (``vouchers``, ``receipts``, ``clearing``,
``quota``); see :mod:`gateway.reconcile.templates`. Exit 0, or 2 when the file cannot be written."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gateway.cli._common import EXIT_OK, CLIError
from gateway.reconcile.templates import TEMPLATE_KINDS, template_bytes


def register(kinds: Any) -> None:
    parser = kinds.add_parser(
        "template",
        help="write an empty snapshot file (CSV or XLSX) to fill in",
        description="Write an empty ledger snapshot (the header row only) to fill in and reconcile: "
        "indicators (上下级指标台账) or one payment input (vouchers / receipts / clearing / quota).",
    )
    parser.add_argument("kind", choices=TEMPLATE_KINDS, help="snapshot kind: %(choices)s")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="default %(default)s")
    parser.add_argument(
        "--header", choices=("zh", "en"), default="zh", help="Chinese or UPPER_SNAKE header (default zh)"
    )
    parser.add_argument("-o", "--out", required=True, metavar="FILE", help="the file to write")
    parser.set_defaults(handler=_template)


def _template(args: argparse.Namespace) -> int:
    body = template_bytes(args.kind, args.format, args.header)
    try:
        Path(args.out).write_bytes(body)
    except OSError as exc:
        raise CLIError(f"cannot write {args.out}: {exc.strerror}") from None
    return EXIT_OK
