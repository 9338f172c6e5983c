"""``fiscalgw serve``: run the HTTP API (default: the demo in ``./.fiscalgw/``, created if missing)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError
from gateway.cli._config import add_config_argument, config_path, settings_from
from gateway.config import CONFIG_FILE_NAME, DEFAULT_CONFIG_DIR
from gateway.errors import GatewayError
from gateway.logging_setup import FORMATS, configure

if TYPE_CHECKING:
    from gateway.bootstrap import Gateway
    from gateway.scheduler import ReconciliationScheduler


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the gateway's HTTP API",
        description="Run the HTTP API, its push relay and the scheduled reconciliations. Without --config "
        f"it serves ./{DEFAULT_CONFIG_DIR}/; when ./{DEFAULT_CONFIG_DIR}/{CONFIG_FILE_NAME} does not exist "
        f"it first writes the demo there (dev CA, party keys and certificates, {CONFIG_FILE_NAME}, "
        "tokens.txt with the ops and viewer tokens; SQLite fiscalgw.db beside them). In dev mode it applies "
        "the database migrations at start; production runs `fiscalgw db upgrade` first. A busy port is "
        "refused before anything is written.",
    )
    add_config_argument(serve)
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--log-format", choices=FORMATS, default="text", help="log lines as text or JSON (default text)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes, each with its own relay thread (default 1; more need PostgreSQL)",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn log level (default info)",
    )
    serve.set_defaults(handler=_serve)

    relay = subparsers.add_parser(
        "relay",
        help="run only the push relay (more relays: PostgreSQL)",
        description="Deliver the outbox's pushes without serving HTTP, until SIGTERM or Ctrl-C. The schema "
        "must be current (`fiscalgw db upgrade`). Several relays need PostgreSQL.",
    )
    add_config_argument(relay)
    relay.add_argument(
        "--interval", type=float, default=0.5, help="idle poll interval in seconds (default 0.5)"
    )
    relay.add_argument("--batch", type=int, default=50, help="rows claimed per pass (default 50)")
    relay.add_argument(
        "--log-format", choices=FORMATS, default="text", help="log lines as text or JSON (default text)"
    )
    relay.set_defaults(handler=_relay)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.api.app import create_app
    from gateway.bootstrap import build_gateway
    from gateway.demo.processes import port_is_free
    from gateway.demo_config import write_demo

    if not 0 <= args.port <= 65535:
        raise CLIError("--port must be between 0 and 65535 (0: any free port)")
    if args.workers < 1:
        raise CLIError("--workers must be at least 1")
    if not port_is_free(args.port, args.host):  # before the demo is written or the database migrated
        raise CLIError(f"port {args.port} on {args.host} is busy (choose another with --port)", EXIT_FAILED)
    if args.config is None and not (DEFAULT_CONFIG_DIR / CONFIG_FILE_NAME).exists():
        try:
            path = write_demo(DEFAULT_CONFIG_DIR, now=datetime.now(UTC))
        except GatewayError as exc:
            raise CLIError(str(exc)) from None
        print(f"fiscalgw: no configuration given; wrote the demo to {path}", file=sys.stderr)
    configure(args.log_format, level=args.log_level.upper())
    configured = settings_from(args.config)
    settings = configured.for_bind_host(args.host)  # Secure cookies unless on loopback
    if configured.web.secure_cookies is None and settings.secure_cookies and settings.mode == "dev":
        print(
            f"fiscalgw: {args.host} is not a loopback address, so the web pages' cookies are Secure: "
            "serve /ui over HTTPS (or set web.secure_cookies = false)",
            file=sys.stderr,
        )
    if args.workers > 1 and not settings.database_url.startswith("postgresql"):
        raise CLIError("--workers > 1 needs PostgreSQL: one gateway process per SQLite file (ADR 0004)")
    try:
        gateway = build_gateway(settings)
        if settings.mode == "dev":
            gateway.database.upgrade()  # production runs `fiscalgw db upgrade` explicitly; /readyz tells
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "log_config": None,  # gateway.logging_setup.configure already routes uvicorn's loggers
        "access_log": False,  # fiscalgw.access writes one structured line per request instead
    }
    if args.workers > 1:
        from gateway.api.asgi import CONFIG_ENV, LOG_ENV

        # Each worker process builds its own gateway (pool, keys, relay) from the same file and sets up
        # logging as this process did; this process keeps the scheduler.
        os.environ[CONFIG_ENV] = str(config_path(args.config).resolve())
        os.environ[LOG_ENV] = f"{args.log_format}:{args.log_level.upper()}"
        os.environ["FISCALGW_WEB__SECURE_COOKIES"] = "true" if settings.web.secure_cookies else "false"
        scheduler = _start_scheduler(gateway)  # scheduled reconciliation, in the parent process
        try:
            uvicorn.run(
                "gateway.api.asgi:app_from_environment", factory=True, workers=args.workers, **options
            )
        finally:
            scheduler.shutdown(wait=False)
            gateway.close()
        return EXIT_OK
    scheduler = _start_scheduler(gateway)
    try:
        uvicorn.run(create_app(gateway, run_relay=True), **options)
    finally:
        scheduler.shutdown(wait=False)
        gateway.close()
    return EXIT_OK


def _start_scheduler(gateway: Gateway) -> ReconciliationScheduler:
    """Start the ``[[reconciliation.pairs]]`` scheduler (one node runs each firing; ADR 0005)."""
    from gateway.bootstrap import build_scheduler

    try:
        scheduler = build_scheduler(gateway)
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    scheduler.start()
    return scheduler


def _relay(args: argparse.Namespace) -> int:
    import signal
    import threading

    from gateway.bootstrap import build_gateway, build_relay, build_transport

    configure(args.log_format)
    settings = settings_from(args.config)
    try:
        gateway = build_gateway(settings)
        gateway.database.require_current()
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    transport = build_transport()
    try:
        build_relay(gateway, transport).run_forever(stop, interval=args.interval, batch=args.batch)
    finally:
        transport.close()
        gateway.close()
    return EXIT_OK
