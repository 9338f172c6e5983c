"""Why no adapter claims a document: one :class:`UnrecognisedFormat` with a stable ``reason`` and a sentence.

Only reached once every sniffer has said no, so it may look harder than they do: the XML is parsed with the
hardened parser of :mod:`adapters._xml` (size, DOCTYPE, entity, encoding and depth limits as for any
inbound XML), JSON with :mod:`adapters.json_text`. What each format looks for comes from the adapters'
:class:`~adapters.base.Signature`, so a new adapter is explained without touching this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from adapters import json_text
from adapters._xml import ENCODING_ALIASES, parse_xml
from adapters.base import Adapter, Signature
from adapters.errors import MalformedDocument, UnrecognisedFormat

BOM = b"\xef\xbb\xbf"

#: leading bytes of common files that are not wire documents → what to call them
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.xls / .doc: save it as .xlsx)"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\xff\xfe", "UTF-16 text (use UTF-8 or GBK)"),
    (b"\xfe\xff", "UTF-16 text (use UTF-8 or GBK)"),
)
_ANY_ENCODING = frozenset(ENCODING_ALIASES.values())
_QUOTE = 40
_Fail = Callable[..., UnrecognisedFormat]


def explain(raw: bytes, adapters: Sequence[Adapter]) -> UnrecognisedFormat:
    """The error for ``raw``, which none of ``adapters`` identified."""
    known = tuple(sorted(a.format for a in adapters))
    by_kind: dict[str, list[tuple[str, Signature]]] = {}
    for adapter in adapters:
        if adapter.signature is not None:
            by_kind.setdefault(adapter.signature.kind, []).append((adapter.format, adapter.signature))

    fail: _Fail = partial(UnrecognisedFormat, known_formats=known)
    if not raw.strip():
        return fail("empty", "the file is empty" if not raw else "the file holds only whitespace")
    for magic, what in MAGIC:
        if raw.startswith(magic):
            if magic == b"PK\x03\x04" and "zip" in by_kind:
                parts = _listing(by_kind["zip"])
                return fail("binary", f"a ZIP archive, but not a workbook: no {parts}")
            return fail("binary", f"binary data: {what}, not a wire document")
    text = _text(raw)
    if text is None:
        return fail("not_text", "binary data: the bytes are neither UTF-8 nor GBK text")
    opening = text.lstrip("\ufeff \t\r\n")
    if opening.startswith("<"):
        return _explain_xml(raw, by_kind.get("xml", []), fail)
    if opening.startswith(("{", "[")):
        return _explain_json(text, by_kind.get("json", []), fail)
    first_line = opening.split("\n", 1)[0].strip()
    explanation = f"plain text, not XML or JSON, and its first line {_quote(first_line)}"
    if "csv" in by_kind:
        explanation += f" is not a CSV header with the columns {_listing(by_kind['csv'], joiner=' and ')}"
    return fail("unknown_text", explanation)


def _explain_xml(raw: bytes, known: list[tuple[str, Signature]], fail: _Fail) -> UnrecognisedFormat:
    roots = tuple(sorted(name for _format, signature in known for name in signature.names))
    listing = ", ".join(f"<{name}> ({fmt})" for name, fmt in _pairs(known))
    try:
        root = parse_xml(raw, allowed_encodings=_ANY_ENCODING)
    except MalformedDocument as exc:
        if exc.code == "not_well_formed" and exc.line is not None:
            return fail(
                exc.code,
                exc.message,  # "not well-formed XML at line L, column C: …"
                line=exc.line,
                column=exc.column,
            )
        return fail(exc.code, f"XML that cannot be read: {exc.message}")
    tag = str(root.tag)
    if tag in roots:
        return fail(
            "unrecognised_opening",
            f"the root element <{tag}> is known, but not where the format's opening bytes should show it "
            "(a long prolog?)",
            found=tag,
            expected=roots,
        )
    return fail(
        "unknown_root", f"XML root element <{tag}> is not one of {listing}", found=tag, expected=roots
    )


def _explain_json(text: str, known: list[tuple[str, Signature]], fail: _Fail) -> UnrecognisedFormat:
    keys = tuple(sorted(name for _format, signature in known for name in signature.names))
    listing = _listing(known)
    try:
        value = json_text.loads(text)
    except MalformedDocument as exc:
        if exc.code == "not_json" and exc.line is not None:
            detail = exc.message.removeprefix("not valid JSON: ").split(": line ", 1)[0]
            return fail(
                exc.code,
                f"not valid JSON at line {exc.line}, column {exc.column}: {detail}",
                line=exc.line,
                column=exc.column,
            )
        return fail(exc.code, f"JSON that cannot be read: {exc.message}")
    if not isinstance(value, dict):
        kind = "an array" if isinstance(value, list) else "a single value"
        return fail(
            "unknown_json_shape", f"JSON {kind}; the JSON wire formats are an object keyed by {listing}"
        )
    if not value:
        return fail("unknown_json_shape", f"an empty JSON object; expected one keyed by {listing}")
    first = str(next(iter(value)))
    if first in keys:
        return fail(
            "unrecognised_opening",
            f'the JSON key "{first}" is known, but not where the format expects it (at the very start)',
            found=first,
            expected=keys,
        )
    return fail(
        "unknown_json_table",
        f'a JSON object whose first key "{first[:_QUOTE]}" is not one of {listing}',
        found=first[:_QUOTE],
        expected=keys,
    )


def _pairs(known: list[tuple[str, Signature]]) -> list[tuple[str, str]]:
    return sorted((name, fmt) for fmt, signature in known for name in signature.names)


def _listing(known: list[tuple[str, Signature]], joiner: str = ", ") -> str:
    """``A, B, C (fmt)`` per format, formats separated by ``; ``."""
    return "; ".join(
        f"{joiner.join(sorted(signature.names))} ({fmt})"
        for fmt, signature in sorted(known, key=lambda k: k[0])
    )


def _text(raw: bytes) -> str | None:
    head = raw[:4096]
    if b"\x00" in head:
        return None
    body = raw[3:] if raw.startswith(BOM) else raw
    for codec in ("utf-8", "gb18030"):
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def _quote(line: str) -> str:
    shown = line[:_QUOTE] + ("…" if len(line) > _QUOTE else "")
    return f'"{shown}"'
