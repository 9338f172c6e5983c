"""`fiscalgw` command group: crypto — ``keys generate``, ``sign``, ``verify``, ``sm3``.

Signatures follow a :class:`signing.SignatureProfile` built from ``--uid``, ``--sig-format`` and
``--encoding`` (default GM/T 0009: uid 1234567812345678, DER, base64), so they interoperate with
``openssl pkeyutl -sign/-verify -rawin -digest sm3 -pkeyopt distid:UID``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from gateway.cli._common import EXIT_FAILED, EXIT_OK, CLIError, read_file
from signing import (
    DEFAULT_USER_ID,
    InvalidSignature,
    KeyFormatError,
    SignatureProfile,
    SM2PrivateKey,
    load_private_key,
    load_public_key,
)
from signing.hashes import sm3_hasher

_CHUNK = 1 << 20


def register(subparsers: Any) -> None:
    """Add this group's sub-commands to the `fiscalgw` parser."""
    keys = subparsers.add_parser("keys", help="SM2 key management (keys generate)")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND")
    key_commands.required = True
    generate = key_commands.add_parser("generate", help="write a new SM2 private key (PKCS#8 PEM, mode 0600)")
    generate.add_argument("--out", required=True, metavar="KEY.pem", help="private key file to create")
    generate.add_argument("--pub", metavar="PUB.pem", help="also write the public key (SPKI PEM)")
    generate.add_argument(
        "--password-env",
        metavar="VAR",
        help="encrypt the key with the password in environment variable VAR (default: unencrypted)",
    )
    generate.set_defaults(handler=_keys_generate)

    sign = subparsers.add_parser("sign", help="print the SM2 signature of FILE's bytes")
    sign.add_argument("--key", required=True, metavar="KEY.pem", help="SM2 private key PEM")
    sign.add_argument(
        "--password-env",
        metavar="VAR",
        help="key password from env var VAR (default: the key is not encrypted)",
    )
    _add_profile_arguments(sign)
    sign.add_argument("file", metavar="FILE", help="the file whose bytes are signed")
    sign.set_defaults(handler=_sign)

    verify = subparsers.add_parser("verify", help="check an SM2 signature of FILE's bytes (prints OK)")
    verify.add_argument("--key", required=True, metavar="PUB_OR_CERT.pem", help="public key or certificate")
    verify.add_argument(
        "--signature",
        required=True,
        metavar="SIG",
        help="signature text, or @path to a file",
    )
    _add_profile_arguments(verify)
    verify.add_argument("file", metavar="FILE", help="the file whose bytes were signed")
    verify.set_defaults(handler=_verify)

    digest = subparsers.add_parser("sm3", help="print the SM3 digest of FILE (lowercase hex)")
    digest.add_argument("file", metavar="FILE", help="the file to hash (read in 1 MiB chunks)")
    digest.set_defaults(handler=_sm3)


def _add_profile_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--uid", default=DEFAULT_USER_ID.decode(), help="SM2 user ID (default 1234567812345678)"
    )
    parser.add_argument(
        "--sig-format", choices=("der", "raw"), default="der", help="DER or 64-byte r‖s (default der)"
    )
    parser.add_argument(
        "--encoding", choices=("base64", "hex"), default="base64", help="signature text form (default base64)"
    )


def _profile(args: argparse.Namespace) -> SignatureProfile:
    uid = args.uid.encode("utf-8")
    if not uid:
        raise CLIError("--uid must not be empty")
    return SignatureProfile(user_id=uid, sig_format=args.sig_format, encoding=args.encoding)


def _password(variable: str | None) -> bytes | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise CLIError(f"environment variable {variable} is not set or empty")
    return value.encode("utf-8")


def _keys_generate(args: argparse.Namespace) -> int:
    out = Path(args.out)
    pub = Path(args.pub) if args.pub else None
    for path in (out, pub):
        if path is not None and path.exists():
            raise CLIError(f"refusing to overwrite existing file: {path}")
    password = _password(args.password_env)
    key = SM2PrivateKey.generate()
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CLIError(f"refusing to overwrite existing file: {out}") from None
    except OSError as exc:
        raise CLIError(f"cannot create {out}: {exc.strerror}") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.to_pem(password))
    if pub is not None:
        try:
            with pub.open("xb") as handle:
                handle.write(key.public_key().to_pem())
        except OSError as exc:
            raise CLIError(f"cannot create {pub}: {exc.strerror}") from None
    print(f"wrote {out} (SM2 key {key.public_key().fingerprint()[:16]})")
    return EXIT_OK


def _sign(args: argparse.Namespace) -> int:
    profile = _profile(args)
    try:
        key = load_private_key(read_file(args.key), _password(args.password_env))
    except KeyFormatError as exc:
        raise CLIError(f"{args.key}: {exc}") from None
    print(profile.sign(key, read_file(args.file)))
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    profile = _profile(args)
    try:
        key = load_public_key(read_file(args.key))
    except KeyFormatError as exc:
        raise CLIError(f"{args.key}: {exc}") from None
    signature = args.signature
    if signature.startswith("@"):
        try:
            signature = read_file(signature[1:]).decode("ascii")
        except UnicodeDecodeError:
            raise CLIError(f"{signature[1:]}: the signature file is not ASCII text") from None
    try:
        profile.verify(key, read_file(args.file), signature)
    except InvalidSignature:
        raise CLIError("signature is NOT valid", EXIT_FAILED) from None
    print("OK")
    return EXIT_OK


def _sm3(args: argparse.Namespace) -> int:
    hasher = sm3_hasher()
    path = Path(args.file)
    if not path.is_file():
        read_file(args.file)  # raises the one-line error for a missing file or a directory
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                hasher.update(chunk)
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror}") from None
    print(hasher.hexdigest())
    return EXIT_OK
