"""``GET /v1/trace?bgt_id=…`` / ``?voucher_no=…``: the business chain, limited to messages the calling party
sent or received (people — ops and viewers — see all of it).

The chain of an indicator (``bgt_id``): the indicator and every record carrying its id (adjustments and
recalls, the lower level's booking with ``ORI_BGT_ID``, 接收回执) → the payment vouchers that spend it — a
voucher's 指标文号 (``FileNoCode``) names the indicator by its ``BGT_ID`` or its 本级指标文号
(``COR_BGT_DOC_NO``), of the indicator or of the lower level's booking → for each voucher its 回单, 2252
refunds, 2301/2302 clearing requests that list it and their clearing receipts.

The chain of a voucher (``voucher_no``): the indicator it cites (by 指标文号), the voucher, its 回单, refunds,
clearing requests and clearing receipts.

Each entry carries the message id, type, sender, receivers with each delivery's state, the record's own
business fields (amounts as strings; a clearing request or receipt also lists the vouchers it clears,
``cleared_vouchers``, and each one's amount, ``cleared_amounts``), the record's ``extensions`` (elements or
columns the wire carried that the models do not know, kept in order — issue 12; left out when there are
none), the record's 代码校验警告 (``code_warnings``: values outside their code list accepted under the
``warn`` policy; absent when none) and the lifecycle with timestamps, oldest message first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from adapters.preserve import extensions_of
from gateway.code_warnings import warnings_from
from gateway.errors import UnknownParty
from gateway.parties import PartyRegistry
from gateway.rows import ChainRecord, Delivery
from gateway.services.code_checks import as_json
from gateway.services.errors import BadRequest
from gateway.services.ports import ServiceContext, TraceReader
from schemas.money import MoneyFormatError, format_money, parse_sum

TRACE_KEYS = ("bgt_id", "voucher_no")
_VALUE_LIMIT = 64  # trace keys are stored cut to 64 characters

STAGES = {
    "transfer_indicator": "indicator",
    "indicator_receipt": "indicator_receipt",
    "payment_voucher": "voucher",
    "payment_receipt": "receipt",
    "refund_notice": "refund",
    "clearing_request": "clearing",
    "clearing_receipt": "clearing_receipt",
}
"""message type → its stage in the business chain."""

_BUSINESS_FIELDS = (
    "bgt_id",
    "ori_bgt_id",
    "in_bgt_id",
    "rec_bgt_id",
    "cor_bgt_doc_no",
    "mof_div_code",
    "rec_div_code",
    "rec_status",
    "reject_reason",
    "adm_div_code",
    "vt_code",
    "voucher_no",
    "original_voucher_no",
    "file_no_code",
    "vou_date",
    "amount",
    "pay_amt",
    "x_pay_amt",
    "x_pay_date",
    "x_clear_date",
    "x_add_word",
    "remark",
)


def _business(canonical: dict[str, Any]) -> dict[str, Any]:
    fields = {name: canonical[name] for name in _BUSINESS_FIELDS if canonical.get(name) is not None}
    cited = [
        d["voucher_no"] for d in canonical.get("details") or () if isinstance(d, dict) and d.get("voucher_no")
    ]
    if cited:
        fields["cleared_vouchers"] = cited
        amounts = _cleared_amounts(canonical.get("details") or ())
        if amounts:
            fields["cleared_amounts"] = amounts
    return fields


def _cleared_amounts(details: Iterable[Any]) -> dict[str, str]:
    """Voucher number → the amount a clearing request / receipt lists for it (its detail lines added up,
    exactly), so a voucher's chain shows its own share of a batch's 清算金额."""
    totals: dict[str, Decimal] = {}
    for d in details:
        if not isinstance(d, dict) or not d.get("voucher_no") or not isinstance(d.get("pay_amt"), str):
            continue
        try:
            amount = parse_sum(d["pay_amt"])
        except MoneyFormatError:
            continue
        number = str(d["voucher_no"])
        totals[number] = totals.get(number, Decimal("0.00")) + amount
    return {number: format_money(total) for number, total in totals.items()}


def _extensions(hit: ChainRecord) -> dict[str, Any]:
    """``{"extensions": […]}`` — the elements (or columns) the record carried that the models do not know,
    kept on the record (issue 12) — or nothing when it carried none."""
    found = extensions_of(hit.extensions)
    return {"extensions": found} if found else {}


def _warnings(hit: ChainRecord) -> dict[str, Any]:
    """``code_warnings`` (代码校验警告) of a record accepted under the ``warn`` policy; nothing if none."""
    problems = warnings_from(hit.code_warnings)
    return {"code_warnings": as_json(problems)} if problems else {}


def _cut(values: Iterable[str | None]) -> set[str]:
    return {v[:_VALUE_LIMIT] for v in values if v}


def _delivery(d: Delivery) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "receiver": d.receiver,
        "channel": d.channel,
        "state": d.state,
        "attempts": d.attempts,
    }
    for name in ("created_at", "sent_at", "dead_at", "acked_at", "rejected_at"):
        moment = getattr(d, name)
        if moment is not None:
            entry[name] = moment.isoformat()
    if d.reject_reason:
        entry["reject_reason"] = d.reject_reason
    return entry


def _division(registry: PartyRegistry, adm_div_code: object) -> str | None:
    """The 9-digit division of a 6-digit AdmDivCode, through the party registry."""
    try:
        return registry.mof_div_code(str(adm_div_code))
    except UnknownParty:
        return None


def _division_of(registry: PartyRegistry, hit: ChainRecord) -> str | None:
    return _division(registry, json.loads(hit.canonical).get("adm_div_code"))


def _collect(
    q: TraceReader, registry: PartyRegistry, key: str, value: str
) -> list[tuple[ChainRecord, dict[str, Any]]]:
    """Every record of the chain with its canonical JSON, de-duplicated, oldest message first."""
    found: dict[tuple[int, int], tuple[ChainRecord, dict[str, Any]]] = {}

    def add(hits: Iterable[ChainRecord], types: Iterable[str] | None = None) -> list[dict[str, Any]]:
        wanted = None if types is None else set(types)
        added: list[dict[str, Any]] = []
        for hit in hits:
            if wanted is not None and hit.msg_type not in wanted:
                continue
            slot = (hit.message_pk, hit.position)
            if slot not in found:
                found[slot] = (hit, json.loads(hit.canonical))
            added.append(found[slot][1])
        return added

    if key == "bgt_id":
        indicators = add(q.records_by("bgt_id", _cut([value])))
        booked = [c for c in indicators if c.get("message_type") == "transfer_indicator"]
        ids = _cut([value, *(c.get("bgt_id") for c in booked)])
        doc_nos = _cut(c.get("cor_bgt_doc_no") for c in booked) - ids
        divisions = {
            str(c.get(name)) for c in booked for name in ("mof_div_code", "rec_div_code") if c.get(name)
        }

        def cites_it(hit: ChainRecord) -> bool:
            # by BGT_ID always; by 指标文号 only from a division that issued or received the indicator (one
            # document number covers many indicators to many divisions)
            return hit.value in ids or _division_of(registry, hit) in divisions

        found_vouchers = [h for h in q.records_by("doc_no", ids | doc_nos) if cites_it(h)]
        vouchers = add(found_vouchers, ["payment_voucher"])
        voucher_nos = _cut(v.get("voucher_no") for v in vouchers)
    else:
        voucher_nos = _cut([value])
    downstream = add(q.records_by("voucher_no", voucher_nos))
    if key == "voucher_no":
        vouchers = [c for c in downstream if c.get("message_type") == "payment_voucher"]
        cited = _cut(c.get("file_no_code") for c in vouchers)
        spenders = {_division(registry, c.get("adm_div_code")) for c in vouchers}

        def issued_or_received_by_spender(hit: ChainRecord) -> bool:
            data = json.loads(hit.canonical)
            return bool(spenders & {data.get("mof_div_code"), data.get("rec_div_code")})

        by_doc_no = [h for h in q.records_by("doc_no", cited) if issued_or_received_by_spender(h)]
        add([*q.records_by("bgt_id", cited), *by_doc_no], ["transfer_indicator"])
    return sorted(
        found.values(), key=lambda item: (item[0].received_at, item[0].message_pk, item[0].position)
    )


def trace(gw: ServiceContext, caller: str | None, key: str, value: str) -> dict[str, Any]:
    """``caller`` is the asking party, or ``None`` for a person (ops / viewer), who sees the whole chain."""
    if key not in TRACE_KEYS:
        raise BadRequest(f"trace by one of {', '.join(TRACE_KEYS)}")
    if not value or len(value) > _VALUE_LIMIT or not value.isprintable():
        raise BadRequest(f"{key} must be 1-{_VALUE_LIMIT} printable characters")
    q = gw.database.trace_reader()
    items = _collect(q, gw.registry, key, value)
    pks = sorted({hit.message_pk for hit, _ in items})
    routed = q.receivers(pks)
    deliveries = q.deliveries(pks)
    events = q.events(pks)
    message_parties: dict[int, set[str]] = {}
    for (pk, _position), names in routed.items():
        message_parties.setdefault(pk, set()).update(names)
    chain: list[dict[str, Any]] = []
    for hit, canonical in items:
        if (
            caller is not None
            and caller != hit.sender
            and caller not in message_parties.get(hit.message_pk, set())
        ):
            continue
        receivers = routed.get((hit.message_pk, hit.position), set()) | routed.get(
            (hit.message_pk, None), set()
        )
        chain.append(
            {
                "sender": hit.sender,
                "message_id": hit.message_id,
                "position": hit.position,
                "message_type": hit.msg_type,
                "stage": STAGES.get(hit.msg_type, hit.msg_type),
                "format": hit.format,
                "received_at": hit.received_at.isoformat(),
                "status": hit.status.value,
                "receivers": sorted(receivers),
                "deliveries": [
                    _delivery(d) for d in deliveries.get(hit.message_pk, []) if d.receiver in receivers
                ],
                "record": _business(canonical),
                **_extensions(hit),
                **_warnings(hit),
                "events": [
                    {
                        "status": e.status.value,
                        "at": e.at.isoformat(),
                        **({"detail": e.detail} if e.detail else {}),
                    }
                    for e in events.get(hit.message_pk, [])
                ],
            }
        )
    return {key: value, "chain": chain}
