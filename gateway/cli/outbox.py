"""``fiscalgw outbox retry ID | cancel ID | replay --since T [--receiver ID]`` — ops actions, audited."""

from __future__ import annotations

import argparse
import getpass
from datetime import datetime
from typing import Any

from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError
from gateway.cli._config import add_config_argument, settings_from
from gateway.errors import GatewayError
from gateway.services.errors import ServiceError


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser("outbox", help="ops actions on deliveries (audited)")
    commands = outbox.add_subparsers(dest="outbox_command", metavar="COMMAND")
    commands.required = True
    for name, help_text in (
        ("retry", "re-queue a dead or cancelled delivery"),
        ("cancel", "stop a delivery"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("outbox_id", type=int)
        if name == "cancel":
            command.add_argument("--reason", help="why the delivery is stopped (audited)")
        add_config_argument(command)
        command.set_defaults(handler=_action, action=name)
    replay = commands.add_parser("replay", help="push again everything delivered since a moment")
    replay.add_argument("--since", required=True, help="RFC 3339 timestamp with a zone")
    replay.add_argument("--receiver", help="only deliveries to this party")
    add_config_argument(replay)
    replay.set_defaults(handler=_action, action="replay")


def _action(args: argparse.Namespace) -> int:
    from gateway.bootstrap import build_gateway
    from gateway.services import ops

    settings = settings_from(args.config)
    actor = f"ops:{getpass.getuser()}"
    since: datetime | None = None
    if args.action == "replay":
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            raise CLIError(f"--since {args.since!r} is not an RFC 3339 timestamp") from None
        if since.tzinfo is None:
            raise CLIError("--since needs a zone (Z or ±hh:mm)")
    try:
        gw = build_gateway(settings)
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    try:
        gw.database.require_current()
        if args.action == "retry":
            ops.retry(gw, args.outbox_id, actor=actor)
            print(f"outbox row {args.outbox_id} queued again")
        elif args.action == "cancel":
            ops.cancel(gw, args.outbox_id, actor=actor, reason=args.reason)
            print(f"outbox row {args.outbox_id} cancelled")
        else:
            assert since is not None
            count = ops.replay_since(gw, since, actor=actor, receiver=args.receiver)
            print(f"{count} deliveries queued again")
    except (ServiceError, GatewayError) as exc:
        raise CLIError(str(exc), EXIT_FAILED) from None
    finally:
        gw.close()
    return EXIT_OK
