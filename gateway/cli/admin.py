"""``fiscalgw init``, ``fiscalgw db upgrade``, ``fiscalgw audit verify``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.cli import outbox
from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError
from gateway.cli._config import add_config_argument, settings_from
from gateway.errors import AuditChainBroken, GatewayError


def register(subparsers: Any) -> None:
    """Add this group's sub-commands to the `fiscalgw` parser."""
    init = subparsers.add_parser(
        "init",
        help="write a demo configuration with a dev CA and keys",
        description="Write DIRECTORY/fiscalgw.toml with a dev CA, an SM2 key and certificate per demo party "
        "and tokens.txt (ops and viewer tokens); --production writes a production skeleton instead.",
    )
    init.add_argument(
        "directory", nargs="?", default=".fiscalgw", help="target directory (default .fiscalgw)"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing demo configuration")
    init.add_argument(
        "--production",
        action="store_true",
        help="write a production skeleton instead: the gateway key encrypted at rest, no dev CA",
    )
    init.add_argument(
        "--password-env",
        default="FISCALGW_KEY_PASSWORD",
        metavar="VAR",
        help="with --production: environment variable holding the key's password (default %(default)s)",
    )
    init.set_defaults(handler=_init)

    db = subparsers.add_parser("db", help="database schema (Alembic migrations)")
    db_commands = db.add_subparsers(dest="db_command", metavar="COMMAND")
    db_commands.required = True
    upgrade = db_commands.add_parser(
        "upgrade",
        help="apply the schema migrations (Alembic) up to the newest",
        description="Migrate the configured database (database.url, or FISCALGW_DATABASE__URL) to the newest "
        "revision and print it. Production runs this before `fiscalgw serve`; dev mode serve does it itself.",
    )
    add_config_argument(upgrade)
    upgrade.set_defaults(handler=_db_upgrade)

    audit = subparsers.add_parser("audit", help="the hash-chained audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND")
    audit_commands.required = True
    verify = audit_commands.add_parser(
        "verify",
        help="check the SM3 chain and the stored originals and canonical records against it",
        description="Recompute the SM3 hash chain of the audit log and check every stored original and "
        "canonical record against it. Exit 0 and one line when intact; exit 1 and one line per problem.",
    )
    add_config_argument(verify)
    verify.set_defaults(handler=_audit_verify)

    outbox.register(subparsers)  # ops actions live in their own module, registered with the admin group


def _init(args: argparse.Namespace) -> int:
    from gateway.demo_config import write_demo

    if args.production:
        return _init_production(args)
    try:
        path = write_demo(Path(args.directory), now=datetime.now(UTC), force=args.force)
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    print(f"wrote {path} (dev CA, keys in {path.parent / 'keys'})")
    print(f"ops and viewer bearer tokens: {path.parent / 'tokens.txt'}")
    print(f"start it with: fiscalgw serve --config {path}")
    return EXIT_OK


def _init_production(args: argparse.Namespace) -> int:
    import os

    from gateway.production_config import write_production

    password = os.environ.get(args.password_env)
    if not password:
        raise CLIError(f"set the key's password in the environment variable {args.password_env} first")
    try:
        path = write_production(
            Path(args.directory),
            password=password.encode("utf-8"),
            password_env=args.password_env,
            force=args.force,
        )
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
    keys = path.parent / "keys"
    print(f"wrote {path} (production mode; the key {keys / 'fiscalgw.key.pem'} is encrypted)")
    print(f"next: have your CA certify {keys / 'fiscalgw.pub.pem'}; the steps are at the top of {path.name}")
    return EXIT_OK


def _db_upgrade(args: argparse.Namespace) -> int:
    from gateway.store.database import Database

    settings = settings_from(args.config)
    database = Database(settings.database_url)
    try:
        revision = database.upgrade()
    except GatewayError as exc:
        raise CLIError(str(exc), EXIT_FAILED) from None
    finally:
        database.dispose()
    print(f"database at revision {revision}")
    return EXIT_OK


def _audit_verify(args: argparse.Namespace) -> int:
    from gateway import audit
    from gateway.store.database import Database

    settings = settings_from(args.config)
    database = Database(settings.database_url)
    try:
        database.require_current()
        with database.unit_of_work() as uow:
            count = audit.verify(uow.audit, uow.messages)
    except AuditChainBroken as exc:
        for problem in exc.problems:
            print(f"fiscalgw: audit: {problem}", file=sys.stderr)
        print(f"fiscalgw: error: audit chain broken ({len(exc.problems)} problem(s))", file=sys.stderr)
        return EXIT_FAILED
    except GatewayError as exc:
        raise CLIError(str(exc), EXIT_FAILED) from None
    finally:
        database.dispose()
    print(f"audit chain intact: {count} entries; stored messages match it")
    return EXIT_OK
