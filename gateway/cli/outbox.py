"""``fiscalgw outbox retry ID | cancel ID | replay --since T [--receiver ID]`` — ops actions, audited."""

from __future__ import annotations

import argparse
import getpass
from datetime import datetime
from typing import Any

from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError
from gateway.cli._config import add_config_argument, settings_from
from gateway.errors import GatewayError


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser(
        "outbox",
        help="ops actions on deliveries (audited)",
        description="Ops actions on the outbox, each recorded in the audit log as ops:<your login>. "
        "List the deliveries with GET /v1/ops/outbox (ops token) or the 投递队列 page.",
    )
    commands = outbox.add_subparsers(dest="outbox_command", metavar="COMMAND")
    commands.required = True
    for name, help_text in (
        ("retry", "re-queue a dead or cancelled delivery (fresh attempt count)"),
        ("cancel", "stop a pending or dead delivery"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("outbox_id", type=int, metavar="ID", help="the delivery's outbox id")
        if name == "cancel":
            command.add_argument("--reason", help="why the delivery is stopped (audited; default: no reason)")
        add_config_argument(command)
        command.set_defaults(handler=_action, action=name)
    replay = commands.add_parser("replay", help="push again everything delivered since a moment")
    replay.add_argument(
        "--since",
        required=True,
        metavar="RFC3339",
        help="timestamp with a zone, e.g. 2026-03-16T00:00:00+08:00",
    )
    replay.add_argument("--receiver", metavar="PARTY", help="only deliveries to this party (default: all)")
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
    except GatewayError as exc:  # the use-case errors (ServiceError) included
        raise CLIError(str(exc), EXIT_FAILED) from None
    finally:
        gw.close()
    return EXIT_OK
