"""CFX packages as the PBOC treasury front end ITFE writes them, built from the field lists of its message
templates — not from our models, and not copied files.

Source: repository ``caoyanguo/ITFE`` (commit 61f7b12), ``itfeesb/conf/transconfig/``:

* ``itfe_2201_java2xml.ftl``: BatchHead2201 {AgentBnkCode, FinOrgCode, TreCode, EntrustDate, PackNo, AllNum,
  AllAmt, PayoutVouType, PayMode}; Bill2201 {TraNo, VouNo, VouDate, PayerAcct, PayerName, PayerAddr,
  PayeeAcct, PayeeName, PayeeAddr, PayeeOpnBnkNo, AddWord (``<#if>``), BudgetType, TrimSign, OfYear, Amt,
  StatInfNum}; Detail2201 {SeqNo, BdgOrgCode, FuncSbtCode, EcnomicSubjectCode, Amt, AcctProp}.
* ``itfe_2202_java2xml.ftl``: Head2202 {FinOrgCode, TreCode, AgentBnkCode, EntrustDate, PackNo, AllNum,
  AllAmt, PayoutVouType, PayMode}; Bill2202 {TraNo, VouNo, VouDate, OriTraNo, OriEntrustDate, OriVouNo,
  OriVouDate, OriPayerAcct, OriPayerName, OriPayeeAcct, OriPayeeName, PayDictateNo, PayMsgNo,
  PayEntrustDate, PaySndBnkNo, BudgetType, TrimSign, OfYear, Amt, StatInfNum}; Detail2202 {SeqNo,
  BdgOrgCode, FuncSbtCode, EcnomicSubjectCode (``<#if>``), Amt, AcctProp}.
* ``itfe_3143_java2xml.ftl``: BatchHead3143 {TreCode, FinOrgCode, AgentBnkCode, EntrustDate, PackNo,
  OriPackNo, OriEntrustDate, AllNum, AllAmt, PayoutVouType, PayMode}; Bill3143 {VouNo, OriMsgNo, VouDate,
  OriTraNo, PayDictateNo, PayMsgNo, PayEntrustDate, PaySndBnkNo, PayResult, AddWord, AcctDate, Amt}.
* ``itfe_3144_java2xml.ftl``: BatchHead3144 {AgentBnkCode, FinOrgCode, TreCode, EntrustDate, PackNo,
  OriEntrustDate, OriPackNo, AllNum, AllAmt, PayoutVouType, PayMode}; BatchReturn3144 {VouNo, VouDate,
  OriVouNo, OriVouDate, OriTraNo, AcctDate, Amt, Result, Description}.
* ``itfe_5102_java2xml.ftl``: BatchHead5102 {TreCode, BillOrg, TransBankNo (``<#if>``), EntrustDate, PackNo,
  AllNum, AllAmt, PayoutVouType}; Bill5102 {TraNo, VouNo, VouDate, SumAmt, BudgetType, OfYear, RransactOrg,
  AmtKind, StatInfNum}; Detail5102 {SeqNo, BdgOrgCode, FuncBdgSbtCode, EcnomicSubjectCode (``<#if>``), Amt}.
* ``itfe_5103_java2xml.ftl``: BatchHead5103 as 5102; Bill5103 {TraNo, VouNo, VouDate, SumAmt, BdgOrgCode,
  BudgetType, OfYear, OfMonth, RransactOrg, AmtKind, StatInfNum}; Detail5103 {SeqNo, FuncBdgSbtCode,
  EcnomicSubjectCode (``<#if>``), Amt, AcctProp}.
* ``itfe_3133_xml2java.xml`` / ``itfe_3134_xml2java.xml`` (ITFE only receives them): BatchHead3133 {TreCode,
  EntrustDate, PackNo, BillOrg, OriEntrustDate, OriPackNo, PayoutVouType}; BatchReturn3133 {VouNo, VouDate,
  OriTraNo, SumAmt, AcctDate, Result, Description}.
* ``itfe_9120_java2xml.ftl``: MsgReturn9120 {OriMsgNo, Result, AddWord, Information}.
* ``itfe_9005_java2xml.ftl``: HEAD only, no MSG.
* HEAD (``xml2javahead.xml``): VER, SRC, DES, APP, MsgNo, MsgID, MsgRef, WorkDate, Reserve — the templates of
  2201 and 2202 write ``Reserve``, the others end at ``WorkDate``.

A document is written the way a FreeMarker template lays it out: tab-indented, one element a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Leaf = tuple[str, str]
"""(element name, text); an empty text is an empty element."""


@dataclass(frozen=True)
class Node:
    """An element with children (a batch head, a bill, a detail)."""

    tag: str
    leaves: Sequence[Leaf]
    children: Sequence[Node] = field(default_factory=tuple)


Doc = tuple[list[Leaf], list[Node] | None]
"""A package: its HEAD leaves and its MSG children (None: no ``<MSG>``)."""

TIPS = "100000000000"
FRONT = "202057100007"
BANK = "102333300018"


def head(msg_no: str, msg_id: str, *, src: str = FRONT, des: str = TIPS, reserve: bool = False) -> list[Leaf]:
    leaves = [
        ("VER", "1.0"),
        ("SRC", src),
        ("DES", des),
        ("APP", "TIPS"),
        ("MsgNo", msg_no),
        ("MsgID", msg_id),
        ("MsgRef", msg_id),
        ("WorkDate", "20260317"),
    ]
    return [*leaves, ("Reserve", "")] if reserve else leaves


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write(lines: list[str], tag: str, leaves: Sequence[Leaf], children: Sequence[Node], depth: int) -> None:
    pad = "\t" * depth
    lines.append(f"{pad}<{tag}>")
    for name, text in leaves:
        lines.append(f"{pad}\t<{name}>{_escape(text)}</{name}>" if text else f"{pad}\t<{name}/>")
    for child in children:
        _write(lines, child.tag, child.leaves, child.children, depth + 1)
    lines.append(f"{pad}</{tag}>")


def cfx(head_leaves: Sequence[Leaf], body: Sequence[Node] | None) -> bytes:
    """A GBK CFX package: ``HEAD`` and, unless ``body`` is None, a ``MSG`` holding ``body``."""
    lines = ['<?xml version="1.0" encoding="GBK"?>', "<CFX>"]
    _write(lines, "HEAD", head_leaves, (), 1)
    if body is not None:
        lines.append("\t<MSG>")
        for node in body:
            _write(lines, node.tag, node.leaves, node.children, 2)
        lines.append("\t</MSG>")
    lines.append("</CFX>")
    return ("\n".join(lines) + "\n").encode("gbk")


# ---- the documents ---------------------------------------------------------------------------------------

DETAIL_2201 = [
    ("SeqNo", "1"),
    ("BdgOrgCode", "101"),
    ("FuncSbtCode", "2050202"),
    ("EcnomicSubjectCode", "30201"),
    ("Amt", "900000.00"),
    ("AcctProp", "1"),
]

DOC_2201 = (
    head("2201", "20260317220100000031", reserve=True),
    [
        Node(
            "BatchHead2201",
            [
                ("AgentBnkCode", BANK),
                ("FinOrgCode", "330324000"),
                ("TreCode", "3303240000"),
                ("EntrustDate", "20260317"),
                ("PackNo", "00000031"),
                ("AllNum", "1"),
                ("AllAmt", "900000.00"),
                ("PayoutVouType", "1"),
                ("PayMode", "0"),
            ],
        ),
        Node(
            "Bill2201",
            [
                ("TraNo", "00000001"),
                ("VouNo", "3303242301260000031"),
                ("VouDate", "20260317"),
                ("PayerAcct", "3303240000000001"),
                ("PayerName", "国家金库永嘉县支库"),
                ("PayerAddr", "永嘉县上塘镇"),
                ("PayeeAcct", "1203280129000001234"),
                ("PayeeName", "工商银行永嘉支行清算户"),
                ("PayeeAddr", "永嘉县县前路"),
                ("PayeeOpnBnkNo", BANK),
                ("AddWord", "直接支付清算"),
                ("BudgetType", "1"),
                ("TrimSign", "0"),
                ("OfYear", "2026"),
                ("Amt", "900000.00"),
                ("StatInfNum", "1"),
            ],
            [Node("Detail2201", DETAIL_2201)],
        ),
    ],
)

DOC_2202 = (
    head("2202", "20260320220200000004", reserve=True),
    [
        Node(
            "Head2202",
            [
                ("FinOrgCode", "330324000"),
                ("TreCode", "3303240000"),
                ("AgentBnkCode", BANK),
                ("EntrustDate", "20260320"),
                ("PackNo", "00000004"),
                ("AllNum", "1"),
                ("AllAmt", "2345.67"),
                ("PayoutVouType", "1"),
                ("PayMode", "0"),
            ],
        ),
        Node(
            "Bill2202",
            [
                ("TraNo", "00000001"),
                ("VouNo", "3303242302260000004"),
                ("VouDate", "20260320"),
                ("OriTraNo", "20260317000123"),
                ("OriEntrustDate", "20260317"),
                ("OriVouNo", "3303245201260000123"),
                ("OriVouDate", "20260316"),
                ("OriPayerAcct", "3303240000000001"),
                ("OriPayerName", "国家金库永嘉县支库"),
                ("OriPayeeAcct", "6222020000000001"),
                ("OriPayeeName", "永嘉县某某文具店"),
                ("PayDictateNo", "20260317000123"),
                ("PayMsgNo", "hvps.111.001.01"),
                ("PayEntrustDate", "20260317"),
                ("PaySndBnkNo", BANK),
                ("BudgetType", "1"),
                ("TrimSign", "0"),
                ("OfYear", "2026"),
                ("Amt", "2345.67"),
                ("StatInfNum", "1"),
            ],
            [
                Node(
                    "Detail2202",
                    [
                        ("SeqNo", "1"),
                        ("BdgOrgCode", "101001"),
                        ("FuncSbtCode", "2050202"),
                        ("EcnomicSubjectCode", "30201"),
                        ("Amt", "2345.67"),
                        ("AcctProp", "1"),
                    ],
                )
            ],
        ),
    ],
)

DOC_3143 = (
    head("3143", "20260317314300000901", src=TIPS, des=FRONT),
    [
        Node(
            "BatchHead3143",
            [
                ("TreCode", "3303240000"),
                ("FinOrgCode", "330324000"),
                ("AgentBnkCode", BANK),
                ("EntrustDate", "20260317"),
                ("PackNo", "00000901"),
                ("OriPackNo", "00000031"),
                ("OriEntrustDate", "20260317"),
                ("AllNum", "1"),
                ("AllAmt", "900000.00"),
                ("PayoutVouType", "1"),
                ("PayMode", "0"),
            ],
        ),
        Node(
            "Bill3143",
            [
                ("VouNo", "3303242301260000031"),
                ("OriMsgNo", "2201"),
                ("VouDate", "20260317"),
                ("OriTraNo", "00000001"),
                ("PayDictateNo", "20260317000456"),
                ("PayMsgNo", "hvps.111.001.01"),
                ("PayEntrustDate", "20260317"),
                ("PaySndBnkNo", "011333000015"),
                ("PayResult", "90000"),
                ("AddWord", "拨付成功"),
                ("AcctDate", "20260317"),
                ("Amt", "900000.00"),
            ],
        ),
    ],
)

DOC_3144 = (
    head("3144", "20260320314400000904", src=TIPS, des=FRONT),
    [
        Node(
            "BatchHead3144",
            [
                ("AgentBnkCode", BANK),
                ("FinOrgCode", "330324000"),
                ("TreCode", "3303240000"),
                ("EntrustDate", "20260320"),
                ("PackNo", "00000904"),
                ("OriEntrustDate", "20260320"),
                ("OriPackNo", "00000004"),
                ("AllNum", "1"),
                ("AllAmt", "2345.67"),
                ("PayoutVouType", "1"),
                ("PayMode", "0"),
            ],
        ),
        Node(
            "BatchReturn3144",
            [
                ("VouNo", "3303242302260000004"),
                ("VouDate", "20260320"),
                ("OriVouNo", "3303245201260000123"),
                ("OriVouDate", "20260316"),
                ("OriTraNo", "00000001"),
                ("AcctDate", "20260320"),
                ("Amt", "2345.67"),
                ("Result", "90000"),
                ("Description", "处理成功"),
            ],
        ),
    ],
)

_QUOTA_HEAD = [
    ("TreCode", "3303240000"),
    ("BillOrg", "330324000"),
    ("TransBankNo", BANK),
    ("EntrustDate", "20260301"),
    ("PackNo", "00000003"),
    ("AllNum", "1"),
    ("AllAmt", "500000.00"),
    ("PayoutVouType", "0"),
]

DOC_5102 = (
    head("5102", "20260301510200000003"),
    [
        Node("BatchHead5102", _QUOTA_HEAD),
        Node(
            "Bill5102",
            [
                ("TraNo", "00000001"),
                ("VouNo", "3303245108260000003"),
                ("VouDate", "20260301"),
                ("SumAmt", "500000.00"),
                ("BudgetType", "1"),
                ("OfYear", "2026"),
                ("RransactOrg", "102"),
                ("AmtKind", "1"),
                ("StatInfNum", "2"),
            ],
            [
                Node(
                    "Detail5102",
                    [
                        ("SeqNo", "1"),
                        ("BdgOrgCode", "101"),
                        ("FuncBdgSbtCode", "2050202"),
                        ("EcnomicSubjectCode", "30201"),
                        ("Amt", "300000.00"),
                    ],
                ),
                Node(
                    "Detail5102",
                    [
                        ("SeqNo", "2"),
                        ("BdgOrgCode", "102"),
                        ("FuncBdgSbtCode", "2100302"),
                        ("EcnomicSubjectCode", "30201"),
                        ("Amt", "200000.00"),
                    ],
                ),
            ],
        ),
    ],
)

DOC_5103 = (
    head("5103", "20260301510300000002"),
    [
        Node("BatchHead5103", [(n, "00000002" if n == "PackNo" else v) for n, v in _QUOTA_HEAD]),
        Node(
            "Bill5103",
            [
                ("TraNo", "00000001"),
                ("VouNo", "3303245106260000002"),
                ("VouDate", "20260301"),
                ("SumAmt", "500000.00"),
                ("BdgOrgCode", "101001"),
                ("BudgetType", "1"),
                ("OfYear", "2026"),
                ("OfMonth", "03"),
                ("RransactOrg", "102"),
                ("AmtKind", "1"),
                ("StatInfNum", "1"),
            ],
            [
                Node(
                    "Detail5103",
                    [
                        ("SeqNo", "1"),
                        ("FuncBdgSbtCode", "2050202"),
                        ("EcnomicSubjectCode", "30201"),
                        ("Amt", "500000.00"),
                        ("AcctProp", "1"),
                    ],
                )
            ],
        ),
    ],
)


def _quota_receipt(msg_no: str, msg_id: str, ori_pack_no: str, vou_no: str, result: str, text: str) -> Doc:
    return (
        head(msg_no, msg_id, src=TIPS, des=FRONT),
        [
            Node(
                f"BatchHead{msg_no}",
                [
                    ("TreCode", "3303240000"),
                    ("EntrustDate", "20260301"),
                    ("PackNo", "00000703"),
                    ("BillOrg", "330324000"),
                    ("OriEntrustDate", "20260301"),
                    ("OriPackNo", ori_pack_no),
                    ("PayoutVouType", "0"),
                ],
            ),
            Node(
                f"BatchReturn{msg_no}",
                [
                    ("VouNo", vou_no),
                    ("VouDate", "20260301"),
                    ("OriTraNo", "00000001"),
                    ("SumAmt", "500000.00"),
                    ("AcctDate", "20260301"),
                    ("Result", result),
                    ("Description", text),
                ],
            ),
        ],
    )


DOC_3133 = _quota_receipt(
    "3133", "20260301313300000703", "00000003", "3303245108260000003", "90000", "处理成功"
)
DOC_3134 = _quota_receipt(
    "3134", "20260301313400000702", "00000002", "3303245106260000002", "94001", "额度超过计划"
)

DOC_9120 = (
    head("9120", "20260317912000000077", src=TIPS, des=FRONT),
    [
        Node(
            "MsgReturn9120",
            [
                ("OriMsgNo", "2201"),
                ("Result", "90000"),
                ("AddWord", "报文已接收"),
                ("Information", "处理成功"),
            ],
        )
    ],
)

DOC_9005 = (head("9005", "20260317900500000001"), None)

DOCUMENTS: dict[str, Doc] = {
    "2201": DOC_2201,
    "2202": DOC_2202,
    "3143": DOC_3143,
    "3144": DOC_3144,
    "5102": DOC_5102,
    "5103": DOC_5103,
    "3133": DOC_3133,
    "3134": DOC_3134,
    "9120": DOC_9120,
    "9005": DOC_9005,
}


def document(msg_no: str) -> bytes:
    head_leaves, body = DOCUMENTS[msg_no]
    return cfx(head_leaves, body)
