"""Wire documents built element by element the way real senders write them (Java/dom4j pretty printing with
CRLF and tabs, MIME base64 lines of 76 characters, optional standard elements left out or present and
empty), for the conformance round trips (issue 12).

Field lists followed (read with the search tools, not copied):

* 5201 header and detail — caoyanguo/ITFE
  ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/Voucher5201MsgServer.java``
  (``elementVoucher.elementText(...)``: ``ExpFuncCode1/2/3``, ``ExpFuncName1/2/3`` 支出功能分类科目类/款/项,
  ``ExpEcoCode1/2``, ``ExpEcoName1/2``, ``Hold3``, ``Hold4``, the 回单 X-fields ``XPayDate``,
  ``XAgentBusinessNo``, ``XCheckNo``, ``XPayAmt``, ``XPayeeAcctBankName``, ``XPayeeAcctNo``,
  ``XPayeeAcctName``, ``XAddWord``; detail ``VoucherNo``, ``FundTypeCode/Name``, ``BgtTypeCode/Name``,
  ``ProCatCode/Name``, ``MOFDepCode/Name``, ``FileNoCode/Name``, ``PayeeAcctBankNo``), as listed in issue 12.
* CFX 2201 HEAD and bill — DOMAIN.md §3.1/§3.3 (the golden's element list), with ``MsgRef``, ``Reserve`` and
  ``AddWord`` left out, as TIPS senders may.
"""

from __future__ import annotations

import base64

from tests.adapters.evoucher_build import inner_text

CRLF = "\r\n"

HEADER_EXTRAS_5201 = [
    ("ExpFuncCode1", "205"),
    ("ExpFuncName1", "教育支出"),
    ("ExpFuncCode2", "20502"),
    ("ExpFuncName2", "普通教育"),
    ("ExpFuncCode3", "2050202"),
    ("ExpFuncName3", "小学教育"),
    ("ExpEcoCode1", "302"),
    ("ExpEcoName1", "商品和服务支出"),
    ("ExpEcoCode2", "30201"),
    ("ExpEcoName2", "办公费"),
    ("Hold3", ""),
    ("Hold4", ""),
    ("XPayDate", ""),
    ("XAgentBusinessNo", ""),
    ("XCheckNo", ""),
    ("XPayAmt", ""),
    ("XPayeeAcctBankName", ""),
    ("XPayeeAcctNo", ""),
    ("XPayeeAcctName", ""),
    ("XAddWord", ""),
]
DETAIL_EXTRAS_5201 = [
    ("VoucherNo", "3303245201260000123"),
    ("FundTypeCode", "1"),
    ("FundTypeName", "一般公共预算"),
    ("BgtTypeCode", "1"),
    ("BgtTypeName", "当年预算"),
    ("ProCatCode", "1"),
    ("ProCatName", "一般预算"),
    ("MOFDepCode", "002"),
    ("MOFDepName", "教科文科"),
    ("FileNoCode", "永财教〔2026〕15号"),
    ("FileNoName", "关于下达2026年义务教育公用经费的通知"),
    ("PayeeAcctBankNo", ""),
    ("XPayAmt", ""),
    ("Hold3", ""),
    ("Hold4", ""),
]
LEFT_OUT_5201 = ("CheckNo", "DepProCode", "DepProName")
"""Optional standard elements a sender leaves out (a round trip must not add them)."""


def element(tag: str, text: str) -> str:
    return f"<{tag}/>" if text == "" else f"<{tag}>{text}</{tag}>"


def _pairs(xml: str) -> list[tuple[str, str]]:
    """``<A>x</A><B/>…`` (leaf elements only) → ``[("A", "x"), ("B", "")]``."""
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(xml):
        end = xml.index(">", at)
        tag = xml[at + 1 : end]
        if tag.endswith("/"):
            out.append((tag[:-1], ""))
            at = end + 1
            continue
        close = xml.index(f"</{tag}>", end)
        out.append((tag, xml[end + 1 : close]))
        at = close + len(tag) + 3
    return out


def sample_5201_parts() -> tuple[list[tuple[str, str]], list[list[tuple[str, str]]]]:
    """The 5201 sample's header and details as (element, text) pairs."""
    text = inner_text()
    head, rest = text.split("<DetailList>", 1)
    details_xml = rest.split("</DetailList>", 1)[0]
    header = _pairs(head.removeprefix("<Voucher>"))
    details = [
        _pairs(d)
        for d in details_xml.removeprefix("<Detail>").removesuffix("</Detail>").split("</Detail><Detail>")
    ]
    return header, details


def pretty_voucher(header: list[tuple[str, str]], details: list[list[tuple[str, str]]]) -> str:
    """A dom4j-style pretty inner voucher: CRLF line ends, tab indentation."""
    lines = ["<Voucher>"]
    lines += [f"\t{element(t, v)}" for t, v in header]
    lines.append("\t<DetailList>")
    for detail in details:
        lines.append("\t\t<Detail>")
        lines += [f"\t\t\t{element(t, v)}" for t, v in detail]
        lines.append("\t\t</Detail>")
    lines += ["\t</DetailList>", "</Voucher>"]
    return CRLF.join(lines) + CRLF


def _absent(extras: list[tuple[str, str]], items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ITFE elements the sample does not already carry (the models and the sample gained most of them
    with the full ITFE field sets, issue 12)."""
    present = {t for t, _v in items}
    return [(t, v) for t, v in extras if t not in present]


def real_5201_inner(amounts: tuple[str, str, str] = ("900000", "800000", "100000")) -> bytes:
    """A 5201 as a real sender writes it: the ITFE header/detail extras, left-out optional elements, empty
    X-fields on an outgoing voucher, amounts without decimals, pretty printed with CRLF and tabs."""
    header, details = sample_5201_parts()
    header = [(t, amounts[0] if t == "PayAmt" else v) for t, v in header if t not in LEFT_OUT_5201]
    cut = next(i for i, (t, _v) in enumerate(header) if t == "ExpEcoName") + 1
    header = (
        header[:cut]
        + _absent(HEADER_EXTRAS_5201[:10], header)
        + header[cut:]
        + _absent(HEADER_EXTRAS_5201[10:], header)
    )
    shaped = []
    for number, detail in enumerate(details):
        items = [
            (t, amounts[1 + number] if t == "PayAmt" else v) for t, v in detail if t not in LEFT_OUT_5201
        ]
        extras = _absent(DETAIL_EXTRAS_5201, items)
        shaped.append(items[:1] + extras[:1] + items[1:] + extras[1:])
    text = '<?xml version="1.0" encoding="GBK"?>' + CRLF + pretty_voucher(header, shaped)
    return text.encode("gbk")


def mime_base64(raw: bytes) -> str:
    """Base64 in MIME lines of 76 characters joined by CRLF (what Java's MIME encoders write)."""
    text = base64.b64encode(raw).decode("ascii")
    return CRLF.join(text[i : i + 76] for i in range(0, len(text), 76))


def real_envelope(inner: bytes, *, no: str = "3303245201260000123", extra_body: str = "") -> bytes:
    """A one-body e-voucher envelope, pretty printed with CRLF and tabs, base64 in MIME lines."""
    lines = [
        '<?xml version="1.0" encoding="GBK"?>',
        "<MOF>",
        "\t<VoucherCount>1</VoucherCount>",
        f'\t<VoucherBody AdmDivCode="330324" StYear="2026" VtCode="5201" VoucherNo="{no}">',
        "\t\t<VoucherFlag>0</VoucherFlag>",
        "\t\t<Attach/>",
        f"\t\t<Voucher>{mime_base64(inner)}</Voucher>",
    ]
    if extra_body:
        lines.append(f"\t\t{extra_body}")
    lines += ["\t</VoucherBody>", "</MOF>"]
    return (CRLF.join(lines) + CRLF).encode("gbk")
