"""The party registry: natural ids, division codes, the 9 ↔ 6 digit mapping, channels."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gateway.errors import ConfigError, UnknownParty
from gateway.parties import Party, PartyKind, PartyRegistry


def finance(code: str, **extra: Any) -> Party:
    fields: dict[str, Any] = {
        "id": code,
        "kind": "finance",
        "name": f"财政 {code}",
        "certificate": f"certs/{code}.crt.pem",
        "adm_div_codes": {code: code[:6]},
    }
    fields.update(extra)
    return Party.model_validate(fields)


def test_finance_party_speaks_for_its_own_division_by_default() -> None:
    party = finance("330300000")
    assert party.mof_div_codes == ("330300000",)
    assert party.channel == "pull"


def test_push_url_makes_a_push_channel() -> None:
    assert finance("330300000", push_url="http://127.0.0.1:9001/push").channel == "push"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "33030000", "kind": "finance"}, "MOF_DIV_CODE"),
        ({"id": "10210000000", "kind": "bank"}, "12-digit"),
        ({"id": "33-1", "kind": "pbc"}, "TreCode"),
        ({"id": "330300000", "kind": "finance", "public_key": "04ab"}, "exactly one of certificate"),
        ({"id": "330300000", "kind": "finance", "push_url": "ftp://x"}, "http"),
        ({"id": "330300000", "kind": "finance", "adm_div_codes": {"330324000": "330324"}}, "does not hold"),
        ({"id": "330300000", "kind": "finance", "adm_div_codes": {"330300000": "3303"}}, "6 digits"),
        ({"id": "330300000", "kind": "finance", "signature": {"user_id": ""}}, "user_id"),
    ],
)
def test_bad_party_entries_are_rejected_with_the_reason(fields: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {"name": "x", "certificate": "c.pem"}
    base.update(fields)
    with pytest.raises(ValidationError, match=message):
        Party.model_validate(base)


def test_registry_maps_divisions_both_ways() -> None:
    registry = PartyRegistry([finance("330000000"), finance("330300000"), finance("330324000")])
    assert registry.finance_for_division("330324000").id == "330324000"
    assert registry.adm_div_code("330300000") == "330300"
    assert registry.mof_div_code("330324") == "330324000"
    assert [p.id for p in registry.of_kind(PartyKind.FINANCE)] == ["330000000", "330300000", "330324000"]


def test_registry_lookups_name_what_is_missing() -> None:
    registry = PartyRegistry([finance("330300000")])
    with pytest.raises(UnknownParty, match="id '999'"):
        registry.get("999")
    with pytest.raises(UnknownParty, match="division '330324000'"):
        registry.finance_for_division("330324000")
    with pytest.raises(UnknownParty, match="AdmDivCode '110000'"):
        registry.mof_div_code("110000")


def test_registry_refuses_duplicate_ids_and_divisions() -> None:
    with pytest.raises(ConfigError, match="registered twice"):
        PartyRegistry([finance("330300000"), finance("330300000")])
    with pytest.raises(ConfigError, match="claimed by both"):
        PartyRegistry([finance("330300000"), finance("330324000", mof_div_codes=["330300000", "330324000"])])
