"""Simulated counterparties: what they answer, and that they refuse pushes the gateway did not sign."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from adapters.translate import clearing_requests_to_cfx
from gateway.config import load_settings
from gateway.keyring import load_keyring
from gateway.simulators.behaviour import Behaviour, Context, replies
from gateway.simulators.peer import PeerConfig, SimulatedParty, load_party_key
from gateway.wire_signature import signed_headers
from schemas.clearing import ClearingReceipt, ClearingRequest, PbocClearingReceipt
from schemas.payments import PaymentReceipt
from signing import load_private_key
from tests.adapters.payments_samples import evoucher_document
from tests.gateway.samples import NOW

TODAY = date(2026, 3, 17)
BANK, PBC = "102333300018", "3303240000"
V1 = "3303245201260000123"  # 12345.67, its last detail 2345.67


def test_the_bank_pays_every_voucher_in_full() -> None:
    vouchers = evoucher_document("5201")
    (answer,) = replies("bank", vouchers, today=TODAY, reference="m-000000000001")
    assert answer.format == "evoucher"
    assert len(answer.records) == len(vouchers.records)
    for voucher, receipt in zip(vouchers.records, answer.records, strict=True):
        assert isinstance(receipt.message, PaymentReceipt)
        assert receipt.message.voucher_no == voucher.message.voucher_no  # type: ignore[attr-defined]
        assert receipt.message.x_pay_amt == receipt.message.pay_amt
        assert receipt.message.x_pay_date == TODAY


def test_the_pboc_clears_every_request_and_finance_sends_nothing() -> None:
    (answer,) = replies("pbc", evoucher_document("2301"), today=TODAY, reference="m-1")
    (cleared,) = answer.records
    assert isinstance(cleared.message, ClearingReceipt)
    assert cleared.message.x_pay_amt == cleared.message.pay_amt
    assert replies("finance", evoucher_document("5201"), today=TODAY, reference="m-2") == []
    assert replies("pbc", evoucher_document("5201"), today=TODAY, reference="m-3") == []


def test_the_pboc_clears_the_banks_2302_also_through_a_cfx_treasury() -> None:
    context = Context(TODAY, "m-4", party_id=BANK, fin_org_codes={"330324": "330324000"}, tre_code=PBC)
    answers = replies(
        "bank",
        evoucher_document("5201"),
        today=TODAY,
        reference="m-000000000004",
        behaviour=Behaviour(clear=True, refund=frozenset({V1})),
        context=context,
    )
    (request,) = [r.message for r in answers[-1].records]
    assert isinstance(request, ClearingRequest) and request.vt_code == "2302"
    (answer,) = replies("pbc", answers[-1], today=TODAY, reference="m-5")
    (cleared,) = [r.message for r in answer.records]
    assert isinstance(cleared, ClearingReceipt)
    assert (cleared.vt_code, cleared.voucher_no, cleared.x_pay_amt) == (
        "2302",
        request.voucher_no,
        request.pay_amt,
    )
    package = clearing_requests_to_cfx(  # what a CFX treasury gets: a TIPS 2202, answered with a 3144
        [request],
        {"SRC": BANK, "DES": "100000000000", "MsgNo": "2202", "MsgID": "M2202", "WorkDate": "20260317"},
        agent_bnk_code=BANK,
        entrust_date=TODAY,
        pack_no="00000001",
    )
    (returned,) = replies("pbc", package, today=TODAY, reference="m-6")
    (receipt,) = [r.message for r in returned.records]
    assert isinstance(receipt, PbocClearingReceipt)
    assert (receipt.msg_no, receipt.amt, receipt.succeeded) == ("3144", Decimal("2345.67"), True)


def test_a_push_not_signed_by_the_gateway_is_refused(demo_dir: Path) -> None:
    settings = load_settings(demo_dir)
    keyring = load_keyring(settings)
    bank = "102333300018"
    peer = SimulatedParty(
        PeerConfig(
            "bank", bank, load_party_key(demo_dir, bank, None), keyring, "fiscalgw", "http://127.0.0.1:9"
        )
    )
    url = settings.registry().get(bank).push_url
    assert url is not None
    path, body = urlsplit(url).path, b"<MOF/>"

    def headers(key_file: str) -> dict[str, str]:
        key = load_private_key((demo_dir / "keys" / key_file).read_bytes())
        made = signed_headers(
            key=key, profile=keyring.gateway_profile, method="POST", path=path,
            sender="fiscalgw", message_id="p-1", at=NOW, body=body,
        )  # fmt: skip
        return {k.lower(): v for k, v in made.items()}

    assert peer.verify(path, headers("fiscalgw.key.pem"), body)
    assert not peer.verify(path, headers("330324000.key.pem"), body)
    assert not peer.verify(path, headers("fiscalgw.key.pem"), body + b" ")
