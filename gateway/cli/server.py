"""``fiscalgw serve``: run the HTTP API."""

from __future__ import annotations

import argparse
from typing import Any

from gateway.cli._common import EXIT_OK


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the gateway's HTTP API")
    serve.add_argument("--config", metavar="FILE", help="configuration file (TOML)")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.api.app import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return EXIT_OK
