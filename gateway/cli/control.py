"""``fiscalgw control load FILE | versions | held | release ID | refuse ID --reason …`` — 控制 (ADR 0008):
the versioned rule file and the ops review of held vouchers, each audited as ops:<login>."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError, read_file
from gateway.cli._config import add_config_argument, settings_from
from gateway.errors import GatewayError
from schemas.money import format_fen


def register(subparsers: Any) -> None:
    control = subparsers.add_parser(
        "control",
        help="indicator control: rule file versions and held vouchers (audited)",
        description="控制 on outgoing 5201/8202 vouchers (docs/adr/0008-indicator-control.md): load a TOML "
        "rule file as the next version, list versions, list held vouchers, release (放行) or refuse (退回).",
    )
    commands = control.add_subparsers(dest="control_command", metavar="COMMAND")
    commands.required = True
    load = commands.add_parser("load", help="store a TOML rule file as the next rule version")
    load.add_argument("file", metavar="FILE", help="the rule file (docs/control-rules.example.toml)")
    versions = commands.add_parser("versions", help="list the rule versions, newest first")
    held = commands.add_parser("held", help="list the vouchers held for review")
    release = commands.add_parser("release", help="放行: check again and route a held voucher")
    release.add_argument("spend_id", type=int, metavar="ID", help="the held voucher's id (see `held`)")
    release.add_argument("--comment", default="", help="a note for the audit log (default: none)")
    refuse = commands.add_parser("refuse", help="退回: never route a held voucher")
    refuse.add_argument("spend_id", type=int, metavar="ID", help="the held voucher's id (see `held`)")
    refuse.add_argument("--reason", required=True, help="why (audited; required)")
    for name, command in (
        ("load", load),
        ("versions", versions),
        ("held", held),
        ("release", release),
        ("refuse", refuse),
    ):
        add_config_argument(command)
        command.set_defaults(handler=_action, action=name)


def _action(args: argparse.Namespace) -> int:
    from gateway.bootstrap import build_gateway
    from gateway.services import control_review

    settings = settings_from(args.config)
    actor = f"ops:{getpass.getuser()}"
    text = ""
    if args.action == "load":
        try:
            text = read_file(args.file).decode("utf-8")
        except UnicodeDecodeError:
            raise CLIError(f"{args.file} is not UTF-8 text") from None
    try:
        gw = build_gateway(settings)
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    try:
        gw.database.require_current()
        if args.action == "load":
            loaded = control_review.load_rules(gw, text, actor)
            print(
                f"control rules v{loaded.version} loaded "
                f"({loaded.divisions} divisions, SM3 {loaded.source_sm3})"
            )
        elif args.action == "versions":
            with gw.database.read_unit_of_work() as uow:
                for version, digest, by, at in uow.control_rules.history():
                    print(f"v{version}\t{at.isoformat()}\t{by}\t{digest}")
        elif args.action == "held":
            for s in control_review.held(gw):
                print(f"{s.id}\t{s.adm_div_code}\t{s.voucher_no}\t{format_fen(s.amount_fen)}\t{s.codes}")
        elif args.action == "release":
            control_review.release(gw, args.spend_id, actor, args.comment)
            print(f"voucher {args.spend_id} released (放行) and queued for delivery")
        else:
            control_review.refuse(gw, args.spend_id, actor, args.reason)
            print(f"voucher {args.spend_id} refused (退回)")
    except GatewayError as exc:  # the use-case errors (ServiceError) included
        raise CLIError(str(exc), EXIT_FAILED) from None
    finally:
        gw.close()
    return EXIT_OK
