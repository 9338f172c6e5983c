"""Equal-length column lists, the in-memory shape the engines of :mod:`gateway.reconcile` take from the store
(one list per column, plain values: integer fen, ``date`` days, ``""`` for an absent code)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any


@dataclass
class ColumnLists:
    """Equal-length column lists; ``append`` adds one row, ``rows`` zips them (reference engine only)."""

    def __len__(self) -> int:
        first = fields(self)[0].name
        return len(getattr(self, first))

    def append(self, *values: Any) -> None:
        for spec, value in zip(fields(self), values, strict=True):
            getattr(self, spec.name).append(value)

    def extend(self, other: ColumnLists) -> None:
        for spec in fields(self):
            getattr(self, spec.name).extend(getattr(other, spec.name))

    def columns(self) -> list[list[Any]]:
        return [getattr(self, spec.name) for spec in fields(self)]

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return zip(*self.columns(), strict=True)

    def check_lengths(self) -> None:
        lengths = {spec.name: len(getattr(self, spec.name)) for spec in fields(self)}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{type(self).__name__}: columns of different lengths {lengths}")
