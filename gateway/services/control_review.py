"""控制 by people: loading a rule file version, and the ops review of held vouchers (放行 / 退回).

* :func:`load_rules` — a TOML rule file becomes the next ``control_rule_sets`` version (audited
  ``control.rules_loaded`` with the SM3 of the file); intake decides with the newest version.
* :func:`release` (放行) — the held voucher is checked again with the current rules, as reviewed (the
  大额支付 rule is the review itself; every other rule still applies, so a voucher held for an exhausted
  indicator is released only once the indicator has the balance — 先有指标后有支出). It passes: its amount
  is reserved, it is put in the outbox to the receivers it was routed to at intake, audited
  ``control.released``; it joins the payment chain (its ``payment_lines`` row) only now, so a payment
  reconciliation never expects a 回单 for a voucher the bank was not sent. It fails: 409 ``conflict``
  naming the codes, nothing changed.
* :func:`refuse` (退回) — the held voucher is never routed; audited ``control.refused`` with the reason.
  The sender learns it from the trace / ops, not from a wire message (no 退回 message type is implemented).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway import audit
from gateway.model import MessageStatus, NewOutboxItem
from gateway.payment_lines import lines_of
from gateway.rows import Spend
from gateway.services import control, profiles
from gateway.services.control_rules import CODES, parse
from gateway.services.errors import BadRequest, Conflict, NotFound
from gateway.services.ports import ServiceContext, UnitOfWork
from schemas.payments import PaymentVoucher
from signing import sm3_hex


@dataclass(frozen=True)
class Loaded:
    version: int
    source_sm3: str
    divisions: int


def load_rules(gw: ServiceContext, text: str, actor: str) -> Loaded:
    """Store the rule file as a new version (raises ``control_rules_invalid`` naming the first problem)."""
    rules = parse(text)
    digest = sm3_hex(text.encode("utf-8"))
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        version = uow.control_rules.add(rules, digest, actor, now)
        audit.append(
            uow.audit,
            actor=actor,
            action="control.rules_loaded",
            subject=f"control_rules/v{version}",
            at=now,
            detail={"version": version, "source_sm3": digest, "divisions": sorted(rules["divisions"])},
        )
        uow.commit()
    return Loaded(version, digest, len(rules["divisions"]))


def held(gw: ServiceContext, limit: int = 200) -> list[Spend]:
    with gw.database.read_unit_of_work() as uow:
        return uow.spending.held(limit)


def _comment(comment: str, required: bool) -> str:
    text = comment.strip()
    if required and not text:
        raise BadRequest("a reason is required (退回原因)")
    if len(text) > 500:
        raise BadRequest("the comment is longer than 500 characters")
    return text


def _held_spend(uow: UnitOfWork, spend_id: int) -> Spend:
    spend = uow.spending.get(spend_id, for_update=True)
    if spend is None:
        raise NotFound(f"no held voucher {spend_id}")
    if spend.state != "held":
        raise Conflict(f"voucher {spend.voucher_no} is not held (state {spend.state})")
    return spend


def release(gw: ServiceContext, spend_id: int, actor: str, comment: str = "") -> dict[str, Any]:
    """放行: check again as reviewed, reserve, route. Returns the voucher's new view."""
    text = _comment(comment, required=False)
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        spend = _held_spend(uow, spend_id)
        stored = uow.messages.get(spend.message_pk)
        body = uow.messages.body(spend.message_pk)
        if stored is None or body is None:  # pragma: no cover - the spend's foreign key keeps it
            raise NotFound(f"the message of voucher {spend.voucher_no} is gone")
        document = gw.adapters.identify(body).parse(body)
        record = next(r for r in document.records if r.position == spend.position)
        voucher = record.message
        assert isinstance(voucher, PaymentVoucher)
        rules = control.current_rules(uow)
        division = gw.registry.mof_div_code(voucher.adm_div_code)
        found = uow.spending.candidates(division, voucher.file_no_code) if voucher.file_no_code else []
        verdict = control.check(
            uow.spending, rules.of(division), spend.position, voucher, found, reviewed=True
        )
        if verdict.action != "pass":
            reasons = "；".join(CODES[c] for c in verdict.codes)
            raise Conflict(f"不能放行：{reasons} ({', '.join(verdict.codes)})")
        origin = profiles.Origin(stored.sender, stored.message_id, stored.received_at)
        receivers = sorted(r for p, r, _ in uow.messages.routes(spend.message_pk) if p == spend.position)
        for receiver in receivers:
            party = gw.registry.get(receiver)
            wire_format, out = profiles.render_for(gw.adapters, party, document, [record], body, origin)
            uow.outbox.add(
                NewOutboxItem(
                    spend.message_pk,
                    receiver,
                    party.channel,
                    wire_format,
                    out,
                    stored.sender,
                    stored.message_id,
                    now,
                )
            )
        uow.messages.set_status(spend.message_pk, MessageStatus.ROUTED, now, ", ".join(receivers))
        (stored_record,) = [r for r in uow.messages.records(spend.message_pk) if r.position == spend.position]
        uow.payments.add(spend.message_pk, lines_of(spend.position, voucher, stored_record.canonical))
        indicator_id = None if verdict.indicator is None else verdict.indicator.id
        uow.spending.set_state(
            spend.id,
            "in_flight",
            in_flight_fen=spend.amount_fen,
            paid_fen=0,
            indicator_id=indicator_id,
            rule_version=rules.version,
            reviewed_by=actor,
            reviewed_at=now,
            review_comment=text or None,
        )
        detail = {
            **verdict.as_detail(),
            "rule_version": rules.version,
            "receivers": receivers,
            "comment": text,
        }
        audit.append(
            uow.audit,
            actor=actor,
            action="control.released",
            subject=f"{spend.adm_div_code}/{spend.voucher_no}",
            at=now,
            detail=detail,
        )
        uow.commit()
    return detail


def refuse(gw: ServiceContext, spend_id: int, actor: str, comment: str) -> dict[str, Any]:
    """退回: the held voucher is never routed (a reason is required)."""
    text = _comment(comment, required=True)
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        spend = _held_spend(uow, spend_id)
        uow.spending.set_state(
            spend.id,
            "refused",
            in_flight_fen=0,
            paid_fen=0,
            reviewed_by=actor,
            reviewed_at=now,
            review_comment=text,
        )
        detail = {"voucher_no": spend.voucher_no, "codes": spend.codes.split(","), "comment": text}
        audit.append(
            uow.audit,
            actor=actor,
            action="control.refused",
            subject=f"{spend.adm_div_code}/{spend.voucher_no}",
            at=now,
            detail=detail,
        )
        uow.commit()
    return detail
