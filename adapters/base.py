"""The adapter contract: bytes of one wire format ⇄ canonical messages, with nothing lost.

An adapter is pure: no I/O, no keys, no database. ``parse`` turns a whole document (a batch is native) into
a :class:`Document`; ``render`` turns a :class:`Document` back into bytes, so that
``render(parse(raw))`` is equivalent to ``raw`` and ``parse(render(doc)) == doc``. Elements a format's
models do not know are kept on the record (:attr:`Record.layout`), never refused: for a pass-through
``render(parse(raw)) == raw`` byte for byte (docs/adr/0007-preserve-extensions.md).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from pydantic import BaseModel

from adapters.layout import Layout
from adapters.limits import DEFAULT_LIMITS, Limits
from schemas.errors import Problem, ValidationFailed


@dataclass(frozen=True)
class Record:
    """One canonical message of a document, at its 0-based ``position`` in the batch.

    ``meta`` keeps per-record wire details that are not business data but must survive a round trip
    (e.g. an e-voucher body's ``Attach`` or ``TimeStamp``). ``layout`` is how the record looked on the wire
    — element order, original texts and the elements we do not model (extensions), see
    :mod:`adapters.layout` — so the same format renders it back faithfully; a record built fresh has none
    and renders in the format's standard form. ``code_problems`` are the record's values that
    are not in their configured code list (:func:`schemas.codelists.check_codes`, paths prefixed with the
    position): an adapter never refuses a document for them — the caller decides (the gateway's intake
    applies its per-counterparty / per-region policy, ``refuse`` or ``warn``; see
    :func:`refuse_unknown_codes`). Neither is part of the record's equality."""

    position: int
    message: BaseModel
    meta: Mapping[str, str] = field(default_factory=dict)
    layout: Layout | None = field(default=None, compare=False)
    code_problems: tuple[Problem, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Document:
    """A parsed wire document: its format, its records in order, and envelope-level details
    (e.g. the CFX ``HEAD``: ``SRC``, ``DES``, ``MsgID``, ``WorkDate``). ``layout`` is the envelope's wire
    shape (XML declaration, indentation, unknown envelope elements), ``None`` for a document built fresh."""

    format: str
    records: tuple[Record, ...]
    envelope: Mapping[str, str] = field(default_factory=dict)
    layout: Layout | None = field(default=None, compare=False)

    @property
    def messages(self) -> tuple[BaseModel, ...]:
        return tuple(r.message for r in self.records)

    @property
    def code_problems(self) -> tuple[Problem, ...]:
        """Every record's code-list problems, in record order."""
        return tuple(p for r in self.records for p in r.code_problems)


def refuse_unknown_codes(document: Document) -> Document:
    """``document`` unchanged if every code is in its list; else :class:`ValidationFailed` listing each
    unknown value (the ``refuse`` policy, and what ``parse`` did before code problems became warnings)."""
    problems = document.code_problems
    if problems:
        raise ValidationFailed(problems)
    return document


@dataclass(frozen=True)
class Signature:
    """What :meth:`Adapter.identify` looks for, so that a document no adapter claims can be explained:
    ``kind`` ``xml`` (``names``: root elements), ``json`` (first keys), ``csv`` (required header columns) or
    ``zip`` (``names``: a part the archive must hold)."""

    kind: Literal["xml", "json", "csv", "zip"]
    names: tuple[str, ...]


class Adapter(abc.ABC):
    """One wire format. ``format`` is the registry key, e.g. ``"mof.json"``, ``"evoucher"``, ``"cfx"``;
    ``signature`` (optional) describes what ``identify`` sniffs for."""

    format: ClassVar[str]
    media_type: ClassVar[str] = "application/octet-stream"
    signature: ClassVar[Signature | None] = None

    @abc.abstractmethod
    def identify(self, raw: bytes) -> bool:
        """Cheap sniffing of the first bytes: does this document look like this format?"""

    @abc.abstractmethod
    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        """Parse and validate a whole document.

        Raises :class:`adapters.errors.MalformedDocument` for unacceptable bytes and
        :class:`schemas.errors.ValidationFailed` (every problem, each path prefixed with the record
        position) for records that break the schema. A value outside its code list does not raise: it is
        on the record's :attr:`Record.code_problems`."""

    @abc.abstractmethod
    def render(self, document: Document) -> bytes:
        """Render canonical records (and envelope details) as this format's bytes.

        Raises :class:`adapters.errors.TranslationError` if a message type has no form here."""
