"""
Exceptions raised by adapters/.

* AdapterError                    - base class of every error raised by this package
  + UnknownFormat                 - no adapter recognises the document / no adapter by that name
    + UnrecognisedFormat          - no adapter claims these bytes; ``reason`` says why (empty, binary, …)
  + AmbiguousFormat               - more than one adapter recognises the document (an error, never a guess)
  + MalformedDocument(code)       - the bytes are not an acceptable document; ``code`` says precisely why
    + DocumentTooLarge            - over the configured size limit (``code == "document_too_large"``)
  + TranslationError              - a valid message cannot be expressed in the target format

Schema problems of individual records are reported as :class:`schemas.errors.ValidationFailed`, whose
problem paths start with the record position (``[3].pay_amt``).

``MalformedDocument.code`` values (stable, machine-readable; the gateway maps them to HTTP problems):
``not_well_formed``, ``dtd_forbidden``, ``entity_forbidden``, ``too_deep``, ``document_too_large``,
``encoding_not_allowed``, ``encoding_mismatch``, ``invalid_encoding``, ``invalid_base64``,
``voucher_count_mismatch``, ``header_mismatch``, ``duplicate_record``, ``unknown_vtcode``, ``unknown_msgno``,
``too_many_records``, ``unexpected_element`` (a known element repeated or holding elements, a wrong root —
an element the models do not know is kept as an extension, never refused: issue 12), ``missing_element``,
``bad_header``, ``bad_layout`` (a stored or canonical-JSON layout that is not one),
``batch_count_mismatch`` / ``batch_amount_mismatch`` (a CFX ``AllNum`` / ``AllAmt`` that disagrees with the
records).
``mof`` / ``csv`` / ``xlsx`` add: ``not_json``, ``bad_shape`` (not ``{"TABLE": [rows]}``), ``unknown_table``,
``mixed_tables``, ``empty_document``, ``duplicate_column``, ``unknown_column`` (ledger files only; a
``mof.json`` / ``mof.xml`` column the table does not model is kept), ``missing_column``,
``missing_header``; any JSON (:mod:`adapters.json_text`) adds ``duplicate_key``, ``number_too_large`` and
``invalid_text`` (a lone surrogate). Per-row problems (``float_not_allowed``, ``bad_date``,
``wrong_cell_count``, ``duplicate_record`` …) are
:class:`ValidationFailed` problem rules.
"""

from __future__ import annotations


class AdapterError(Exception):
    """Base class for every error raised by adapters/."""


class UnknownFormat(AdapterError):
    """No adapter recognises the document, or no adapter has that format name."""


class UnrecognisedFormat(UnknownFormat):
    """No adapter claims the document, with the reason why (:mod:`adapters.diagnosis`).

    ``reason`` is stable and machine-readable: ``empty``, ``binary``, ``not_text``, ``not_well_formed``
    (and the other :class:`MalformedDocument` codes XML parsing can give), ``unknown_root``, ``not_json``,
    ``unknown_json_shape``, ``unknown_json_table``, ``unknown_text`` (neither XML, JSON nor a known CSV
    header), ``unrecognised_opening`` (a known root or table the sniffers did not see in the opening bytes).
    ``explanation`` is one sentence for people; ``line`` / ``column`` (1-based) locate a parse error;
    ``found`` is the root element or first key seen, ``expected`` the ones the adapters know;
    ``known_formats`` the registry's format names."""

    code = "unrecognised_format"

    def __init__(
        self,
        reason: str,
        explanation: str,
        *,
        known_formats: tuple[str, ...],
        line: int | None = None,
        column: int | None = None,
        found: str | None = None,
        expected: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"no adapter recognises the document: {explanation}")
        self.reason = reason
        self.explanation = explanation
        self.known_formats = known_formats
        self.line = line
        self.column = column
        self.found = found
        self.expected = expected


class AmbiguousFormat(AdapterError):
    """Two or more adapters claim the document."""


class MalformedDocument(AdapterError):
    """The bytes are not an acceptable document. ``code`` is stable and specific; ``position`` names the
    record (0-based) when the problem belongs to one record of a batch; ``line`` / ``column`` (1-based) locate
    a syntax error in the text when the parser reports one."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        position: int | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.code = code
        self.position = position
        self.line = line
        self.column = column
        where = f" (record {position})" if position is not None else ""
        super().__init__(f"{code}: {message}{where}")
        self.message = message


class DocumentTooLarge(MalformedDocument):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__("document_too_large", f"document is {size} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit


class TranslationError(AdapterError):
    """A canonical message cannot be rendered in the requested format."""
