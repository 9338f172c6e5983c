"""mof.xml: round trips, hostile documents and structural errors, each with its code."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.errors import TranslationError
from adapters.limits import Limits
from adapters.mof import MofJsonAdapter, MofXmlAdapter
from schemas.indicators import IndicatorEvent, IndicatorReceipt, TransferIndicator
from tests.adapters.mof_helpers import GOLDEN, document, malformed_code, problem_rules
from tests.schemas.indicator_factories import indicator_receipts, transfer_indicators

ADAPTER = MofXmlAdapter()
ISSUE_XML = (GOLDEN / "mof" / "indicators_issue.xml").read_bytes()


# one document holds one table: ISSUE rows (BA_BGT_INFO) or ADJUST / RECALL rows (BA_BGT_ADJSUB)
ONE_TABLE = st.sampled_from(
    [(IndicatorEvent.ISSUE,), (IndicatorEvent.ADJUST, IndicatorEvent.RECALL)]
).flatmap(
    lambda events: st.lists(
        transfer_indicators(events=events), min_size=1, max_size=3, unique_by=lambda m: m.bgt_id
    )
)


@settings(max_examples=60, deadline=None)
@given(ONE_TABLE)
def test_indicators_round_trip_and_translate_losslessly(models: list[TransferIndicator]) -> None:
    raw = ADAPTER.render(document(*models))
    etree.fromstring(raw)  # well-formed for a plain parser too
    parsed = ADAPTER.parse(raw)
    assert list(parsed.messages) == models
    as_json = MofJsonAdapter().render(parsed)
    assert MofJsonAdapter().parse(as_json).messages == parsed.messages
    assert ADAPTER.render(MofJsonAdapter().parse(as_json)) == raw


@settings(max_examples=50, deadline=None)
@given(indicator_receipts())
def test_receipts_round_trip(model: IndicatorReceipt) -> None:
    assert ADAPTER.parse(ADAPTER.render(document(model))).messages == (model,)


def test_text_with_markup_characters_survives() -> None:
    message = ADAPTER.parse(ISSUE_XML).messages[0]
    assert isinstance(message, TransferIndicator)
    changed = message.model_copy(update={"bgt_dec": '<a> & ]]> "q"\n第二行'})
    again = ADAPTER.parse(ADAPTER.render(document(changed))).messages[0]
    assert isinstance(again, TransferIndicator) and again.bgt_dec == '<a> & ]]> "q"\n第二行'


def test_xxe_is_refused() -> None:
    raw = ISSUE_XML.replace(
        b"<BGT_EXCHANGE>", b'<!DOCTYPE BGT_EXCHANGE [<!ENTITY x SYSTEM "file:///etc/passwd">]><BGT_EXCHANGE>'
    ).replace(b"<BGT_DEC>", b"<BGT_DEC>&x;", 1)
    assert malformed_code(ADAPTER, raw) == "dtd_forbidden"


def test_billion_laughs_is_refused() -> None:
    raw = (
        b'<?xml version="1.0"?><!DOCTYPE BGT_EXCHANGE [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><BGT_EXCHANGE>&b;</BGT_EXCHANGE>'
    )
    assert malformed_code(ADAPTER, raw) == "dtd_forbidden"


def test_deep_nesting_is_refused() -> None:
    raw = b"<BGT_EXCHANGE>" + b"<x>" * 50 + b"</x>" * 50 + b"</BGT_EXCHANGE>"
    assert malformed_code(ADAPTER, raw) == "too_deep"


def test_oversize_document_is_refused() -> None:
    assert malformed_code(ADAPTER, ISSUE_XML, Limits(max_bytes=1000)) == "document_too_large"


def test_gbk_document_is_refused() -> None:
    raw = ISSUE_XML.decode("utf-8").replace("UTF-8", "GBK").encode("gbk")
    assert malformed_code(ADAPTER, raw) == "encoding_not_allowed"


def test_lying_encoding_declaration_is_refused() -> None:
    raw = ISSUE_XML.decode("utf-8").encode("gbk")  # declares UTF-8, holds GBK bytes
    assert malformed_code(ADAPTER, raw) == "invalid_encoding"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"<BGT_EXCHANGE><BA_BGT_INFO>", "not_well_formed"),
        (b"<MOF><BA_BGT_INFO/></MOF>", "unexpected_element"),
        # issue 12: an element that is not a table row is kept, not refused; with no row at all the
        # document is empty (this case used to expect unexpected_element)
        (b"<BGT_EXCHANGE><PAY_VOUCHER/></BGT_EXCHANGE>", "empty_document"),
        (
            b"<BGT_EXCHANGE><BA_BGT_INFO><BGT_ID><x/></BGT_ID></BA_BGT_INFO></BGT_EXCHANGE>",
            "unexpected_element",
        ),
        (
            b"<BGT_EXCHANGE><BA_BGT_INFO><BGT_ID>1</BGT_ID><BGT_ID>2</BGT_ID></BA_BGT_INFO></BGT_EXCHANGE>",
            "duplicate_column",
        ),
        (b"<BGT_EXCHANGE><BA_BGT_INFO/><BA_BGT_RECEIPT/></BGT_EXCHANGE>", "mixed_tables"),
        (b"<BGT_EXCHANGE></BGT_EXCHANGE>", "empty_document"),
    ],
)
def test_structural_errors(raw: bytes, code: str) -> None:
    assert malformed_code(ADAPTER, raw) == code


def test_too_many_records() -> None:
    assert malformed_code(ADAPTER, ISSUE_XML, Limits(max_records=2)) == "too_many_records"


def test_bad_rows_are_reported_with_positions() -> None:
    raw = ISSUE_XML.replace(b"<AMOUNT>880000.00</AMOUNT>", b"<AMOUNT>8.8E5</AMOUNT>").replace(
        b"<DOC_DATE>2026-01-20</DOC_DATE>", b"<DOC_DATE>2026-13-01</DOC_DATE>", 1
    )
    assert problem_rules(ADAPTER, raw) == {
        "[2].amount": "amount_not_decimal",
        "[0].doc_date": "date_from_datetime_parsing",
    }


def test_render_of_an_empty_document_is_refused() -> None:
    with pytest.raises(TranslationError):
        ADAPTER.render(document())


def test_identify_does_not_claim_other_xml() -> None:
    assert ADAPTER.identify(ISSUE_XML)
    assert ADAPTER.identify(b"\xef\xbb\xbf<!-- x -->\n<BGT_EXCHANGE/>")
    assert not ADAPTER.identify(
        b'<?xml version="1.0" encoding="GBK"?><MOF><VoucherCount>1</VoucherCount></MOF>'
    )
    assert not ADAPTER.identify(b"<CFX><HEAD/></CFX>")
