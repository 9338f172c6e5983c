"""Wire identifiers that are fixed by the standards (not per province): VtCode and MsgNo.

Per-region, per-year value lists (资金性质, 支付方式, 预算级次 …) are data, see :mod:`schemas.codelists`.
"""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import AfterValidator


class VtCode(enum.StrEnum):
    """电子凭证 voucher type numbers (DOMAIN.md §2.2, from ITFE ``MsgConstant``)."""

    DIRECT_PAYMENT = "5201"  # 财政直接支付凭证
    AUTHORIZED_PAYMENT = "8202"  # 财政授权支付凭证
    CLEARING_REQUEST = "2301"  # 申请划款凭证
    REFUND_REQUEST = "2302"  # 申请退款凭证
    DIRECT_QUOTA_NOTICE = "5108"  # 直接支付清算额度通知单
    AUTHORIZED_QUOTA_NOTICE = "5106"  # 授权支付清算额度通知单
    PAYEE_BANK_REFUND = "2252"  # 收款银行退款通知
    PBC_FINANCE_CHECK = "3501"  # 人民银行与财政凭证对账
    PBC_BANK_CHECK = "3502"  # 人民银行与代理银行凭证对账
    QUOTA_CHECK = "3510"  # 清算额度对账
    QUOTA_CHECK_REPLY = "5510"  # 清算额度对账回执


class MsgNo(enum.StrEnum):
    """PBOC TIPS CFX message numbers (DOMAIN.md §3.2)."""

    CLEARING_APPLY = "2201"  # 划款申请
    CLEARING_APPLY_RECEIPT = "3143"  # 划款申请回执
    CLEARING_RETURN = "2202"  # 划款申请退回
    CLEARING_RETURN_RECEIPT = "3144"  # 划款申请退回回执
    DIRECT_QUOTA = "5102"  # 直接支付额度
    DIRECT_QUOTA_RECEIPT = "3133"  # 直接支付额度回执
    AUTHORIZED_QUOTA = "5103"  # 授权支付额度
    AUTHORIZED_QUOTA_RECEIPT = "3134"  # 授权支付额度回执
    GENERAL_REPLY = "9120"  # 通用应答
    CONNECTIVITY_TEST = "9005"  # 连接性测试


def _check_vt_code(value: str) -> str:
    try:
        return VtCode(value).value
    except ValueError:
        raise ValueError(f"unknown VtCode {value!r}") from None


def _check_msg_no(value: str) -> str:
    try:
        return MsgNo(value).value
    except ValueError:
        raise ValueError(f"unknown MsgNo {value!r}") from None


def _check_year(value: int) -> int:
    if not 1990 <= value <= 2099:
        raise ValueError("fiscal year must be a 4-digit year between 1990 and 2099")
    return value


KnownVtCode = Annotated[str, AfterValidator(_check_vt_code)]
KnownMsgNo = Annotated[str, AfterValidator(_check_msg_no)]
FiscalYear = Annotated[int, AfterValidator(_check_year)]
