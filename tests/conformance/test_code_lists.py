"""Code lists against what real systems send (issue 12, "Code lists").

Sources of the code values (each is also named in ``schemas/codelists/data/*.json``):

* 支付方式 PayTypeCode ``11`` / ``12`` / ``91`` — caoyanguo/ITFE
  ``ITFECommon/src/com/cfcc/itfe/constant/StateConstant.java`` (DIRECT_PAY_CODE, GRANT_PAY_CODE,
  PAYOUT_PAY_CODE); 6-digit ``001001`` 直接支付 / ``001002`` 授权支付 — caoyanguo/ITFE
  ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/Voucher2301MsgServer.java`` (``PayTypeCode.startsWith
  ("001001")``, "财政普遍采用的是6位") and ``ITFECommon/src/com/cfcc/itfe/util/transformer/
  VoucherDto2MapFor3510.java`` ("天津的支付方式为001002和001001").
* 资金性质 FundTypeCode: any code beginning 1, 2, 3, 8 or 9 — caoyanguo/ITFE
  ``ITFECommon/src/com/cfcc/itfe/voucher/service/VoucherVerify.java`` ("只能与1、2、8、9开头"; Shanghai,
  PUBLICPARAM ``,sh,``: "只能为1").
* 一体化 FUND_TYPE_CODE ``11111`` — the regional value of the issue; no public list holds it, so a stock
  install accepts it with a warning.

The documents: the 5201 and 2301 vouchers follow the ITFE field lists the adapter models
(``itfeesb/conf/transconfig/voucher_2301_java2xml.ftl``: Id, AdmDivCode, StYear, VtCode, VouDate, VoucherNo,
TreCode, FinOrgCode, BgtTypeCode/Name, FundTypeCode/Name, PayTypeCode/Name, AgentAcct*, ClearAcct*, PayAmt,
PayBankName/No, Remark, MoneyCorpCode, Hold1/2, DetailList/Detail) — our shared samples
(tests/adapters/payments_samples.py) with only the code under test changed; the BA_BGT_INFO row follows
zhouxiaolejoe/micro-service-parent ``BaBgtInfoPO.java`` column names (tests/gateway/samples.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

import pytest

from adapters.base import Document, refuse_unknown_codes
from adapters.evoucher import EVoucherAdapter
from adapters.mof import MofJsonAdapter
from schemas.codelists import CodeListRegistry, default_registry
from schemas.errors import ValidationFailed
from tests.adapters.evoucher_build import body, envelope, inner_bytes, inner_text
from tests.gateway.samples import indicator_document, indicator_row

EVOUCHER = EVoucherAdapter()
MOF_JSON = MofJsonAdapter()
VOUCHER_NOS = {"5201": "3303245201260000123", "2301": "3303242301260000031"}


def _voucher(vt: str, element: str, value: str) -> Document:
    """The shared ``vt`` sample with ``<element>`` set to ``value``, parsed as the gateway would."""
    text = inner_text(vt)
    start, end = text.index(f"<{element}>"), text.index(f"</{element}>")
    edited = f"{text[:start]}<{element}>{value}{text[end:]}"
    return EVOUCHER.parse(envelope(body(inner_bytes(edited), vt=vt, no=VOUCHER_NOS[vt])))


def _codes(document: Document) -> list[tuple[str, str, str | None]]:
    return [(p.path, p.rule, p.value) for p in document.code_problems]


@pytest.mark.parametrize("vt", ["5201", "2301"])
@pytest.mark.parametrize("code", ["11", "12", "91", "001001", "001002"])
def test_pay_type_codes_real_systems_send_are_in_the_shipped_list(vt: str, code: str) -> None:
    document = _voucher(vt, "PayTypeCode", code)
    assert document.records[0].message.pay_type_code == code  # type: ignore[attr-defined]
    assert _codes(document) == []
    assert refuse_unknown_codes(document) is document  # even under refuse


def test_six_digit_pay_types_are_named_after_their_prefix() -> None:
    pay_types = default_registry().get("PAY_TYPE", "120000000", 2026)  # 天津
    assert (pay_types.name_of("001001"), pay_types.name_of("001002"), pay_types.name_of("11")) == (
        "直接支付",
        "授权支付",
        "直接支付",
    )
    assert pay_types.name_of("13") is None


@pytest.mark.parametrize("vt", ["5201", "2301"])
def test_an_unknown_pay_type_is_a_code_problem_not_a_refusal(vt: str) -> None:
    document = _voucher(vt, "PayTypeCode", "13")
    assert _codes(document) == [("[0].pay_type_code", "code_list:PAY_TYPE", "13")]
    with pytest.raises(ValidationFailed) as info:
        refuse_unknown_codes(document)
    assert [(p.path, p.rule, p.value) for p in info.value.problems] == _codes(document)


@pytest.mark.parametrize("code", ["1", "11", "11111", "21", "3", "8", "9", "912"])
def test_fund_type_codes_beginning_as_itfe_accepts_are_known(code: str) -> None:
    assert _codes(_voucher("5201", "FundTypeCode", code)) == []


@pytest.mark.parametrize("code", ["4", "5", "7", "07"])
def test_other_fund_type_codes_are_reported(code: str) -> None:
    assert _codes(_voucher("5201", "FundTypeCode", code)) == [
        ("[0].fund_type_code", "code_list:EV_FUND_TYPE", code)
    ]


def test_shanghai_lets_only_fund_types_beginning_with_1() -> None:
    registry = default_registry()
    assert registry.check("EV_FUND_TYPE", "2", "310115000", 2026, "f") is not None
    assert registry.check("EV_FUND_TYPE", "11111", "310115000", 2026, "f") is None
    assert registry.check("EV_FUND_TYPE", "2", "330324000", 2026, "f") is None


def test_a_regional_fund_type_in_an_indicator_is_a_warning_not_a_refusal() -> None:
    row = indicator_row("330000000", "330300000", "3300002026ZJ0201", Decimal("880000.00"))
    row["FUND_TYPE_CODE"] = "11111"
    document = MOF_JSON.parse(indicator_document(row))
    assert document.records[0].message.fund_type_code == "11111"  # type: ignore[attr-defined]
    assert _codes(document) == [("[0].fund_type_code", "code_list:FUND_TYPE", "11111")]
    with pytest.raises(ValidationFailed):
        refuse_unknown_codes(document)


def test_a_region_can_ship_its_own_codes() -> None:
    """A regional release (data file) makes ``11111`` known for that region only."""
    national = {"region": "000000000", "year": 2024, "version": "n", "lists": {"FUND_TYPE": {"111": "一般"}}}
    regional = {
        "region": "130000000",
        "year": 2026,
        "version": "r",
        "lists": {"FUND_TYPE": {"111": "一般", "11111": "一般公共预算资金（地方）"}},
    }
    registry = CodeListRegistry.from_mappings([national, regional])
    assert registry.check("FUND_TYPE", "11111", "130102000", 2026, "f") is None
    assert registry.check("FUND_TYPE", "11111", "130102000", 2025, "f") is not None
    assert registry.check("FUND_TYPE", "11111", "330324000", 2026, "f") is not None


def test_every_shipped_list_names_its_source() -> None:
    data = resources.files("schemas.codelists").joinpath("data")
    files = [entry for entry in data.iterdir() if entry.name.endswith(".json")]
    assert len(files) >= 3
    for entry in files:
        release = json.loads(entry.read_text(encoding="utf-8"))
        defined = set(release["lists"]) | set(release.get("prefixes", {}))
        assert defined <= set(release["sources"]), entry.name
        assert all(release["sources"][name].strip() for name in defined), entry.name
