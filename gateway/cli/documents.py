"""``fiscalgw validate`` and ``fiscalgw convert``: check and translate wire documents offline.

* ``fiscalgw validate [--format FMT] [--codes warn|refuse] FILE`` — exit 0 and one summary line
  (``FILE: ok: format=mof.json type=transfer_indicator records=3``); exit 1 and one line per problem, each
  with its path (``[3].amount: negative_amount: …``), when the document is malformed or invalid. A value
  outside its code list (代码校验) is, with ``--codes warn`` (the default, as on a stock gateway), one
  ``warning: …`` line after the summary, exit 0; with ``--codes refuse`` a problem like any other, exit 1.
* ``fiscalgw validate --ledger KIND [--columns MAP.toml] FILE`` — a reconciliation ledger file (``upper`` /
  ``lower`` indicator snapshot, or the payment input ``vouchers`` / ``receipts`` / ``clearing`` /
  ``quota``) read by the very reader ``fiscalgw reconcile`` uses: ``FILE: ok: ledger=upper rows=N`` and exit
  0, or the one-line error ``fiscalgw reconcile`` would give, exit 2.
* ``fiscalgw convert --to FMT [--from FMT] FILE`` — the converted document on stdout, as bytes. ``json`` is
  canonical JSON (:mod:`adapters.canonical`): ``--to json`` writes ``{"format", "envelope", "messages",
  "records", "layout"}`` — the messages (:mod:`schemas.messages`) with the wire data that is not business
  data (CFX ``HEAD``; e-voucher ``Attach``, ``Return_Reason``, ``TimeStamp``; layouts and extensions), so
  that ``--from json`` back to the same wire format gives the original; ``--from json`` reads that, one
  message or a list of messages. Without ``--format`` / ``--from`` the format is identified from the
  bytes.

A format name that is not one of the choices is an argparse usage error (exit 2, the choices listed). A
document no adapter claims is one line (exit 2) naming the file, why (empty, binary, the XML parse error's
line and column, the root element seen and the ones known, …), the known formats and ``--format``; an
ambiguous one is one line too (exit 2). Documents that fail, or records that have no form in the target
format, exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from adapters import json_text
from adapters.base import Adapter, Document, refuse_unknown_codes
from adapters.canonical import document_from_obj, document_json, for_format
from adapters.errors import (
    AmbiguousFormat,
    MalformedDocument,
    TranslationError,
    UnknownFormat,
    UnrecognisedFormat,
)
from adapters.registry import default_registry
from gateway.cli._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CLIError, read_file
from gateway.cli.ledger_files import check_ledger_file
from schemas.errors import ValidationFailed

CANONICAL = "json"
CODE_POLICIES = ("warn", "refuse")
LEDGER_KINDS = ("upper", "lower", "vouchers", "receipts", "clearing", "quota")


def formats() -> list[str]:
    """Every format name ``--format`` / ``--from`` / ``--to`` accept: the registry's and ``json``."""
    return sorted((*default_registry().formats, CANONICAL))


def register(subparsers: Any) -> None:
    """Add ``validate`` and ``convert`` to the ``fiscalgw`` parser."""
    validate = subparsers.add_parser(
        "validate",
        help="parse and validate a wire document",
        description="Parse FILE and validate every record: one summary line and exit 0, or one line per "
        "problem (with its path) and exit 1. Without --format the format is identified from the bytes; a "
        "document no format claims is one line saying why, exit 2.",
    )
    validate.add_argument(
        "--format",
        metavar="FMT",
        choices=formats(),
        help="the document's format, one of: %(choices)s (default: identified from the bytes; json = "
        "canonical JSON, never identified)",
    )
    validate.add_argument(
        "--codes",
        choices=CODE_POLICIES,
        default="warn",
        help="a value outside its code list: warn (print it, exit 0; the default, as a stock gateway "
        "accepts it) or refuse (a problem, exit 1)",
    )
    validate.add_argument(
        "--ledger",
        metavar="KIND",
        choices=LEDGER_KINDS,
        help="check FILE as a reconciliation ledger file, exactly as `fiscalgw reconcile` reads it: "
        "upper / lower (indicator snapshots) or vouchers / receipts / clearing / quota (payment inputs)",
    )
    validate.add_argument(
        "--columns", metavar="MAP.toml", help="with --ledger: the column map `fiscalgw reconcile` is given"
    )
    validate.add_argument("file", metavar="FILE", help="the document to check")
    validate.set_defaults(handler=_validate)

    convert = subparsers.add_parser(
        "convert",
        help="translate a document into another format (stdout)",
        description="Parse FILE and write it, converted, to stdout as bytes. --to json writes canonical "
        "JSON: the messages with the envelope, wire details and extensions (converting it back with "
        "--from json to the same format gives the original); --from json reads that, one message or a "
        "list of messages.",
    )
    convert.add_argument(
        "--to", required=True, metavar="FMT", dest="target", choices=formats(),
        help="target format, one of: %(choices)s",
    )  # fmt: skip
    convert.add_argument(
        "--from", metavar="FMT", dest="source", choices=formats(),
        help="source format, one of: %(choices)s (default: identified from the bytes)",
    )  # fmt: skip
    convert.add_argument("file", metavar="FILE", help="the document to convert")
    convert.set_defaults(handler=_convert)


def _adapter(format_name: str | None, raw: bytes, path: str) -> Adapter:
    registry = default_registry()
    try:
        return registry.get(format_name) if format_name else registry.identify(raw)
    except UnrecognisedFormat as exc:
        known = ", ".join(formats())
        raise CLIError(
            f"{path}: {exc}; known formats: {known} (name one with --format FMT; a reconciliation ledger "
            f"file is checked with --ledger {'|'.join(LEDGER_KINDS)})",
            EXIT_USAGE,
        ) from None
    except (UnknownFormat, AmbiguousFormat) as exc:
        raise CLIError(f"{path}: {exc}", EXIT_USAGE) from None


def _read(path: str, format_name: str | None) -> Document:
    """Parse FILE as ``format_name`` (identified when ``None``; ``json`` = canonical JSON)."""
    raw = read_file(path)
    if format_name == CANONICAL:
        try:
            value = json_text.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, MalformedDocument) as exc:
            raise CLIError(f"{path}: not canonical JSON: {exc}", EXIT_FAILED) from None
        try:
            return document_from_obj(value)
        except MalformedDocument as exc:
            raise CLIError(f"{path}: not canonical JSON: {exc}", EXIT_FAILED) from None
    return _adapter(format_name, raw, path).parse(raw)


def _report(path: str, exc: Exception) -> int:
    if isinstance(exc, ValidationFailed):
        print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        for problem in exc.problems:
            print(str(problem))
    else:
        print(f"{path}: {exc}")
    return EXIT_FAILED


def _validate(args: argparse.Namespace) -> int:
    if args.ledger is not None:
        return _validate_ledger(args)
    if args.columns is not None:
        raise CLIError("--columns applies to ledger files: give --ledger KIND as well")
    try:
        document = _read(args.file, args.format)
        if args.codes == "refuse":
            refuse_unknown_codes(document)
    except (MalformedDocument, ValidationFailed) as exc:
        return _report(args.file, exc)
    kinds = sorted({str(getattr(m, "message_type", type(m).__name__)) for m in document.messages})
    warnings = document.code_problems
    counted = f" code_warnings={len(warnings)}" if warnings else ""
    print(
        f"{args.file}: ok: format={document.format} type={','.join(kinds)} "
        f"records={len(document.records)}{counted}"
    )
    for problem in warnings:
        print(f"warning: {problem}")
    return EXIT_OK


def _validate_ledger(args: argparse.Namespace) -> int:
    """``validate --ledger KIND FILE``: the reconciliation's own reader, so the two never disagree — the same
    acceptance and the same one-line error (exit 2, as ``fiscalgw reconcile`` exits for it)."""
    rows = check_ledger_file(Path(args.file), args.ledger, args.columns)
    print(f"{args.file}: ok: ledger={args.ledger} rows={rows}")
    return EXIT_OK


def _convert(args: argparse.Namespace) -> int:
    target = None if args.target == CANONICAL else default_registry().get(args.target)
    try:
        document = _read(args.file, args.source)
        for problem in document.code_problems:  # stdout carries the converted bytes alone
            print(f"{args.file}: warning: {problem}", file=sys.stderr)
        if target is None:
            out = document_json(document)
        else:
            out = target.render(for_format(document, target.format))
    except (MalformedDocument, ValidationFailed) as exc:
        return _report(args.file, exc)
    except TranslationError as exc:
        raise CLIError(f"cannot convert {args.file} to {args.target}: {exc}", EXIT_FAILED) from None
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    return EXIT_OK
