"""Every canonical message model, keyed by its ``message_type`` discriminator, and canonical JSON.

Canonical JSON is what ``fiscalgw convert --to json`` prints and ``--from json`` reads: pydantic's JSON mode
(amounts as two-decimal strings, dates ISO 8601), ``null`` fields left out, UTF-8, keys in model order.
A batch is a JSON list of messages.

To add a module's models, add its ``MODELS`` tuple to ``_ALL_MODELS`` (one edit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from schemas import clearing, indicators, payments, statements
from schemas.base import STORED, CanonicalModel, build
from schemas.errors import Problem, ValidationFailed, short_value

_ALL_MODELS: tuple[type[CanonicalModel], ...] = (
    *indicators.MODELS,
    *payments.MODELS,
    *clearing.MODELS,
    *statements.MODELS,
)


def _message_type(model: type[CanonicalModel]) -> str:
    default = model.model_fields["message_type"].default
    if not isinstance(default, str):  # pragma: no cover - a programming error caught at import
        raise TypeError(f"{model.__name__} has no message_type default")
    return default


MESSAGE_MODELS: Mapping[str, type[CanonicalModel]] = {_message_type(m): m for m in _ALL_MODELS}
"""``message_type`` → model class, for every canonical message."""


def _prefixed(problems: Sequence[Problem], prefix: str) -> list[Problem]:
    return [p.prefixed(prefix) for p in problems] if prefix else list(problems)


def parse_canonical(obj: object, prefix: str = "", *, stored: bool = False) -> CanonicalModel:
    """Build the canonical model named by ``obj["message_type"]``. ``stored``: the record is read back from
    the store, so validation rules newer than its acceptance are not applied (:data:`schemas.base.STORED`).

    Raises :class:`ValidationFailed` with every problem (paths prefixed with ``prefix``, e.g. ``"[3]"``)."""
    if not isinstance(obj, Mapping):
        raise ValidationFailed(
            [Problem(prefix, "not_an_object", short_value(obj), "a canonical message is a JSON object")]
        )
    kind = obj.get("message_type")
    model = MESSAGE_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = ", ".join(sorted(MESSAGE_MODELS))
        problem = Problem(
            "message_type", "unknown_message_type", short_value(kind), f"expected one of {known}"
        )
        raise ValidationFailed(_prefixed([problem], prefix))
    return build(model, obj, prefix, context=STORED if stored else None)


def parse_canonical_many(obj: object) -> list[CanonicalModel]:
    """A canonical JSON value (one message object, or a list of them) → models, every problem at once."""
    items: list[Any] = obj if isinstance(obj, list) else [obj]
    models: list[CanonicalModel] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        try:
            models.append(parse_canonical(item, f"[{index}]" if isinstance(obj, list) else ""))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems)
    return models


def to_canonical_obj(model: BaseModel) -> dict[str, Any]:
    """One message as a JSON-ready dict (``None`` fields left out)."""
    return model.model_dump(mode="json", exclude_none=True)


def canonical_json(models: BaseModel | Sequence[BaseModel]) -> bytes:
    """Canonical JSON bytes: one object for a single model, a list for a sequence."""
    value: Any
    if isinstance(models, BaseModel):
        value = to_canonical_obj(models)
    else:
        value = [to_canonical_obj(m) for m in models]
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


__all__ = ["MESSAGE_MODELS", "canonical_json", "parse_canonical", "parse_canonical_many", "to_canonical_obj"]
