"""Authorization and routing of canonical records (issue #4 "Routing and delivery", issue 13).

For each record: may this sender send this type at all, does it own what the record asserts, and who
receives it? :data:`SENDER_RULES` holds one rule per canonical message type (every ``message_type`` of
:data:`schemas.messages.MESSAGE_MODELS`; ``tests/gateway/test_sender_rules.py`` fails when a type has none).
A type without a rule is refused from everyone (default deny), like a party kind the rule does not list:
``403 forbidden``.

=================================  ===========  ========================================================
type                               who          owns / routed to
=================================  ===========  ========================================================
``transfer_indicator``             finance      holds ``mof_div_code``; to the finance of ``rec_div_code``
``indicator_receipt``              finance      holds ``rec_div_code``; to the finance of ``mof_div_code``
``payment_voucher`` (5201/8202)    finance      of ``adm_div_code``; to the bank in ``pay_bank_code``
``quota_notice`` (5108/5106)       finance      of ``adm_div_code``; to the bank and the PBOC
``payment_receipt`` (回单)          bank         the stored voucher was routed to it; to the finance
``refund_notice`` (2252)           bank         the stored ``original_voucher_no`` was routed to it
``clearing_request`` (2301/2302)   bank         ``pay_bank_no`` is itself and every voucher in its details
                                                was routed to it; to the PBOC of ``tre_code``
``clearing_receipt``               PBOC         of ``tre_code``; to the finance and the bank
``voucher_reconciliation_stmt``    PBOC         3501 / 3502 are the treasury's (人民银行与财政 / 与代理银行
                                                凭证对账), for a registered ``adm_div_code``; stored
``quota_reconciliation_stmt``      PBOC/fin.    3510 清算额度对账 from the PBOC of ``tre_code``; 5510, its
                                                财政回执, from the finance of ``adm_div_code``; stored
``pboc_clearing_receipt``          PBOC         of ``tre_code`` (a CFX 3143/3144 is turned into the
                                                ``clearing_receipt`` of its request before routing)
``pboc_quota_receipt`` (3133/4)    PBOC         of ``tre_code``; stored
``general_reply`` (9120)           PBOC         stored
``connectivity_test`` (9005)       PBOC         stored
``pboc_clearing_apply`` (2201/2)   nobody       the gateway renders them from a bank's 2301/2302
``pboc_quota`` (5102/5103)         nobody       finance sends quota notices as 5108/5106 e-vouchers
=================================  ===========  ========================================================

The VtCode prefixes follow the e-voucher library's convention (DOMAIN.md §2.2): 3xxx documents are the
treasury's (3501, 3502, 3510, 3208 …), 5xxx finance's (5201, 5108, 5510 财政回执 …), 2xxx the banks'
(2301, 2252 …).

A bank's answer is bound to the stored voucher (issue 13): the caller looks up, in one query per document,
the banks the vouchers the document names (:func:`voucher_references`) were routed to, and passes the
result in; a voucher the gateway never routed is :class:`VoucherUnknown` (``422 voucher_unknown``), one
routed to another bank is ``403 forbidden``. The document's own bank fields (``PayBankCode`` /
``PayBankNo``) naming another bank are refused first, without the look-up result.

What bytes each receiver gets is its wire profile's business (:mod:`gateway.services.profiles`): a 2301/2302
for a PBOC on ``cfx`` goes out as a TIPS 2201/2202, and the PBOC's CFX 3143/3144 arrives here already turned
into the ``clearing_receipt`` of the stored request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from gateway.errors import UnknownParty
from gateway.model import RoutedVoucher
from gateway.parties import Party, PartyKind, PartyRegistry
from gateway.services.errors import Forbidden, Unroutable, VoucherUnknown

VoucherKey = tuple[str, str]
"""(AdmDivCode, VoucherNo) of a payment voucher."""

RoutedVouchers = Mapping[VoucherKey, Sequence[RoutedVoucher]]
"""What the store knows of the vouchers a document names: each stored voucher and the bank it went to."""

_NONE: RoutedVouchers = {}

VOUCHER_BANK_RULE = "voucher.pay_bank"
"""The route rule that sends a voucher to its agency bank: its receiver is the bank it was routed to."""


@dataclass(frozen=True)
class Route:
    receiver: str
    rule: str


Check = Callable[[PartyRegistry, Party, BaseModel, RoutedVouchers], list[Route]]


@dataclass(frozen=True)
class SenderRule:
    """Who may send one message type (``kinds``; empty = nobody) and the ownership check that returns the
    record's receivers (raising :class:`Forbidden` / :class:`Unroutable` / :class:`VoucherUnknown`)."""

    kinds: frozenset[PartyKind]
    who: str
    """The refusal's reason when the sender's kind is not listed, e.g. "only an agency bank …"."""
    check: Check


_ABSENT: dict[tuple[type[BaseModel], str], bool] = {}
"""(model class, name) → the class has no such field, property or attribute (decided once per class)."""


def _field(message: BaseModel, name: str) -> Any:
    """``message.name``, ``None`` if its class has no such field: asking a pydantic model for an attribute
    it lacks raises inside ``__getattr__`` (the agency bank's ``pay_bank_no`` of every 5201 in an envelope
    cost more than the rest of its routing), so an absent name is remembered per class."""
    cls = type(message)
    key = (cls, name)
    absent = _ABSENT.get(key)
    if absent is None:
        absent = (
            name not in cls.model_fields
            and cls.model_config.get("extra") != "allow"
            and not hasattr(cls, name)
        )
        _ABSENT[key] = absent
    return None if absent else getattr(message, name, None)


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


# ---- finance ----------------------------------------------------------------------------------------------


def _indicator(registry: PartyRegistry, sender: Party, m: BaseModel, _v: RoutedVouchers) -> list[Route]:
    issuer = str(_field(m, "mof_div_code"))
    _require(issuer in sender.mof_div_codes, f"{sender.id} may not issue indicators for division {issuer}")
    rec = _field(m, "rec_div_code")
    if rec is None:
        return []
    return [Route(_finance_of_division(registry, rec, "rec_div_code").id, "indicator.rec_div_code")]


def _indicator_receipt(
    registry: PartyRegistry, sender: Party, m: BaseModel, _v: RoutedVouchers
) -> list[Route]:
    lower = str(_field(m, "rec_div_code"))
    _require(lower in sender.mof_div_codes, f"{sender.id} may not answer for division {lower}")
    upper = str(_field(m, "mof_div_code"))
    return [Route(_finance_of_division(registry, upper, "mof_div_code").id, "indicator_receipt.mof_div_code")]


def _own_division(registry: PartyRegistry, sender: Party, m: BaseModel, what: str) -> None:
    finance = _finance_of_adm(registry, str(_field(m, "adm_div_code")))
    _require(finance.id == sender.id, f"{sender.id} may not issue {what} for division {finance.id}")


def _voucher(registry: PartyRegistry, sender: Party, m: BaseModel, _v: RoutedVouchers) -> list[Route]:
    _own_division(registry, sender, m, "vouchers")
    return [Route(_bank(registry, m).id, VOUCHER_BANK_RULE)]


def _quota(registry: PartyRegistry, sender: Party, m: BaseModel, v: RoutedVouchers) -> list[Route]:
    routes = _voucher(registry, sender, m, v)
    return [*routes, Route(_pbc(registry, _field(m, "tre_code")).id, "quota.pbc")]


# ---- agency banks: answers bound to the stored voucher --------------------------------------------------


def voucher_references(message: BaseModel) -> tuple[VoucherKey, ...]:
    """The payment vouchers a bank's answer speaks for: a 回单's own VoucherNo, a 2252's OriginalVoucherNo,
    the VoucherNo of every detail of a 2301/2302 (details naming none are not reconciled and bind nothing).
    Empty for every other type."""
    kind = message_type(message)
    adm = _field(message, "adm_div_code")
    if not isinstance(adm, str):
        return ()
    if kind == "payment_receipt":
        numbers: list[Any] = [_field(message, "voucher_no")]
    elif kind == "refund_notice":
        numbers = [_field(message, "original_voucher_no")]
    elif kind == "clearing_request":
        numbers = [_field(d, "voucher_no") for d in _field(message, "details") or ()]
    else:
        return ()
    return tuple(dict.fromkeys((adm, n) for n in numbers if isinstance(n, str) and n))


def _own_field_bank(registry: PartyRegistry, sender: Party, m: BaseModel) -> None:
    """The fast refusal: the document's own bank fields name another (or no registered) bank."""
    if any(_field(m, name) for name in ("pay_bank_no", "pay_bank_code")):
        try:
            addressed: str | None = _bank(registry, m).id
        except Unroutable:
            addressed = None
        _require(addressed == sender.id, f"{sender.id} may only answer for vouchers addressed to it")


def bound_voucher(sender: Party, key: VoucherKey, vouchers: RoutedVouchers) -> RoutedVoucher:
    """The stored voucher ``key`` routed to ``sender`` (VoucherUnknown / Forbidden otherwise)."""
    adm, number = key
    stored = vouchers.get(key, ())
    if not stored:
        raise VoucherUnknown(f"voucher {number} of AdmDivCode {adm} was never routed by the gateway")
    for voucher in stored:
        if voucher.bank == sender.id:
            return voucher
    raise Forbidden(
        f"{sender.id} may only answer for vouchers addressed to it: "
        f"voucher {number} of AdmDivCode {adm} was routed to another bank"
    )


def _bank_return(registry: PartyRegistry, sender: Party, m: BaseModel, v: RoutedVouchers) -> list[Route]:
    _own_field_bank(registry, sender, m)
    for key in voucher_references(m):
        bound_voucher(sender, key, v)
    return [Route(_finance_of_adm(registry, str(_field(m, "adm_div_code"))).id, "bank_return.adm_div_code")]


def _clearing_request(registry: PartyRegistry, sender: Party, m: BaseModel, v: RoutedVouchers) -> list[Route]:
    _require(_bank(registry, m).id == sender.id, f"{sender.id} may only request clearing for itself")
    for key in voucher_references(m):
        bound_voucher(sender, key, v)
    return [Route(_pbc(registry, _field(m, "tre_code")).id, "clearing.tre_code")]


# ---- the PBOC treasury ------------------------------------------------------------------------------------


def _own_treasury(registry: PartyRegistry, sender: Party, m: BaseModel) -> Party:
    pbc = _pbc(registry, _field(m, "tre_code"))
    _require(sender.id == pbc.id, f"{sender.id} is not the treasury {pbc.id}")
    return pbc


def _clearing_receipt(
    registry: PartyRegistry, sender: Party, m: BaseModel, _v: RoutedVouchers
) -> list[Route]:
    _own_treasury(registry, sender, m)
    routes = [Route(_finance_of_adm(registry, str(_field(m, "adm_div_code"))).id, "clearing_receipt.finance")]
    try:
        routes.append(Route(_bank(registry, m).id, "clearing_receipt.bank"))
    except Unroutable:
        pass
    return routes


def _treasury_record(registry: PartyRegistry, sender: Party, m: BaseModel, _v: RoutedVouchers) -> list[Route]:
    """A TIPS answer carrying its ``TreCode``: the sender must be that treasury. Stored, not routed."""
    _own_treasury(registry, sender, m)
    return []


def _treasury_plain(
    _registry: PartyRegistry, _sender: Party, _m: BaseModel, _v: RoutedVouchers
) -> list[Route]:
    """A TIPS reply naming no treasury or division (9120, 9005): the kind check is all. Stored."""
    return []


def _voucher_statement(
    registry: PartyRegistry, _sender: Party, m: BaseModel, _v: RoutedVouchers
) -> list[Route]:
    """3501 / 3502: the treasury's statement for a division the gateway serves. Stored, not routed (its
    role in a reconciliation depends on who sent it; the file CLI takes it as an explicit input)."""
    _finance_of_adm(registry, str(_field(m, "adm_div_code")))
    return []


def _quota_statement(registry: PartyRegistry, sender: Party, m: BaseModel, _v: RoutedVouchers) -> list[Route]:
    """3510 from the treasury of its ``TreCode`` for a division the gateway serves; 5510 (财政回执) from
    that division's finance. Stored, not routed; payment runs read their balance lines."""
    vt_code = _field(m, "vt_code")
    if vt_code == "5510":
        _require(sender.kind is PartyKind.FINANCE, "a 5510 清算额度对账回执 comes from finance only")
        _own_division(registry, sender, m, "5510 quota statement replies")
        return []
    _require(sender.kind is PartyKind.PBC, f"a {vt_code} 清算额度对账 comes from the PBOC treasury only")
    _own_treasury(registry, sender, m)
    _finance_of_adm(registry, str(_field(m, "adm_div_code")))
    return []


def _refused(_registry: PartyRegistry, _sender: Party, m: BaseModel, _v: RoutedVouchers) -> list[Route]:
    raise Forbidden(f"{message_type(m)} is not accepted from any party")  # pragma: no cover - kinds is empty


_FINANCE = frozenset({PartyKind.FINANCE})
_BANK = frozenset({PartyKind.BANK})
_PBC = frozenset({PartyKind.PBC})
_NOBODY: frozenset[PartyKind] = frozenset()

SENDER_RULES: Mapping[str, SenderRule] = {
    "transfer_indicator": SenderRule(_FINANCE, "only a finance party issues indicators", _indicator),
    "indicator_receipt": SenderRule(_FINANCE, "only a finance party answers indicators", _indicator_receipt),
    "payment_voucher": SenderRule(_FINANCE, "only a finance party issues payment vouchers", _voucher),
    "quota_notice": SenderRule(_FINANCE, "only a finance party issues quota notices", _quota),
    "payment_receipt": SenderRule(_BANK, "only an agency bank returns 回单 and refund notices", _bank_return),
    "refund_notice": SenderRule(_BANK, "only an agency bank returns 回单 and refund notices", _bank_return),
    "clearing_request": SenderRule(
        _BANK, "only an agency bank sends clearing requests (2301/2302)", _clearing_request
    ),
    "clearing_receipt": SenderRule(
        _PBC, "only the PBOC treasury answers clearing requests", _clearing_receipt
    ),
    "voucher_reconciliation_statement": SenderRule(
        _PBC, "3501 / 3502 凭证对账 come from the PBOC treasury only", _voucher_statement
    ),
    "quota_reconciliation_statement": SenderRule(
        _PBC | _FINANCE, "3510 comes from the PBOC treasury, 5510 from finance", _quota_statement
    ),
    "pboc_clearing_receipt": SenderRule(
        _PBC, "only the PBOC treasury sends TIPS 3143/3144", _treasury_record
    ),
    "pboc_quota_receipt": SenderRule(_PBC, "only the PBOC treasury sends TIPS 3133/3134", _treasury_record),
    "general_reply": SenderRule(_PBC, "only the PBOC treasury sends TIPS 9120 replies", _treasury_plain),
    "connectivity_test": SenderRule(_PBC, "only the PBOC treasury sends TIPS 9005 tests", _treasury_plain),
    "pboc_clearing_apply": SenderRule(
        _NOBODY, "TIPS 2201/2202 are rendered by the gateway from a bank's 2301/2302; send those", _refused
    ),
    "pboc_quota": SenderRule(
        _NOBODY, "TIPS 5102/5103 are not accepted; finance sends 5108/5106 quota notices", _refused
    ),
}
"""Every canonical message type → who may send it and the ownership check (see the module docstring)."""


def message_type(message: BaseModel) -> str:
    value = _field(message, "message_type")
    return value if isinstance(value, str) else type(message).__name__


def route(
    registry: PartyRegistry, sender: Party, message: BaseModel, vouchers: RoutedVouchers = _NONE
) -> list[Route]:
    """Check the sender may send ``message`` and return its receivers (raises Forbidden / Unroutable /
    VoucherUnknown). ``vouchers``: the stored vouchers the message names (:func:`voucher_references`)."""
    kind = message_type(message)
    rule = SENDER_RULES.get(kind)
    if rule is None:  # default deny: a canonical type nobody wrote a rule for
        raise Forbidden(f"{kind} is not accepted from any party")
    if sender.kind not in rule.kinds:
        raise Forbidden(f"{sender.id} may not send {kind}: {rule.who}")
    return rule.check(registry, sender, message, vouchers)
