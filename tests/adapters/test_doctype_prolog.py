"""A DOCTYPE in an XML document's prolog is refused as ``dtd_forbidden`` when the format is identified —
before any sniffer claims it and without any parser running — rather than as an unknown format."""

from __future__ import annotations

import pytest
from lxml import etree

from adapters import _xml
from adapters.errors import MalformedDocument, UnknownFormat
from adapters.registry import default_registry

DECL = b'<?xml version="1.0" encoding="UTF-8"?>'
GBK = b'<?xml version="1.0" encoding="GBK"?>'

HOSTILE: dict[str, bytes] = {
    "evoucher_xxe": GBK
    + b'<!DOCTYPE MOF [<!ENTITY x SYSTEM "file:///etc/passwd">]><MOF><VoucherCount>&x;</VoucherCount></MOF>',
    "evoucher_external_dtd": GBK
    + b'<!DOCTYPE MOF SYSTEM "http://127.0.0.1:9/evil.dtd"><MOF><VoucherCount>0</VoucherCount></MOF>',
    "cfx_billion_laughs": GBK
    + b'<!DOCTYPE CFX [<!ENTITY l0 "lol"><!ENTITY l1 "&l0;&l0;&l0;">]><CFX>&l1;</CFX>',
    "mof_xml_entities": DECL
    + b'<!DOCTYPE BGT_EXCHANGE [<!ENTITY a "aaaaaaaaaa">]><BGT_EXCHANGE>&a;</BGT_EXCHANGE>',
    "no_declaration": b"<!DOCTYPE BGT_EXCHANGE><BGT_EXCHANGE/>",
    "byte_order_mark": b"\xef\xbb\xbf" + DECL + b"\n<!DOCTYPE MOF><MOF/>",
    "comments_and_pi_first": DECL
    + b"\n<!-- exported -->\n<?xml-stylesheet href='x.xsl'?>\n<!-- again --><!DOCTYPE CFX><CFX/>",
    "lower_case_and_space": DECL + b"\r\n  <! doctype mof><MOF/>",
    "unknown_root": DECL + b'<!DOCTYPE lolz [<!ENTITY l0 "lol">]><lolz>&l0;</lolz>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_doctype_in_the_prolog_is_dtd_forbidden(name: str) -> None:
    with pytest.raises(MalformedDocument) as caught:
        default_registry().identify(HOSTILE[name])
    assert caught.value.code == "dtd_forbidden"
    assert _xml.doctype_in_prolog(HOSTILE[name])


def test_no_parser_runs_on_the_way(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a parser ran")

    monkeypatch.setattr(etree, "fromstring", refuse)
    monkeypatch.setattr(etree, "XML", refuse)
    with pytest.raises(MalformedDocument) as caught:
        default_registry().identify(HOSTILE["evoucher_external_dtd"])
    assert caught.value.code == "dtd_forbidden"


@pytest.mark.parametrize(
    "raw",
    [
        b"not xml at all <!DOCTYPE MOF><MOF/>",
        b"",
        DECL + b"<Unknown/><!DOCTYPE x>",
        DECL + b"<!-- <!DOCTYPE x> in a comment only --><Unknown/>",
    ],
    ids=["text_before", "empty", "after_the_root", "inside_a_comment"],
)
def test_a_doctype_outside_the_prolog_is_not_taken_for_one(raw: bytes) -> None:
    assert not _xml.doctype_in_prolog(raw)
    with pytest.raises(UnknownFormat):
        default_registry().identify(raw)


def test_a_json_document_mentioning_a_doctype_is_still_json() -> None:
    raw = b'{"BA_BGT_INFO": [{"BGT_DEC": "<!DOCTYPE x>"}]}'
    assert not _xml.doctype_in_prolog(raw)
    assert default_registry().identify(raw).format == "mof.json"


def test_a_doctype_far_into_a_long_prolog_is_not_scanned_for() -> None:
    raw = DECL + b"<!--" + b"x" * _xml.PROLOG_SCAN + b"--><!DOCTYPE MOF><MOF/>"
    assert not _xml.doctype_in_prolog(raw)


def test_recognised_documents_are_unaffected() -> None:
    raw = DECL + b"<!-- a note --><BGT_EXCHANGE/>"
    assert not _xml.doctype_in_prolog(raw)
    assert default_registry().identify(raw).format == "mof.xml"


# ---- comment-stuffed prologs: the sniffers' comment pattern cannot backtrack exponentially ----------

STUFFED = DECL + b"<!--a-->" * 120


@pytest.mark.timeout(30)  # a hang guard, not a timing assertion: exponential backtracking never returns
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (STUFFED + b"<MOF><VoucherCount>0</VoucherCount></MOF>", "evoucher"),
        (STUFFED + b"<CFX><HEAD/><MSG/></CFX>", "cfx"),
        (STUFFED + b"<BGT_EXCHANGE/>", "mof.xml"),
        (STUFFED + b"<Unknown/>", None),
        (DECL + b"<!-- x -->" * 400 + b"<Unknown/>", None),
    ],
    ids=["evoucher", "cfx", "mof_xml", "unknown_root", "long_unknown"],
)
def test_a_prolog_full_of_comments_is_sniffed_at_once(raw: bytes, expected: str | None) -> None:
    assert not _xml.doctype_in_prolog(raw)
    if expected is None:
        with pytest.raises(UnknownFormat):
            default_registry().identify(raw)
    else:
        assert default_registry().identify(raw).format == expected


@pytest.mark.timeout(30)
def test_a_doctype_after_many_comments_is_still_found() -> None:
    raw = DECL + b"<!--a-->" * 400 + b"<!DOCTYPE MOF><MOF/>"
    with pytest.raises(MalformedDocument) as caught:
        default_registry().identify(raw)
    assert caught.value.code == "dtd_forbidden"


def test_a_comment_ends_at_its_first_closing_mark() -> None:
    """``<!--a-->junk--><MOF>``: the comment is ``<!--a-->``, then text, so no format claims it."""
    with pytest.raises(UnknownFormat):
        default_registry().identify(DECL + b"<!--a-->junk--><MOF><VoucherCount>0</VoucherCount></MOF>")
    assert not _xml.doctype_in_prolog(DECL + b"<!--a-->junk--><!DOCTYPE MOF><MOF/>")
