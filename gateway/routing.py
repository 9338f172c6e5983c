"""Authorization and routing of canonical records (issue #4 "Routing and delivery").

For each record: does the sender own what it asserts, and who receives it?

* ``transfer_indicator``: sender holds ``mof_div_code``; to the finance of ``rec_div_code`` (none for 本级).
* ``indicator_receipt``: sender holds ``rec_div_code``; to the finance of ``mof_div_code``.
* ``payment_voucher`` (5201/8202), ``quota_notice`` (5108/5106): sender is the finance of ``adm_div_code``;
  to the bank in ``pay_bank_no`` / ``pay_bank_code``; a quota notice also to the PBOC.
* ``payment_receipt`` (回单), ``refund_notice`` (2252): sender is the bank the voucher was addressed to;
  to the finance of ``adm_div_code``.
* ``clearing_request`` (2301/2302): sender is the bank in ``pay_bank_no``; to the PBOC of ``tre_code``.
* ``clearing_receipt``: sender is the PBOC of ``tre_code``; to the finance of ``adm_div_code`` and the bank.

Other canonical types (statements, CFX replies) are accepted from any party and stored without a route.

What bytes each receiver gets is its wire profile's business (:mod:`gateway.delivery.profiles`): a 2301/2302
for a PBOC on ``cfx`` goes out as a TIPS 2201/2202, and the PBOC's CFX 3143/3144 arrives here already turned
into the ``clearing_receipt`` of the stored request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from gateway.errors import UnknownParty
from gateway.parties import Party, PartyKind, PartyRegistry
from gateway.services.errors import Forbidden, Unroutable


@dataclass(frozen=True)
class Route:
    receiver: str
    rule: str


def _field(message: BaseModel, name: str) -> Any:
    return getattr(message, name, None)


def _finance_of_division(registry: PartyRegistry, code: str, what: str) -> Party:
    try:
        return registry.finance_for_division(code)
    except UnknownParty:
        raise Unroutable(f"no finance party registered for {what} {code}") from None


def _finance_of_adm(registry: PartyRegistry, adm: str) -> Party:
    try:
        return registry.finance_for_division(registry.mof_div_code(adm))
    except UnknownParty:
        raise Unroutable(f"no finance party registered for AdmDivCode {adm}") from None


def _bank(registry: PartyRegistry, message: BaseModel) -> Party:
    for name in ("pay_bank_no", "pay_bank_code"):
        code = _field(message, name)
        if isinstance(code, str) and code:
            try:
                return registry.bank(code)
            except UnknownParty:
                continue
    raise Unroutable("the record names no registered agency bank (pay_bank_no / pay_bank_code)")


def _pbc(registry: PartyRegistry, tre_code: str | None) -> Party:
    candidates = registry.of_kind(PartyKind.PBC)
    for party in candidates:
        if tre_code is not None and tre_code in (party.id, party.tre_code):
            return party
    if tre_code is None and len(candidates) == 1:
        return candidates[0]
    raise Unroutable(f"no PBOC treasury party registered for TreCode {tre_code}")


def _require(condition: bool, detail: str) -> None:
    if not condition:
        raise Forbidden(detail)


def _indicator(registry: PartyRegistry, sender: Party, m: BaseModel) -> list[Route]:
    issuer = str(_field(m, "mof_div_code"))
    _require(issuer in sender.mof_div_codes, f"{sender.id} may not issue indicators for division {issuer}")
    rec = _field(m, "rec_div_code")
    if rec is None:
        return []
    return [Route(_finance_of_division(registry, rec, "rec_div_code").id, "indicator.rec_div_code")]


def _indicator_receipt(registry: PartyRegistry, sender: Party, m: BaseModel) -> list[Route]:
    lower = str(_field(m, "rec_div_code"))
    _require(lower in sender.mof_div_codes, f"{sender.id} may not answer for division {lower}")
    upper = str(_field(m, "mof_div_code"))
    return [Route(_finance_of_division(registry, upper, "mof_div_code").id, "indicator_receipt.mof_div_code")]


def _voucher(registry: PartyRegistry, sender: Party, m: BaseModel) -> list[Route]:
    finance = _finance_of_adm(registry, str(_field(m, "adm_div_code")))
    _require(finance.id == sender.id, f"{sender.id} may not issue vouchers for division {finance.id}")
    return [Route(_bank(registry, m).id, "voucher.pay_bank")]


def _quota(registry: PartyRegistry, sender: Party, m: BaseModel) -> list[Route]:
    routes = _voucher(registry, sender, m)
    return [*routes, Route(_pbc(registry, _field(m, "tre_code")).id, "quota.pbc")]


def _bank_return(registry: PartyRegistry, sender: Party, m: BaseModel) -> list[Route]:
    _require(sender.kind is PartyKind.BANK, "only an agency bank returns 回单 and refund notices")
    if any(_field(m, name) for name in ("pay_bank_no", "pay_bank_code")):
        try:
            addressed: str | None = _bank(registry, m).id
        except Unroutable:
            addressed = None
        _require(addressed == sender.id, f"{sender.id} may only answer for vouchers addressed to it")
    return [Route(_finance_of_adm(registry, str(_field(m, "adm_div_code"))).id, "bank_return.adm_div_code")]


def _clearing_request(registry: PartyRegistry, sender: Party, m: BaseModel) -> list[Route]:
    _require(sender.kind is PartyKind.BANK, "only an agency bank sends clearing requests (2301/2302)")
    _require(_bank(registry, m).id == sender.id, f"{sender.id} may only request clearing for itself")
    return [Route(_pbc(registry, _field(m, "tre_code")).id, "clearing.tre_code")]


def _clearing_receipt(registry: PartyRegistry, sender: Party, m: BaseModel) -> list[Route]:
    pbc = _pbc(registry, _field(m, "tre_code"))
    _require(sender.id == pbc.id, f"{sender.id} is not the treasury {pbc.id}")
    routes = [Route(_finance_of_adm(registry, str(_field(m, "adm_div_code"))).id, "clearing_receipt.finance")]
    try:
        routes.append(Route(_bank(registry, m).id, "clearing_receipt.bank"))
    except Unroutable:
        pass
    return routes


_RULES: dict[str, Callable[[PartyRegistry, Party, BaseModel], list[Route]]] = {
    "transfer_indicator": _indicator,
    "indicator_receipt": _indicator_receipt,
    "payment_voucher": _voucher,
    "quota_notice": _quota,
    "payment_receipt": _bank_return,
    "refund_notice": _bank_return,
    "clearing_request": _clearing_request,
    "clearing_receipt": _clearing_receipt,
}


def message_type(message: BaseModel) -> str:
    value = _field(message, "message_type")
    return value if isinstance(value, str) else type(message).__name__


def route(registry: PartyRegistry, sender: Party, message: BaseModel) -> list[Route]:
    """Check the sender may assert ``message`` and return its receivers (raises Forbidden / Unroutable)."""
    rule = _RULES.get(message_type(message))
    return [] if rule is None else rule(registry, sender, message)
