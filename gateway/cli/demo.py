"""``fiscalgw demo [--dir DIR] [--port N] [--database URL] [--keep-running | --exit-when-done]``: the gateway
and the simulated province, city, county, agency bank and PBOC on 127.0.0.1 drive a realistic day with four
injected incidents, both reconciliations run, and the summary says where to look (see docs/demo.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gateway.cli._common import EXIT_OK, CLIError

EPILOG = """\
the day (Beijing date of today):
  浙江省 issues 3 indicators to 温州市 (simulated; it loses one by rule), 温州市 issues 2 to 永嘉县,
  adjusts one and recalls part of the other; 永嘉县 sends 5 payment vouchers to the simulated agency bank,
  which pays one short, refunds part of one (2252) and clears through the simulated PBOC — all but one.
expected breaks: indicators MISSING_IN_LOWER × 1; payments PAY_AMOUNT_MISMATCH × 1, NOT_CLEARED × 1.
"""


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run the gateway and simulated parties through a realistic day, then reconcile",
        description="Start the gateway and the simulated parties on 127.0.0.1, drive a realistic day "
        "through the HTTP API, run the indicator and payment reconciliations and print where to look.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--dir", default="fiscalgw-demo", help="demo directory, created afresh (default ./fiscalgw-demo)"
    )
    demo.add_argument("--port", type=int, default=8000, help="the gateway's port on 127.0.0.1 (default 8000)")
    demo.add_argument(
        "--database", metavar="URL", help="an empty database (default: SQLite in the demo directory)"
    )
    stay = demo.add_mutually_exclusive_group()
    stay.add_argument(
        "--keep-running",
        dest="keep_running",
        action="store_true",
        default=None,
        help="keep everything up until Ctrl-C (default on a terminal)",
    )
    stay.add_argument(
        "--exit-when-done", dest="keep_running", action="store_false", help="stop once the summary is printed"
    )
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from gateway.demo.runner import DemoOptions, run_demo
    from gateway.errors import GatewayError

    if not 1 <= args.port <= 65535:
        raise CLIError("--port must be between 1 and 65535")
    keep = sys.stdout.isatty() if args.keep_running is None else bool(args.keep_running)
    options = DemoOptions(Path(args.dir), port=args.port, database_url=args.database, keep_running=keep)
    try:
        run_demo(options, say=lambda line: print(line, flush=True))
    except GatewayError as exc:
        raise CLIError(str(exc), exit_code=1) from None
    return EXIT_OK
