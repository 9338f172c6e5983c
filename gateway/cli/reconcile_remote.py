"""``fiscalgw reconcile remote``: compare this gateway's ledger for a pair with another gateway's, shipping
only SM3 bucket digests and the rows of buckets that differ (:mod:`gateway.services.digests`).

``fiscalgw reconcile remote --gateway URL --upper CODE --lower CODE --fiscal-year YYYY [--buckets N]
[--config DIR] [--token-env NAME] [--out FILE] [--fail-on-differences]``

The remote's viewer token is read from the environment variable ``--token-env`` (default
``FISCALGW_REMOTE_TOKEN``), never from the command line. Output: JSON (differing buckets, rows fetched, keys
only here / only there, rows that differ). Exit 0, or 1 with ``--fail-on-differences`` when anything
differs; 2 on a usage, configuration or connection error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError
from gateway.cli._config import add_config_argument, settings_from
from gateway.errors import GatewayError
from gateway.services.errors import ServiceError

TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def register(kinds: Any) -> None:
    remote = kinds.add_parser(
        "remote",
        help="compare this gateway's indicator ledger for a pair with another gateway's (bucket digests)",
    )
    add_config_argument(remote)
    remote.add_argument("--gateway", required=True, metavar="URL", help="the other gateway's base URL")
    remote.add_argument("--upper", required=True, metavar="CODE", help="upper MOF_DIV_CODE")
    remote.add_argument("--lower", required=True, metavar="CODE", help="lower MOF_DIV_CODE")
    remote.add_argument(
        "--fiscal-year", required=True, type=int, metavar="YYYY", help="the fiscal year to compare"
    )
    remote.add_argument("--buckets", type=int, default=64, metavar="N", help="key-range buckets (default 64)")
    remote.add_argument(
        "--token-env",
        default="FISCALGW_REMOTE_TOKEN",
        metavar="NAME",
        help="environment variable holding the remote viewer token (default FISCALGW_REMOTE_TOKEN)",
    )
    remote.add_argument("--out", metavar="FILE", help="write the JSON here (default stdout)")
    remote.add_argument("--fail-on-differences", action="store_true", help="exit 1 if anything differs")
    remote.set_defaults(handler=_remote)


def _get(client: httpx.Client, path: str, params: list[tuple[str, str]]) -> dict[str, Any]:
    try:
        response = client.get(path, params=tuple(params))
    except httpx.HTTPError as exc:
        raise CLIError(f"cannot reach {client.base_url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        try:
            body = response.json()
            detail = f"{body.get('error')}: {body.get('detail')}"
        except ValueError:
            detail = response.text[:200]
        raise CLIError(f"{client.base_url} answered {response.status_code} ({detail})")
    result: dict[str, Any] = response.json()
    return result


def _remote(args: argparse.Namespace) -> int:
    from gateway.bootstrap import build_gateway
    from gateway.services import digests

    token = os.environ.get(args.token_env)
    if not token:
        raise CLIError(f"set the remote gateway's viewer token in ${args.token_env}")
    settings = settings_from(args.config)
    pair = [("upper", args.upper), ("lower", args.lower), ("fiscal_year", str(args.fiscal_year))]
    pair.append(("buckets", str(args.buckets)))
    try:
        gw = build_gateway(settings)
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=args.gateway, headers=headers, timeout=TIMEOUT) as client:
            remote = digests.PairDigests.from_dict(_get(client, "/v1/reconciliations/digests", pair))
            gw.database.require_current()
            local = digests.pair_digests(gw, args.upper, args.lower, args.fiscal_year, args.buckets)
            differing = digests.differing_buckets(local, remote)
            remote_rows: list[dict[str, Any]] = []
            local_rows: list[dict[str, Any]] = []
            if differing:
                wanted = [("bucket", str(b)) for b in differing]
                remote_rows = _get(client, "/v1/reconciliations/digests/rows", pair + wanted)["rows"]
                local_rows = digests.bucket_rows(
                    gw, args.upper, args.lower, args.fiscal_year, args.buckets, differing
                )
    except ServiceError as exc:
        raise CLIError(exc.detail) from None
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    finally:
        gw.close()
    difference = digests.compare_rows(differing, local_rows, remote_rows)
    body = {
        "upper": args.upper,
        "lower": args.lower,
        "fiscal_year": args.fiscal_year,
        "buckets": args.buckets,
        "consistent": not differing,
        **difference.as_dict(),
    }
    text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_FAILED if differing and args.fail_on_differences else EXIT_OK
