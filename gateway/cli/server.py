"""``fiscalgw serve``: run the HTTP API (default: the demo in ``./.fiscalgw/``, created if missing)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from gateway.cli._common import EXIT_OK, CLIError
from gateway.cli._config import add_config_argument, settings_from
from gateway.config import CONFIG_FILE_NAME, DEFAULT_CONFIG_DIR
from gateway.errors import GatewayError


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the gateway's HTTP API")
    add_config_argument(serve)
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(handler=_serve)

    relay = subparsers.add_parser("relay", help="run only the push relay (more relays: PostgreSQL)")
    add_config_argument(relay)
    relay.add_argument("--interval", type=float, default=0.5, help="idle poll interval in seconds")
    relay.add_argument("--batch", type=int, default=50, help="rows claimed per pass (default 50)")
    relay.set_defaults(handler=_relay)

    simulate = subparsers.add_parser("simulate", help="run a simulated bank, PBOC or finance peer")
    simulate.add_argument("role", choices=["bank", "pbc", "finance"])
    add_config_argument(simulate)
    simulate.add_argument("--port", type=int, required=True, help="port on 127.0.0.1 to take pushes on")
    simulate.add_argument("--party", help="party id to act as (default: the first party of that kind)")
    simulate.add_argument("--key", help="the party's private key (default: DIR/keys/<party>.key.pem)")
    simulate.add_argument("--gateway", default="http://127.0.0.1:8000", help="gateway base URL for replies")
    simulate.set_defaults(handler=_simulate)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.api.app import create_app
    from gateway.bootstrap import build_gateway
    from gateway.demo_config import write_demo

    if args.config is None and not (DEFAULT_CONFIG_DIR / CONFIG_FILE_NAME).exists():
        try:
            path = write_demo(DEFAULT_CONFIG_DIR, now=datetime.now(UTC))
        except GatewayError as exc:
            raise CLIError(str(exc)) from None
        print(f"fiscalgw: no configuration given; wrote the demo to {path}", file=sys.stderr)
    settings = settings_from(args.config)
    try:
        gateway = build_gateway(settings)
        if settings.mode == "dev":
            gateway.database.upgrade()  # production runs `fiscalgw db upgrade` explicitly; /readyz tells
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    try:
        uvicorn.run(create_app(gateway, run_relay=True), host=args.host, port=args.port, log_level="info")
    finally:
        gateway.close()
    return EXIT_OK


def _relay(args: argparse.Namespace) -> int:
    import signal
    import threading

    from gateway.bootstrap import build_gateway
    from gateway.delivery.relay import Relay
    from gateway.delivery.transport import HTTPTransport

    settings = settings_from(args.config)
    try:
        gateway = build_gateway(settings)
        gateway.database.require_current()
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    transport = HTTPTransport()
    try:
        Relay(gateway, transport).run_forever(stop, interval=args.interval, batch=args.batch)
    finally:
        transport.close()
        gateway.close()
    return EXIT_OK


def _simulate(args: argparse.Namespace) -> int:
    from gateway.keyring import load_keyring
    from gateway.parties import PartyKind
    from gateway.simulators.peer import PeerConfig, SimulatedParty, load_party_key

    settings = settings_from(args.config)
    registry = settings.registry()
    kind = PartyKind(args.role)
    candidates = [p for p in registry.of_kind(kind) if args.party in (None, p.id)]
    if not candidates:
        raise CLIError(f"no {args.role} party {args.party or ''} in the registry".replace("  ", " "))
    party = candidates[0]
    try:
        keyring = load_keyring(settings)
        key = load_party_key(settings.config_dir, party.id, args.key)
    except (GatewayError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    peer = SimulatedParty(PeerConfig(args.role, party.id, key, keyring, settings.gateway.id, args.gateway))
    server = peer.serve("127.0.0.1", args.port)
    print(f"simulated {args.role} {party.id} on http://127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        peer.close()
    return EXIT_OK
