"""控制 rules as versioned data (issue 17): a TOML rule file, parsed and checked here, stored as a new
``control_rule_sets`` version by ``fiscalgw control load`` (audited); each decision records the version.

The file, one table per paying division (its finance's 9-digit MOF_DIV_CODE, whose ledger the vouchers
spend from; a voucher's AdmDivCode is mapped to it through the party registry)::

    [divisions."330324000"]
    policy = "refuse"              # refuse | hold | off
    indicator_balance = true       # 指标余额
    func_subject = true            # 科目余额: the voucher's ExpFuncCode within the indicator's 功能科目
    project = true                 # 项目类型: the voucher's DepProCode is the indicator's PRO_CODE
    sangong = { "30217" = "50206" }  # "三公"到项: ExpEcoCode → the indicator's GOV_BGT_ECO_CODE
    revenue_fund_types = ["2"]     # 以收定支: these FundTypeCode spend only indicators of the same fund type
    large_payment = { threshold = "5000000.00", action = "hold" }   # 大额支付

A division without a table, or with ``policy = "off"``, is not controlled (its vouchers are still linked to
their indicator when one is found, so the 资金追踪 report counts them). ``action`` of ``large_payment``
(``refuse`` | ``hold``) overrides the division's policy for that rule only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gateway.services.errors import BadRequest
from schemas.money import MoneyFormatError, parse_money, to_fen

POLICIES = ("refuse", "hold", "off")

CODES: dict[str, str] = {
    "indicator_unknown": "无对应指标（指标文号未找到）",
    "indicator_year_mismatch": "指标年度与凭证年度不符",
    "indicator_recalled": "指标已收回或删除",
    "indicator_ambiguous": "指标文号对应多条指标，无法确定",
    "indicator_exhausted": "指标余额不足",
    "func_subject_mismatch": "功能科目与指标不符（科目余额控制）",
    "project_mismatch": "预算项目与指标不符（项目类型控制）",
    "sangong_mismatch": "“三公”经费经济科目与指标不符（控制到项）",
    "revenue_fund_mismatch": "以收定支资金性质与指标不符",
    "large_payment": "大额支付，需人工审核",
}
"""Every control code and its ops-facing text (简体中文)."""


class RuleFileInvalid(BadRequest):
    """``control_rules_invalid``: the rule file is not valid TOML or does not follow the format."""

    code = "control_rules_invalid"


@dataclass(frozen=True)
class LargePayment:
    threshold_fen: int
    action: str


@dataclass(frozen=True)
class DivisionRules:
    policy: str = "off"
    indicator_balance: bool = True
    func_subject: bool = False
    project: bool = False
    sangong: Mapping[str, str] = field(default_factory=dict)
    revenue_fund_types: frozenset[str] = frozenset()
    large_payment: LargePayment | None = None

    def action(self, code: str) -> str:
        """refuse | hold for a failed ``code`` under this division's rules."""
        if code == "large_payment" and self.large_payment is not None:
            return self.large_payment.action
        return self.policy


OFF = DivisionRules()


@dataclass(frozen=True)
class RuleSet:
    version: int | None
    divisions: Mapping[str, DivisionRules]

    def of(self, division: str) -> DivisionRules:
        return self.divisions.get(division, OFF)


NO_RULES = RuleSet(None, {})
"""Before any rule file was loaded: nothing is controlled."""

_KEYS = {"policy", "indicator_balance", "func_subject", "project", "sangong", "revenue_fund_types"}


def parse(text: str) -> dict[str, Any]:
    """The TOML rule file as the plain JSON-able object stored with a version; raises
    :class:`RuleFileInvalid` naming the first problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileInvalid(f"not valid TOML: {exc}") from None
    unknown = set(raw) - {"divisions"}
    if unknown:
        raise RuleFileInvalid(f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    divisions = raw.get("divisions", {})
    if not isinstance(divisions, dict):
        raise RuleFileInvalid("[divisions] must be a table")
    out: dict[str, Any] = {}
    for code, body in divisions.items():
        if not (isinstance(code, str) and code.isdigit() and len(code) == 9):
            raise RuleFileInvalid(f"division {code!r}: a MOF_DIV_CODE is 9 digits")
        if not isinstance(body, dict):
            raise RuleFileInvalid(f"division {code}: must be a table")
        out[code] = _division(code, body)
    return {"divisions": out}


def _division(code: str, body: dict[str, Any]) -> dict[str, Any]:
    unknown = set(body) - _KEYS - {"large_payment"}
    if unknown:
        raise RuleFileInvalid(f"division {code}: unknown key(s): {', '.join(sorted(unknown))}")
    policy = body.get("policy", "off")
    if policy not in POLICIES:
        raise RuleFileInvalid(f"division {code}: policy must be one of {', '.join(POLICIES)}")
    out: dict[str, Any] = {"policy": policy}
    for flag in ("indicator_balance", "func_subject", "project"):
        value = body.get(flag, flag == "indicator_balance")
        if not isinstance(value, bool):
            raise RuleFileInvalid(f"division {code}: {flag} must be true or false")
        out[flag] = value
    sangong = body.get("sangong", {})
    if not isinstance(sangong, dict) or not all(
        isinstance(k, str) and k.isdigit() and isinstance(v, str) and v.isdigit() for k, v in sangong.items()
    ):
        raise RuleFileInvalid(f"division {code}: sangong maps economic codes to economic codes (digits)")
    out["sangong"] = dict(sorted(sangong.items()))
    funds = body.get("revenue_fund_types", [])
    if not isinstance(funds, list) or not all(isinstance(f, str) and f for f in funds):
        raise RuleFileInvalid(f"division {code}: revenue_fund_types is a list of FundTypeCode strings")
    out["revenue_fund_types"] = sorted(set(funds))
    large = body.get("large_payment")
    if large is not None:
        out["large_payment"] = _large(code, large, policy)
    return out


def _large(code: str, large: Any, policy: str) -> dict[str, Any]:
    if not isinstance(large, dict) or set(large) - {"threshold", "action"} or "threshold" not in large:
        raise RuleFileInvalid(f'division {code}: large_payment = {{ threshold = "…", action = … }}')
    threshold = large["threshold"]
    if not isinstance(threshold, str):
        raise RuleFileInvalid(f"division {code}: large_payment.threshold is an amount in quotes (yuan)")
    try:
        amount: Decimal = parse_money(threshold)
    except MoneyFormatError as exc:
        raise RuleFileInvalid(f"division {code}: large_payment.threshold: {exc.message}") from None
    if amount <= 0:
        raise RuleFileInvalid(f"division {code}: large_payment.threshold must be positive")
    action = large.get("action", "hold" if policy == "off" else policy)
    if action not in ("refuse", "hold"):
        raise RuleFileInvalid(f"division {code}: large_payment.action must be refuse or hold")
    return {"threshold_fen": to_fen(amount), "action": action}


def rule_set(version: int, stored: Mapping[str, Any]) -> RuleSet:
    """A stored version as the objects the control reads."""
    divisions: dict[str, DivisionRules] = {}
    for code, body in stored.get("divisions", {}).items():
        large = body.get("large_payment")
        divisions[code] = DivisionRules(
            policy=body["policy"],
            indicator_balance=body["indicator_balance"],
            func_subject=body["func_subject"],
            project=body["project"],
            sangong=dict(body["sangong"]),
            revenue_fund_types=frozenset(body["revenue_fund_types"]),
            large_payment=None if large is None else LargePayment(large["threshold_fen"], large["action"]),
        )
    return RuleSet(version, divisions)
