"""Issue 12 "preserve, don't refuse" on the gateway: a voucher carrying elements the models do not know is
accepted, its extensions are stored with the record (its full layout lives in the stored original), the
trace API and page show them, and the receiver of the same format gets the document exactly as sent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from adapters.preserve import extensions, extensions_of
from adapters.registry import default_registry
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport, Push
from gateway.parties import Party, PartyKind
from gateway.services.profiles import Origin, render_for
from tests.conformance.wire_build import CRLF, real_5201_inner, real_envelope
from tests.gateway.conftest import Harness
from tests.gateway.test_trace_chain import V1, person_trace, send
from tests.web.conftest import sign_in

COUNTY = "330324000"
INNER_EXTRAS = [("LocalFlag", "1"), ("LocalCheckNo", "")]
"""Header elements no standard names (the ITFE extras of issue 12 are model fields since the full ITFE
field sets): an inner voucher's own extensions."""


def _inner_with_extras() -> bytes:
    extra = "".join(f"\t<{t}>{v}</{t}>{CRLF}" if v else f"\t<{t}/>{CRLF}" for t, v in INNER_EXTRAS)
    return real_5201_inner().replace(b"\t<DetailList>", extra.encode("ascii") + b"\t<DetailList>", 1)


GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def test_extensions_are_stored_traced_and_delivered_as_sent(harness: Harness) -> None:
    raw = real_envelope(_inner_with_extras(), extra_body="<LocalNote>县级备注</LocalNote>")
    message_id = send(harness, COUNTY, raw)

    with harness.gateway.database.read_unit_of_work() as uow:
        stored = uow.messages.find(COUNTY, message_id)
        assert stored is not None
        (record,) = uow.messages.records(stored.pk)
        original = uow.messages.body(stored.pk)
    kept = extensions_of(record.extensions)
    names = [e["name"] for e in kept]
    inner = [e["name"] for e in kept if e["where"] == "Voucher"]
    assert inner == [tag for tag, _ in INNER_EXTRAS]  # the inner voucher's extensions, in order
    assert names[0] == "LocalNote"  # the envelope body's own extension comes first (document order)

    chain = person_trace(harness, f"voucher_no={V1}")["chain"]
    (voucher,) = [c for c in chain if c["stage"] == "voucher"]
    shown: list[dict[str, Any]] = voucher["extensions"]
    assert {"where": "VoucherBody", "name": "LocalNote", "text": "<LocalNote>县级备注</LocalNote>"} in shown
    assert [e["name"] for e in shown] == names

    pushes: list[Push] = []
    Relay(harness.gateway, MockTransport(pushes.append)).run_once()
    assert [p.body for p in pushes] == [raw]  # the bank: the same format, the whole document, byte for byte

    # the full layout survives storage in the stored original: re-reading it gives the same extensions
    # and renders the same bytes
    assert original == raw
    adapter = default_registry().get("evoucher")
    again = adapter.parse(original)
    assert extensions(again.records[0].layout) == kept
    assert adapter.render(again) == raw


def test_the_trace_page_lists_the_extensions(harness: Harness) -> None:
    send(harness, COUNTY, real_envelope(real_5201_inner(), extra_body="<LocalNote>县级备注</LocalNote>"))
    tokens = dict(line.split(" ", 1) for line in (harness.config_dir / "tokens.txt").read_text().splitlines())
    client = TestClient(harness.client.app)
    sign_in(client, tokens["viewer"])
    page = client.get(f"/ui/messages?voucher_no={V1}")
    assert page.status_code == 200
    assert "扩展元素" in page.text and "&lt;LocalNote&gt;县级备注&lt;/LocalNote&gt;" in page.text


def test_part_of_an_envelope_for_a_receiver_of_the_same_format_keeps_the_source_shape() -> None:
    """``render_for``: a bank that takes e-vouchers and gets one body of a two-body envelope gets that body
    as sent (its extensions, element order and texts), in the envelope's own shape."""
    raw = (GOLDEN / "evoucher/5201.xml").read_bytes()
    edited = raw.replace(b"<Attach>SUCCESS</Attach>", b"<Attach>SUCCESS</Attach><LocalNote>1</LocalNote>")
    adapters = default_registry()
    document = adapters.get("evoucher").parse(edited)
    bank = Party.model_construct(id="102333300018", kind=PartyKind.BANK, name="银行", wire_format="evoucher")
    origin = Origin("330324000", "m-1", datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    wire_format, body = render_for(adapters, bank, document, document.records[1:], edited, origin)
    first = edited.index(b"<VoucherBody")
    second = edited.index(b"<VoucherBody", first + 1)
    expected = edited[:first] + edited[second:]
    expected = expected.replace(b"<VoucherCount>2</VoucherCount>", b"<VoucherCount>1</VoucherCount>")
    assert (wire_format, body) == ("evoucher", expected)
    assert b"<LocalNote>1</LocalNote>" in body
