"""Versioned code lists (值集) per region and year, as data files — never enums wired to one province.

Each file in ``data/`` is one version of a set of lists for one region (a 9-digit MOF_DIV_CODE, or
``000000000`` for the national default) effective from one fiscal year. Besides exact ``lists`` a file may
give ``prefixes`` for a list: a code that starts with one of them belongs to it too — the way the PBOC
front end itself reads 6-digit 支付方式 codes (``PayTypeCode.startsWith("001001")``, ITFE
``Voucher2301MsgServer.java``) and 资金性质 codes by their first digit (ITFE ``VoucherVerify.java``).

Resolution for (list, region, year): the region itself, then its parents up to the province, then the
national default; within a region, the newest file whose year is not after the requested year. Code values
in these files are partly *inferred* (DOMAIN.md §1.5 marks which); each file names its sources.

Model fields bound to a list carry :class:`CodeListRef` metadata; :func:`check_codes` walks a model and
reports every unknown value as a :class:`~schemas.errors.Problem` naming the list and the value. Whether
such a problem refuses a document is not decided here: adapters hand them back on
:attr:`adapters.base.Record.code_problems` and the caller applies its policy (``refuse`` | ``warn``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, get_args

from pydantic import BaseModel

from schemas.divisions import check_mof_div_code, parent_division
from schemas.errors import Problem, short_value

NATIONAL = "000000000"


@dataclass(frozen=True)
class CodeListRef:
    """Annotated metadata: this field's value must belong to code list ``name``."""

    name: str


@dataclass(frozen=True)
class CodeList:
    name: str
    region: str
    year: int
    version: str
    values: Mapping[str, str]
    prefixes: Mapping[str, str] = field(default_factory=dict)
    """Code prefix → name: every code starting with one of these belongs to the list as well."""

    def __contains__(self, code: object) -> bool:
        if code in self.values:
            return True
        return isinstance(code, str) and any(code.startswith(p) for p in self.prefixes)

    def name_of(self, code: str) -> str | None:
        """The name of ``code``: its own, or that of the longest prefix it starts with."""
        if code in self.values:
            return self.values[code]
        matching = [p for p in self.prefixes if code.startswith(p)]
        return self.prefixes[max(matching, key=len)] if matching else None


@dataclass(frozen=True)
class _Release:
    region: str
    year: int
    version: str
    lists: Mapping[str, Mapping[str, str]]
    prefixes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def defines(self, name: str) -> bool:
        return name in self.lists or name in self.prefixes


class CodeListRegistry:
    """All known releases; answers which list applies to a (region, year)."""

    def __init__(self, releases: list[_Release]) -> None:
        self._releases = sorted(releases, key=lambda r: (r.region, r.year))
        self._resolved: dict[tuple[str, str, int], CodeList | None] = {}
        self._plans: dict[tuple[type[BaseModel], str, int], _Plan] = {}

    @classmethod
    def from_mappings(cls, documents: list[Mapping[str, Any]]) -> CodeListRegistry:
        releases = [
            _Release(
                region=str(doc["region"]),
                year=int(doc["year"]),
                version=str(doc["version"]),
                lists={k: dict(v) for k, v in doc["lists"].items()},
                prefixes={k: dict(v) for k, v in doc.get("prefixes", {}).items()},
            )
            for doc in documents
        ]
        return cls(releases)

    def _regions_for(self, region: str) -> Iterator[str]:
        seen = region
        while seen:
            yield seen
            try:
                parent = parent_division(seen)
            except ValueError:
                parent = None
            if parent is None or parent == "100000000":
                break
            seen = parent
        yield NATIONAL

    def get(self, name: str, region: str = NATIONAL, year: int = 9999) -> CodeList:
        """The list ``name`` in force for ``region`` in ``year``; ``KeyError`` if none defines it.

        Answers are memoised: the releases never change after construction."""
        key = (name, region, year)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(name, region, year)
        found = self._resolved[key]
        if found is None:
            raise KeyError(f"no code list {name!r} for region {region} in {year}")
        return found

    def find(self, name: str, region: str = NATIONAL, year: int = 9999) -> CodeList | None:
        """Like :meth:`get`, but ``None`` when no list applies (the memoised fast path)."""
        key = (name, region, year)
        try:
            return self._resolved[key]
        except KeyError:
            found = self._resolved[key] = self._resolve(name, region, year)
            return found

    def _resolve(self, name: str, region: str, year: int) -> CodeList | None:
        for candidate in self._regions_for(region):
            matching = [
                r for r in self._releases if r.region == candidate and r.year <= year and r.defines(name)
            ]
            if matching:
                release = matching[-1]
                return CodeList(
                    name,
                    release.region,
                    release.year,
                    release.version,
                    release.lists.get(name, {}),
                    release.prefixes.get(name, {}),
                )
        return None

    def check(self, name: str, value: str, region: str, year: int, path: str) -> Problem | None:
        try:
            code_list = self.get(name, region, year)
        except KeyError:
            return Problem(
                path,
                f"code_list:{name}",
                short_value(value),
                f"no code list {name} is configured for {region}/{year}",
            )
        if value in code_list:
            return None
        return Problem(
            path,
            f"code_list:{name}",
            short_value(value),
            f"{value!r} is not in code list {name} (version {code_list.version}, "
            f"region {code_list.region}, from {code_list.year})",
        )


@lru_cache(maxsize=1)
def default_registry() -> CodeListRegistry:
    """The code lists shipped with the package (``schemas/codelists/data/*.json``)."""
    documents = []
    for entry in sorted(resources.files(__package__).joinpath("data").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            documents.append(json.loads(entry.read_text(encoding="utf-8")))
    return CodeListRegistry.from_mappings(documents)


def _code_list_refs(metadata: list[Any], annotation: Any) -> list[CodeListRef]:
    """``CodeListRef`` markers on a field, including inside ``Annotated[...] | None`` (optional fields)."""
    refs = [m for m in metadata if isinstance(m, CodeListRef)]
    for arg in get_args(annotation):
        refs.extend(m for m in getattr(arg, "__metadata__", ()) if isinstance(m, CodeListRef))
    return refs


def _may_hold_models(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    return any(_may_hold_models(arg) for arg in get_args(annotation))


@lru_cache(maxsize=256)
def _bound_fields(model: type[BaseModel]) -> tuple[tuple[str, str | None], ...]:
    """``(field, code list name or None)`` for the fields of ``model`` that are bound to a code list or may
    hold nested models; computed once per class."""
    out = []
    for field_name, info in model.model_fields.items():
        refs = _code_list_refs(info.metadata, info.annotation)
        if refs or _may_hold_models(info.annotation):
            out.append((field_name, refs[0].name if refs else None))
    return tuple(out)


_Plan = tuple[tuple[str, str | None, "Mapping[str, str] | None"], ...]
"""Per (model class, region, year): ``(field, code list name or None, that list's values or None)`` for the
fields :func:`_bound_fields` names — the code lists resolved once instead of per value."""


def _plan(model: type[BaseModel], registry: CodeListRegistry, region: str, year: int) -> _Plan:
    key = (model, region, year)
    plan = registry._plans.get(key)
    if plan is None:
        steps = []
        for field_name, list_name in _bound_fields(model):
            found = registry.find(list_name, region, year) if list_name is not None else None
            steps.append((field_name, list_name, found.values if found is not None else None))
        plan = registry._plans[key] = tuple(steps)
    return plan


def check_codes(
    model: BaseModel, registry: CodeListRegistry, region: str, year: int, path: str = ""
) -> list[Problem]:
    """Every value of ``model`` (recursively) that is not in its bound code list."""
    problems: list[Problem] = []
    for field_name, list_name, values in _plan(type(model), registry, region, year):
        value = getattr(model, field_name)
        if list_name is not None:
            if value is None or value == "":
                continue
            text = str(value)
            if values is not None and text in values:
                continue  # the common case: a known code
            here = f"{path}.{field_name}" if path else field_name
            problem = registry.check(list_name, text, region, year, here)
            if problem is not None:  # pragma: no branch - the membership test above already failed
                problems.append(problem)
            continue
        here = f"{path}.{field_name}" if path else field_name
        if isinstance(value, BaseModel):
            problems.extend(check_codes(value, registry, region, year, here))
        elif isinstance(value, tuple | list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    problems.extend(check_codes(item, registry, region, year, f"{here}[{index}]"))
    return problems


def message_code_problems(message: BaseModel, path: str = "") -> list[Problem]:
    """:func:`check_codes` of one canonical message against the shipped lists of its own division and year:
    ``mof_div_code``, else the 本级 ``adm_div_code + "000"`` (*inferred*, DOMAIN.md §1.2), else national."""
    region = getattr(message, "mof_div_code", None)
    if not isinstance(region, str) or not region:
        adm_div_code = getattr(message, "adm_div_code", None)
        region = f"{adm_div_code}000" if isinstance(adm_div_code, str) and adm_div_code else NATIONAL
    if region != NATIONAL:
        try:
            check_mof_div_code(region)
        except ValueError:
            region = NATIONAL
    year = getattr(message, "fiscal_year", None) or getattr(message, "st_year", None) or 9999
    return check_codes(message, default_registry(), region, int(year), path)
