"""财政区划代码 (MOF_DIV_CODE, code set VD08001) and 6-digit 行政区划 AdmDivCode.

A 9-digit ``MOF_DIV_CODE`` carries its level in its trailing zeros (DOMAIN.md §1.2):
``xx0000000`` province, ``xxxx00000`` city, ``xxxxxx000`` county; ``100000000`` is the central level
(财政部). The 6-digit ``AdmDivCode`` used by the 电子凭证库 is mapped through the party registry, never by
string surgery alone; :func:`default_adm_div_code` is only the conventional first guess for a 本级 finance.
"""

from __future__ import annotations

import enum
import re
from typing import Annotated

from pydantic import AfterValidator

# GB/T 2260 province-level prefixes (incl. 71 台湾, 81 香港, 82 澳门).
PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)
CENTRAL_MOF_DIV_CODE = "100000000"

_NINE = re.compile(r"^\d{9}$")
_SIX = re.compile(r"^\d{6}$")


class DivisionLevel(enum.StrEnum):
    """Level of a finance division, derived from the code."""

    CENTRAL = "central"  # 中央
    PROVINCE = "province"  # 省级
    CITY = "city"  # 市级
    COUNTY = "county"  # 县（区）级
    SUB_COUNTY = "sub_county"  # 开发区、乡镇等非零后缀 (inferred; DOMAIN.md §1.2)


def division_level(code: str) -> DivisionLevel:
    """The level of a valid 9-digit MOF_DIV_CODE; raises ``ValueError`` for an invalid one."""
    check_mof_div_code(code)
    if code == CENTRAL_MOF_DIV_CODE:
        return DivisionLevel.CENTRAL
    if code.endswith("0000000"):
        return DivisionLevel.PROVINCE
    if code.endswith("00000"):
        return DivisionLevel.CITY
    if code.endswith("000"):
        return DivisionLevel.COUNTY
    return DivisionLevel.SUB_COUNTY


_VALID_CACHE_SIZE = 4096
_valid_mof_div: set[str] = set()
_valid_adm_div: set[str] = set()
"""Codes that already passed their check (a batch repeats the same few divisions); bounded."""


def _remember(cache: set[str], code: str) -> str:
    if len(cache) >= _VALID_CACHE_SIZE:
        cache.clear()
    cache.add(code)
    return code


def check_mof_div_code(code: str) -> str:
    if code in _valid_mof_div:
        return code
    if not _NINE.match(code):
        raise ValueError("MOF_DIV_CODE must be exactly 9 digits")
    if code == CENTRAL_MOF_DIV_CODE:
        return code
    if code[:2] not in PROVINCE_PREFIXES:
        raise ValueError(f"MOF_DIV_CODE province prefix {code[:2]} is not a GB/T 2260 province")
    if code[2:4] == "00" and code[4:] != "00000":
        raise ValueError("MOF_DIV_CODE has a zero city part but a non-zero county part")
    return _remember(_valid_mof_div, code)


def check_adm_div_code(code: str) -> str:
    if code in _valid_adm_div:
        return code
    if not _SIX.match(code):
        raise ValueError("AdmDivCode must be exactly 6 digits")
    if code[:2] not in PROVINCE_PREFIXES:
        raise ValueError(f"AdmDivCode province prefix {code[:2]} is not a GB/T 2260 province")
    return _remember(_valid_adm_div, code)


def parent_division(code: str) -> str | None:
    """The next level up (county → city → province → central)."""
    level = division_level(code)
    if level is DivisionLevel.SUB_COUNTY:
        return code[:6] + "000"
    if level is DivisionLevel.COUNTY:
        return code[:4] + "00000"
    if level is DivisionLevel.CITY:
        return code[:2] + "0000000"
    if level is DivisionLevel.PROVINCE:
        return CENTRAL_MOF_DIV_CODE
    return None


def default_adm_div_code(mof_div_code: str) -> str:
    """Conventional 9→6 guess for a 本级 finance (first six digits). *(inferred, DOMAIN.md §1.2)*"""
    check_mof_div_code(mof_div_code)
    return mof_div_code[:6]


MofDivCode = Annotated[str, AfterValidator(check_mof_div_code)]
AdmDivCode = Annotated[str, AfterValidator(check_adm_div_code)]
