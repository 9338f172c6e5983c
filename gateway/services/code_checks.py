"""代码校验 at intake: apply the configured policy (:mod:`gateway.code_policy`) to the code-list problems an
adapter found (:attr:`adapters.base.Record.code_problems`).

A record under ``refuse`` with an unknown code refuses the whole document (documents are atomic), with every
such problem listed; records under ``warn`` are accepted and carry their problems as warnings, which intake
stores on the record and puts in the answer and the audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from adapters.base import Document
from gateway.code_policy import REFUSE, CodePolicy, CodesSection, policy_for
from gateway.errors import UnknownParty
from gateway.parties import Party, PartyRegistry
from schemas.divisions import check_mof_div_code
from schemas.errors import Problem, ValidationFailed

CodeWarnings = Mapping[int, tuple[Problem, ...]]
"""Record position → the code-list problems accepted as warnings for it."""


def record_region(registry: PartyRegistry, message: BaseModel) -> str | None:
    """The 9-digit division a record belongs to: its ``mof_div_code``, or its 6-digit ``adm_div_code``
    mapped through the party registry (the 本级 ``+ "000"`` convention when no party maps it)."""
    mof_div_code = getattr(message, "mof_div_code", None)
    if isinstance(mof_div_code, str) and mof_div_code:
        return mof_div_code
    adm_div_code = getattr(message, "adm_div_code", None)
    if not isinstance(adm_div_code, str) or not adm_div_code:
        return None
    try:
        return registry.mof_div_code(adm_div_code)
    except UnknownParty:
        pass
    try:
        return check_mof_div_code(adm_div_code + "000")
    except ValueError:
        return None


def apply_policy(
    section: CodesSection, registry: PartyRegistry, sender: Party, document: Document
) -> CodeWarnings:
    """The warnings to record per position; :class:`ValidationFailed` if any record's policy is ``refuse``."""
    refused: list[Problem] = []
    warnings: dict[int, tuple[Problem, ...]] = {}
    policies: dict[tuple[object, ...], CodePolicy] = {}  # one look-up per division in a batch
    for record in document.records:
        if not record.code_problems:
            continue
        message = record.message
        fields = type(message).model_fields  # getattr of an absent field raises inside pydantic: costly
        key = tuple(getattr(message, n) if n in fields else None for n in ("mof_div_code", "adm_div_code"))
        policy = policies.get(key)
        if policy is None:
            region = record_region(registry, message)
            policy = policies[key] = policy_for(section, sender.codes, region)
        if policy == REFUSE:
            refused.extend(record.code_problems)
        else:
            warnings[record.position] = record.code_problems
    if refused:
        raise ValidationFailed(refused)
    return warnings


def as_json(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
    """Problems as the API shows them (the same keys as a 422's ``detail``)."""
    return [{"path": p.path, "rule": p.rule, "value": p.value, "message": p.message} for p in problems]
