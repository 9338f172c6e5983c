"""The ``fiscalgw`` console script.

Each command group lives in its own module with a ``register(subparsers)`` function; this module only
assembles them and turns user mistakes into one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway import __version__
from gateway.cli import admin, control, crypto, demo, documents, reconcile, server, simulate
from gateway.cli._common import EXIT_FAILED, CLIError

_GROUPS = (server, admin, crypto, documents, reconcile, control, simulate, demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fiscalgw", description="预算管理一体化 data-exchange and reconciliation gateway"
    )
    parser.add_argument("--version", action="version", version=f"fiscalgw {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for group in _GROUPS:
        group.register(subparsers)
    _describe_commands(parser)
    return parser


def _describe_commands(parser: argparse.ArgumentParser) -> None:
    """A command without its own ``description`` shows its one-line ``help`` at the top of its ``--help``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest: choice.help for choice in action._choices_actions}
            for name, command in action.choices.items():
                if not command.description and listed.get(name):
                    command.description = listed[name]
                _describe_commands(command)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except CLIError as exc:
        print(f"fiscalgw: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("fiscalgw: interrupted", file=sys.stderr)
        return EXIT_FAILED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
