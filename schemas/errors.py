"""
Exceptions raised by schemas/.

* SchemaError                  - base class of every error raised by this package
  + ValidationFailed(problems) - one or more problems; all problems of a document are reported at once

A :class:`Problem` names the field path, the rule that failed and the offending value (truncated, never a
whole document), so an operator can find it without the original at hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_MAX_VALUE_CHARS = 80


def short_value(value: object) -> str | None:
    """A bounded, single-line rendering of an offending value for error messages."""
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return text


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (``path``), which rule, which value, and a human message."""

    path: str
    rule: str
    value: str | None
    message: str

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (value: {self.value!r})"
        return f"{self.path}: {self.rule}: {self.message}{shown}"

    def prefixed(self, prefix: str) -> Problem:
        """The same problem with ``prefix`` put in front of its path (e.g. a record position)."""
        if not self.path:
            return Problem(prefix, self.rule, self.value, self.message)
        sep = "" if self.path.startswith("[") else "."
        return Problem(f"{prefix}{sep}{self.path}", self.rule, self.value, self.message)


class SchemaError(Exception):
    """Base class for every error raised by schemas/."""


class ValidationFailed(SchemaError):
    """A document or message broke one or more rules; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("ValidationFailed needs at least one problem")
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}")
