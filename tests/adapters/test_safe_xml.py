"""The hardened parser every XML adapter uses: each hostile case has its own error code."""

from __future__ import annotations

import pytest

from adapters._xml import parse_xml
from adapters.errors import MalformedDocument
from adapters.limits import Limits

GBK = frozenset({"gbk", "gb18030"})
UTF8 = frozenset({"utf-8"})


def _code(raw: bytes, allowed: frozenset[str] = UTF8, limits: Limits | None = None) -> str:
    with pytest.raises(MalformedDocument) as info:
        parse_xml(raw, allowed_encodings=allowed, limits=limits or Limits())
    return info.value.code


def test_xxe_is_refused() -> None:
    raw = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    assert _code(raw) == "dtd_forbidden"


def test_external_dtd_is_refused() -> None:
    assert _code(b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/x.dtd"><a/>') == "dtd_forbidden"


def test_billion_laughs_is_refused_without_expansion() -> None:
    lol = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
        for i in range(1, 10)
    )
    raw = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">' + lol + b"]><lolz>&l9;</lolz>"
    assert _code(raw) == "dtd_forbidden"


def test_deep_nesting_is_refused() -> None:
    raw = b"<a>" * 40 + b"</a>" * 40
    assert _code(raw) == "too_deep"


def test_oversize_document_is_refused_before_parsing() -> None:
    assert _code(b"<a>" + b"x" * 2000 + b"</a>", limits=Limits(max_bytes=1000)) == "document_too_large"


def test_lying_encoding_declaration_is_refused() -> None:
    raw = '<?xml version="1.0" encoding="UTF-8"?><a>中文</a>'.encode("gbk")
    assert _code(raw) == "invalid_encoding"


def test_invalid_gbk_bytes_are_refused() -> None:
    raw = b'<?xml version="1.0" encoding="GBK"?><a>\x81\x20</a>'
    assert _code(raw, GBK) == "invalid_encoding"


def test_encoding_not_allowed_for_the_format() -> None:
    raw = '<?xml version="1.0" encoding="GBK"?><a>中文</a>'.encode("gbk")
    assert _code(raw, UTF8) == "encoding_not_allowed"


def test_not_well_formed() -> None:
    assert _code(b"<a><b></a>") == "not_well_formed"


def test_gbk_document_parses_to_text() -> None:
    raw = '<?xml version="1.0" encoding="GBK"?><a>永嘉县财政局</a>'.encode("gbk")
    assert parse_xml(raw, allowed_encodings=GBK).text == "永嘉县财政局"
