"""The base of every canonical message model and the pydantic → :class:`Problem` translation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo

from schemas.errors import Problem, ValidationFailed, short_value

M = TypeVar("M", bound=BaseModel)


class CanonicalModel(BaseModel):
    """Frozen, strict about unknown fields. Every canonical message subclasses this."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


STORED: Mapping[str, Any] = {"stored": True}
"""Validation context for a record read back from the store: rules added after it was accepted (e.g. the
2302 sign rule, the 5106 ``PlanAmt`` rule) do not apply to it: nothing accepted becomes unreadable."""


def is_stored(info: ValidationInfo) -> bool:
    """True when a validator runs on a record read back from the store (see :data:`STORED`)."""
    context = info.context
    return isinstance(context, Mapping) and bool(context.get("stored"))


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def problems_from(error: ValidationError, prefix: str = "") -> list[Problem]:
    """All problems of a pydantic ``ValidationError``, with paths, rules and short values."""
    problems = []
    for item in error.errors(include_url=False):
        path = _path(tuple(item["loc"]))
        message = str(item["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problem = Problem(path, str(item["type"]), short_value(item.get("input")), message)
        problems.append(problem.prefixed(prefix) if prefix else problem)
    return problems


def build(
    model: type[M], data: Mapping[str, Any], prefix: str = "", *, context: Mapping[str, Any] | None = None
) -> M:
    """Validate ``data`` into ``model``; on failure raise :class:`ValidationFailed` with every problem.

    A model's cross-field validator may itself raise :class:`ValidationFailed` (several problems at once);
    those problems get ``prefix`` too."""
    try:
        # what ``model.model_validate(data)`` does, without its Python wrapper (this runs once per record)
        return model.__pydantic_validator__.validate_python(data, context=context)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc, prefix)) from None
    except ValidationFailed as exc:
        if not prefix:
            raise
        raise ValidationFailed(p.prefixed(prefix) for p in exc.problems) from None
