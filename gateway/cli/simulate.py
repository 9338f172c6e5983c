"""``fiscalgw simulate bank|pbc|finance --config FILE --port N [--behaviour FILE] [--rule NAME=VALUE …]``:
a simulated counterparty on 127.0.0.1 (see :mod:`gateway.simulators.behaviour`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gateway.cli._common import EXIT_OK, CLIError
from gateway.cli._config import add_config_argument, settings_from
from gateway.errors import GatewayError

EPILOG = """\
what each party does:
  bank     pays every 5201/8202 voucher and returns its 回单 (X-fields filled) to the gateway;
           rules can fail a payment, pay it short, refund it later (2252), and request clearing
           (2301 for what it paid, 2302 returning what was refunded)
  pbc      clears every 2301/2302 (e-voucher → 回单; CFX 2201/2202 → 3143/3144 when the treasury's
           wire_format is cfx); requests naming a voucher in never_clear are never answered
  finance  books every indicator pushed to it and answers with a 接收回执 (BA_BGT_RECEIPT);
           indicators in lose are taken and never answered

behaviour rules (--rule NAME=VALUE, repeatable; or a TOML file with top-level keys and/or
[bank] / [pbc] / [finance] tables; --rule wins over the file):
  seed=N                      seeds the *_rate draws (same seed + number → same outcome)
  fail=V1,V2 | fail_rate=R    bank: these vouchers fail (XPayAmt 0.00, reason in XAddWord)
  short=V1 | short_rate=R     bank: paid short (90 % of PayAmt, down to the fen)
  refund=V1 | refund_rate=R   bank: paid, then refunded by a 2252 for the last detail
  clear=true                  bank: send a 2301 for what it paid and a 2302 for what was refunded
                              (to the registry's treasury)
  never_clear=V1              bank: left out of its 2301s/2302s; pbc: requests naming it go unanswered
  lose=BGT_ID | lose_rate=R   finance: indicators lost on the way (2xx, never booked nor answered)
  acknowledge=false           finance: book without answering

example (the demo's four incidents):
  fiscalgw simulate bank --port 8102 --rule clear=true --rule short=V1 --rule refund=V2 \\
      --rule never_clear=V3
  fiscalgw simulate finance --port 8101 --rule lose=3300002026ZJ01
"""


def register(subparsers: Any) -> None:
    simulate = subparsers.add_parser(
        "simulate",
        help="run a simulated bank, PBOC or finance peer",
        description="Run a simulated counterparty: a real HTTP peer on 127.0.0.1 that verifies the "
        "gateway's signed pushes and answers through the gateway as that party would.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument(
        "role",
        choices=["bank", "pbc", "finance"],
        help="the party to play: agency bank, PBOC treasury or finance",
    )
    add_config_argument(simulate)
    simulate.add_argument("--port", type=int, required=True, help="port on 127.0.0.1 to take pushes on")
    simulate.add_argument("--party", help="party id to act as (default: the first party of that kind)")
    simulate.add_argument("--key", help="the party's private key (default: DIR/keys/<party>.key.pem)")
    simulate.add_argument(
        "--gateway",
        default="http://127.0.0.1:8000",
        help="gateway base URL for replies (default %(default)s)",
    )
    simulate.add_argument("--behaviour", metavar="FILE", help="behaviour rules (TOML); see below")
    simulate.add_argument(
        "--rule", metavar="NAME=VALUE", action="append", default=[], help="one behaviour rule; see below"
    )
    simulate.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    from gateway.keyring import load_keyring
    from gateway.parties import PartyKind
    from gateway.simulators.behaviour import BehaviourError, describe, load_behaviour
    from gateway.simulators.peer import PeerConfig, SimulatedParty, load_party_key

    try:
        behaviour = load_behaviour(args.role, Path(args.behaviour) if args.behaviour else None, args.rule)
    except BehaviourError as exc:
        raise CLIError(str(exc)) from None
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
    treasuries = registry.of_kind(PartyKind.PBC)
    fin_org_codes = {
        adm: mof for p in registry.of_kind(PartyKind.FINANCE) for mof, adm in p.adm_div_codes.items()
    }
    config = PeerConfig(
        args.role,
        party.id,
        key,
        keyring,
        settings.gateway.id,
        args.gateway,
        behaviour=behaviour,
        fin_org_codes=fin_org_codes,
        tre_code=(treasuries[0].tre_code or treasuries[0].id) if treasuries else None,
    )
    peer = SimulatedParty(config)
    try:
        server = peer.serve("127.0.0.1", args.port)
    except OSError as exc:
        raise CLIError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from None
    rules = " ".join(describe(behaviour)) or "default behaviour"
    print(
        f"simulated {args.role} {party.id} on http://127.0.0.1:{args.port} ({rules})",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        peer.close()
    return EXIT_OK
