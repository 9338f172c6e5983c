"""Every canonical message type has an explicit sender rule (issue 13, item 2), and the rules say exactly
who may send what: every sample of every type × every party of the demo registry (province, city, county
finance; the agency bank; the PBOC treasury), allowed or ``403 forbidden``. Default deny: a type without a
rule is refused from everyone, and this file fails when a canonical type is added without one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from adapters.base import Record
from adapters.registry import default_registry
from gateway.config import load_settings
from gateway.model import RoutedVoucher
from gateway.parties import PartyKind, PartyRegistry
from gateway.routing import SENDER_RULES, message_type, route, voucher_references
from gateway.services.errors import Forbidden
from schemas.indicators import IndicatorReceipt
from schemas.messages import MESSAGE_MODELS
from tests.adapters.payments_samples import CFX_SAMPLES, EVOUCHER_SAMPLES, cfx_document, evoucher_document
from tests.gateway.samples import indicator_document, indicator_row

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
BANK, PBC = "102333300018", "3303240000"
PARTIES = (PROVINCE, CITY, COUNTY, BANK, PBC)


def _indicator() -> BaseModel:
    body = indicator_document(indicator_row(CITY, COUNTY, "3303002026SR01", Decimal("1.00")))
    return default_registry().identify(body).parse(body).records[0].message


def _indicator_receipt() -> BaseModel:
    return IndicatorReceipt.model_validate(
        {
            "bgt_id": "3303002026SR01",
            "mof_div_code": CITY,
            "rec_div_code": COUNTY,
            "fiscal_year": 2026,
            "rec_status": "1",
            "rec_bgt_id": "3303242026SR01",
            "rec_time": "2026-01-21T10:00:00",
        }
    )


def samples() -> dict[str, BaseModel]:
    """One record of every sample document (the county's e-vouchers and the treasury's CFX packages) and
    the city → county indicator and the county's 接收回执."""
    found: dict[str, BaseModel] = {}
    records: list[tuple[str, Record]] = []
    for name in EVOUCHER_SAMPLES:
        records += [(f"evoucher {name}", r) for r in evoucher_document(name).records[:1]]
    for name in CFX_SAMPLES:
        records += [(f"cfx {name}", r) for r in cfx_document(name).records[:1]]
    for name, record in records:
        found[name] = record.message
    found["mof indicator"] = _indicator()
    found["mof indicator receipt"] = _indicator_receipt()
    return found


SAMPLES = samples()

ALLOWED: dict[str, frozenset[str]] = {
    "evoucher 5201": frozenset({COUNTY}),  # finance of the AdmDivCode
    "evoucher 8202": frozenset({COUNTY}),
    "evoucher 5108": frozenset({COUNTY}),
    "evoucher 5106": frozenset({COUNTY}),
    "evoucher 5201_receipt": frozenset({BANK}),  # the bank the voucher was routed to
    "evoucher 2252": frozenset({BANK}),
    "evoucher 2301": frozenset({BANK}),
    "evoucher 2302": frozenset({BANK}),
    "evoucher 2301_receipt": frozenset({PBC}),  # the treasury of the TreCode
    "evoucher 3501": frozenset({PBC}),  # 3xxx: the treasury's statements
    "evoucher 3502": frozenset({PBC}),
    "evoucher 3510": frozenset({PBC}),
    "evoucher 5510": frozenset({COUNTY}),  # 5xxx: finance's 回执
    "cfx 2201": frozenset(),  # rendered by the gateway from a 2301; nobody sends it in
    "cfx 2202": frozenset(),
    "cfx 5102": frozenset(),  # finance sends 5108/5106 e-vouchers instead
    "cfx 5103": frozenset(),
    "cfx 3143": frozenset({PBC}),
    "cfx 3144": frozenset({PBC}),
    "cfx 3133": frozenset({PBC}),
    "cfx 3134": frozenset({PBC}),
    "cfx 9120": frozenset({PBC}),
    "cfx 9005": frozenset({PBC}),
    "mof indicator": frozenset({CITY}),  # the issuer holds MOF_DIV_CODE
    "mof indicator receipt": frozenset({COUNTY}),  # the receiver holds REC_DIV_CODE
}


@pytest.fixture
def registry(demo_template: Path) -> PartyRegistry:
    return PartyRegistry(load_settings(demo_template).parties)


def test_every_canonical_type_has_a_sender_rule() -> None:
    """Computed from the schemas: adding a canonical type without a rule fails here."""
    assert set(SENDER_RULES) == set(MESSAGE_MODELS)


def test_the_samples_cover_every_canonical_type_and_the_expectations_every_sample() -> None:
    assert {message_type(m) for m in SAMPLES.values()} == set(MESSAGE_MODELS)
    assert set(ALLOWED) == set(SAMPLES)


def test_the_demo_registry_has_every_party_kind(registry: PartyRegistry) -> None:
    assert {registry.get(p).kind for p in PARTIES} == set(PartyKind)


@pytest.mark.parametrize("sender", PARTIES)
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_who_may_send_each_type(registry: PartyRegistry, name: str, sender: str) -> None:
    message = SAMPLES[name]
    vouchers = {key: [RoutedVoucher(*key, BANK, "102")] for key in voucher_references(message)}
    party = registry.get(sender)
    if sender in ALLOWED[name]:
        route(registry, party, message, vouchers)  # raises nothing
    else:
        with pytest.raises(Forbidden):
            route(registry, party, message, vouchers)


def test_a_type_without_a_rule_is_refused_from_everyone(
    registry: PartyRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway import routing

    message = SAMPLES["evoucher 3510"]
    monkeypatch.setattr(
        routing, "SENDER_RULES", {k: v for k, v in SENDER_RULES.items() if k != message_type(message)}
    )
    for sender in PARTIES:
        with pytest.raises(Forbidden, match="is not accepted from any party"):
            route(registry, registry.get(sender), message)
