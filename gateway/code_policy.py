"""代码校验 policy: what a value outside its code list (值集, :mod:`schemas.codelists`) does to a document.

Real systems send codes our shipped lists do not hold — 6-digit 支付方式 (``001001``, "财政普遍采用的是6位"),
regional 资金性质 (``11111``). So the answer is configured, per counterparty and per region:

* ``warn`` (the default on a stock install): the document is accepted and each unknown value is recorded on
  its stored record — in the answer of ``POST /v1/messages``, in trace (API and page, 代码校验警告) and in
  the audit entry;
* ``refuse``: the document is refused as before (422 ``schema_validation_failed``, each problem's rule
  ``code_list:<LIST>`` naming the list and the value).

Which policy applies to one record: the sending party's ``codes`` if set; else the most specific entry of
``[codes.regions]`` for the record's division (the division itself, then its city, then its province);
else ``[codes] policy``. Configuration::

    [codes]
    policy = "warn"                  # refuse | warn
    regions = { "310000000" = "refuse" }

    [[parties]]
    id = "330000000"
    codes = "refuse"                 # this counterparty's documents, whatever their division
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from schemas.divisions import check_mof_div_code, parent_division

CodePolicy = Literal["refuse", "warn"]
REFUSE: CodePolicy = "refuse"
WARN: CodePolicy = "warn"


class CodesSection(BaseModel):
    """``[codes]``: the default policy and per-region overrides (9-digit MOF_DIV_CODE → policy)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: CodePolicy = WARN
    regions: dict[str, CodePolicy] = {}

    @field_validator("regions")
    @classmethod
    def _regions_are_divisions(cls, value: dict[str, CodePolicy]) -> dict[str, CodePolicy]:
        for code in value:
            try:
                check_mof_div_code(code)
            except ValueError as exc:
                raise ValueError(f"codes.regions key {code!r}: {exc}") from None
        return value

    def for_region(self, region: str | None) -> CodePolicy:
        """The policy of ``region`` (a 9-digit MOF_DIV_CODE, or None when the record names none)."""
        for code in _self_and_parents(region):
            found = self.regions.get(code)
            if found is not None:
                return found
        return self.policy


def _self_and_parents(region: str | None) -> Iterator[str]:
    seen = region
    while seen:
        yield seen
        try:
            seen = parent_division(seen)
        except ValueError:
            return


def policy_for(section: CodesSection, party_policy: CodePolicy | None, region: str | None) -> CodePolicy:
    """The policy of one record: the counterparty's own, else its region's, else the default."""
    return party_policy if party_policy is not None else section.for_region(region)
