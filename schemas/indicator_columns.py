"""The columns of the 一体化 indicator tables, defined once: name, 中文 comment, canonical field, value kind.

Every other list of indicator columns is derived from these tuples: the ``mof`` tables
(:mod:`adapters.mof.tables`), the CSV/XLSX ledger snapshots, the reconciliation's snapshot columns and their
Chinese headers (:mod:`gateway.reconcile.indicators.ledger_columns`), the store's export header and the
benchmarks.

Sources (each column names its own):

* ``PO_INFO`` — repo ``zhouxiaolejoe/micro-service-parent``,
  ``…/maincollector/executive/server/entity/BaBgtInfoPO.java`` (class ``BaBgtInfoPO`` 指标信息): the field
  names and their Javadoc comments, in the class's order. ``Date`` fields are the ``date`` / ``datetime``
  kinds, ``BigDecimal`` the ``money`` kind (``PARAM_6``–``PARAM_10``: ``decimal``, a number that is not
  known to be money). The PO spells ``TASK_NANME`` (任务名称) so; the wire keeps that spelling.
* ``PO_ADJSUB`` — same repo, ``…/entity/BaBgtAdjsubPO.java`` (class ``BaBgtAdjsubPO`` 指标调整明细信息). Its
  ``BGT_ID`` is the 调入指标主键 (the indicator that receives ``ADD_AMOUNT``), carried as ``in_bgt_id``; its
  key is ``ADJ_SUB_ID``; ``ORI_BGT_ID`` is the 源指标主键.
* ``PWF`` — shared/DOMAIN.md §1.3: the 一体化 front end's 上级转移支付 view and 对账 dialog
  (``distriType`` 分配方式, ``is_dir`` 直达资金标识); not in the two POs.
* ``OURS`` — our convention where the standard's form was NOT FOUND (``ADJ_TYPE_CODE``), and, on
  ``BA_BGT_ADJSUB``, the ``BA_BGT_INFO`` columns an adjustment row may repeat (read and written for
  compatibility with documents this gateway wrote before; the real table does not have them, and none of
  them is required).

Kinds: ``text``; ``flag`` (a short code that JSON may send as a number, ``"IS_TRACK": 1``); ``year``;
``date`` (``YYYY-MM-DD``, or ``YYYY-MM-DD 00:00:00`` as Java ``Date`` columns are sent); ``datetime``;
``money``; ``decimal``; and the two adjustment kinds ``recall_money`` (``ADD_AMOUNT``) and ``adj_type``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal[
    "text", "flag", "year", "date", "datetime", "money", "decimal", "recall_money", "adj_type"
]

PO_INFO = "zhouxiaolejoe/micro-service-parent …/entity/BaBgtInfoPO.java"
PO_ADJSUB = "zhouxiaolejoe/micro-service-parent …/entity/BaBgtAdjsubPO.java"
PWF = "shared/DOMAIN.md §1.3 (一体化 front end)"
OURS = "our convention"


@dataclass(frozen=True, slots=True)
class StandardColumn:
    """One column of a 一体化 table: its wire ``name``, its ``zh`` comment, the canonical ``field`` it fills,
    its value ``kind`` and its ``source``."""

    name: str
    zh: str
    field: str
    kind: ColumnKind = "text"
    source: str = PO_INFO


def _c(name: str, zh: str, kind: ColumnKind = "text", field: str | None = None) -> StandardColumn:
    return StandardColumn(name, zh, field or name.lower(), kind, PO_INFO)


BA_BGT_INFO_COLUMNS: tuple[StandardColumn, ...] = (
    _c("BGT_ID", "指标主键"),
    _c("MOF_DIV_CODE", "财政区划代码"),
    _c("FISCAL_YEAR", "预算年度", "year"),
    _c("COR_BGT_DOC_NO", "本级指标文号"),
    _c("BGT_DOC_TITLE", "指标文标题"),
    _c("DOC_DATE", "发文时间", "date"),
    _c("BGT_DEC", "指标说明"),
    _c("BUDGET_LEVEL_CODE", "预算级次代码", "flag"),
    _c("SUP_BGT_DOC_NO", "上级指标文号"),
    _c("PRO_CODE", "项目代码"),
    _c("BGT_EXE_FLAG", "指标可执行标志", "flag"),
    _c("IS_TRACK", "是否追踪", "flag"),
    _c("TRACK_PRO_CODE", "需要追踪项目代码"),
    _c("AGENCY_CODE", "单位代码"),
    _c("FUND_TYPE_CODE", "资金性质代码"),
    _c("MANAGE_MOF_DEP_CODE", "业务主管处室代码"),
    _c("TP_FUNC_CODE", "转移支付支出功能分类科目代码"),
    _c("EXP_FUNC_CODE", "支出功能分类科目代码"),
    _c("GOV_BGT_ECO_CODE", "政府支出经济分类科目代码"),
    _c("DEP_BGT_ECO_CODE", "部门支出经济分类科目代码"),
    _c("BGT_TYPE_CODE", "指标类型代码"),
    _c("AMOUNT", "指标金额", "money"),
    _c("BGT_MOF_DEP_CODE", "指标管理处室代码"),
    _c("IS_GOV_PUR", "是否政府采购", "flag"),
    _c("UPDATE_TIME", "更新时间", "datetime"),
    _c("ADJ_BATCH_NO", "调整批次号"),
    _c("ORI_BGT_ID", "源指标主键"),
    _c("DIS_AMT", "调减（追减）金额", "money"),
    _c("CUR_AMT", "指标余额", "money"),
    _c("BGT_PMAN_ID", "项目年度预算主键"),
    _c("IS_DELETED", "是否删除", "flag"),
    _c("SOURCE_TYPE_CODE", "指标来源代码", "flag"),
    _c("CREATE_TIME", "创建时间", "datetime"),
    _c("REC_DIV_CODE", "接收方财政区划代码"),
    _c("COUNT_FUND_PRO_CODE", "对应配套安排的中央项目代码"),
    _c("PAY_APP_AMT", "已申请支付金额", "money"),
    _c("TASK_NO", "任务代码"),
    _c("SPE_PRO_CODE", "具体实施项目"),
    *(_c(f"PARAM_{n}", f"备用字段{n}") for n in range(1, 6)),
    *(_c(f"PARAM_{n}", f"备用字段{n}", "decimal") for n in range(6, 11)),
    _c("MOF_DIV_NAME", "财政区划名称"),
    _c("PRO_NAME", "项目名称"),
    _c("AGENCY_NAME", "单位名称"),
    _c("FUND_TYPE_NAME", "资金性质名称"),
    _c("MANAGE_MOF_DEP_NAME", "业务主管处室名称"),
    _c("TP_FUNC_NAME", "转移支付功能分类科目名称"),
    _c("EXP_FUNC_NAME", "支出功能分类科目名称"),
    _c("GOV_BGT_ECO_NAME", "政府支出经济分类科目名称"),
    _c("DEP_BGT_ECO_NAME", "部门支出经济分类科目名称"),
    _c("BGT_TYPE_NAME", "指标类型名称"),
    _c("BGT_MOF_DEP_NAME", "指标管理处室名称"),
    _c("REC_DIV_NAME", "接收方财政区划名称"),
    _c("TASK_NANME", "任务名称", field="task_name"),
    _c("PAY_TYPE_NAME", "支付方式名称"),
    _c("EXP_LEVEL_CODE", "支出级次代码", "flag"),
    _c("PAY_TYPE_CODE", "支付方式代码"),
    _c("SOURCE_TYPE_NAME", "指标来源名称"),
    _c("TRACK_PRO_NAME", "需要追踪项目名称"),
    _c("SPE_PRO_NAME", "具体项目名称"),
    _c("EXP_LEVEL_NAME", "支出级次名称"),
    StandardColumn("DISTRI_TYPE_CODE", "分配方式代码", "distri_type_code", "flag", PWF),
    StandardColumn("IS_DIR", "直达资金标识", "is_dir", "flag", PWF),
)
"""``BA_BGT_INFO`` 指标信息: every column of ``BaBgtInfoPO`` in its order, then two the front end shows."""


def _a(name: str, zh: str, kind: ColumnKind = "text", field: str | None = None) -> StandardColumn:
    return StandardColumn(name, zh, field or name.lower(), kind, PO_ADJSUB)


BA_BGT_ADJSUB_COLUMNS: tuple[StandardColumn, ...] = (
    _a("ADJ_SUB_ID", "指标调整明细主键", field="bgt_id"),
    _a("MOF_DIV_CODE", "财政区划代码"),
    _a("FISCAL_YEAR", "年度", "year"),
    _a("COR_BGT_DOC_NO", "本级指标文号"),
    _a("BGT_DOC_TITLE", "指标文标题"),
    _a("DOC_DATE", "发文时间", "date"),
    _a("BGT_DEC", "指标说明"),
    _a("PRO_CODE", "项目代码"),
    _a("BAT_NUM", "调整批次号", field="adj_batch_no"),
    _a("SOURCE_TYPE_CODE", "指标来源代码", "flag"),
    _a("ADJ_DATE", "调整日期", "date"),
    _a("BGT_ID", "调入指标主键", field="in_bgt_id"),
    _a("ADD_AMOUNT", "调入金额", "recall_money", field="amount"),
    _a("ORI_BGT_ID", "源指标主键"),
    _a("FUND_TYPE_CODE", "资金性质代码"),
    _a("EXP_FUNC_CODE", "支出功能分类科目代码"),
    _a("GOV_BGT_ECO_CODE", "政府支出经济分类科目代码"),
    _a("DEP_BGT_ECO_CODE", "部门支出经济分类科目代码"),
    _a("UPDATE_TIME", "更新时间", "datetime"),
    _a("REC_DIV_CODE", "接收方财政区划代码"),
    _a("BGT_MOF_DEP_CODE", "指标管理处室代码"),
    _a("MANAGE_MOF_DEP_CODE", "业务主管处室代码"),
    _a("IS_TRACK", "是否追踪", "flag"),
    _a("BUDGET_LEVEL_CODE", "预算级次代码", "flag"),
    _a("IS_DELETED", "是否删除", "flag"),
    _a("CREATE_TIME", "创建时间", "datetime"),
    *(_a(f"PARAM_{n}", f"备用字段{n}") for n in range(1, 6)),
    *(_a(f"PARAM_{n}", f"备用字段{n}", "decimal") for n in range(6, 11)),
    StandardColumn("ADJ_TYPE_CODE", "调整类型（1 调整 / 2 收回）", "event", "adj_type", OURS),
)
"""``BA_BGT_ADJSUB`` 指标调整明细: every column of ``BaBgtAdjsubPO`` in its order, then ``ADJ_TYPE_CODE``
(ours, optional: without it a row is an 调整 whose signed ``ADD_AMOUNT`` is the delta)."""

_ADJSUB_NAMES = frozenset(c.name for c in BA_BGT_ADJSUB_COLUMNS)
BA_BGT_ADJSUB_EXTRA_COLUMNS: tuple[StandardColumn, ...] = tuple(
    StandardColumn(c.name, c.zh, c.field, c.kind, OURS)
    for c in BA_BGT_INFO_COLUMNS
    if c.name not in _ADJSUB_NAMES and c.field not in ("amount", "adj_batch_no")
)
"""The ``BA_BGT_INFO`` columns an adjustment row may also carry (``OURS``; see the module docstring)."""

LEDGER_SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "BGT_ID",
    "MOF_DIV_CODE",
    "REC_DIV_CODE",
    "FISCAL_YEAR",
    "COR_BGT_DOC_NO",
    "SUP_BGT_DOC_NO",
    "BGT_DOC_TITLE",
    "DOC_DATE",
    "BGT_DEC",
    "PRO_CODE",
    "FUND_TYPE_CODE",
    "EXP_FUNC_CODE",
    "TP_FUNC_CODE",
    "GOV_BGT_ECO_CODE",
    "DISTRI_TYPE_CODE",
    "IS_TRACK",
    "AMOUNT",
    "ORI_BGT_ID",
    "IS_DELETED",
    "CREATE_TIME",
)
"""The ``BA_BGT_INFO`` columns a ledger snapshot is reconciled on (the 对账 dialog's field set plus keys),
in report order: a selection of :data:`BA_BGT_INFO_COLUMNS` (checked at import)."""

BA_BGT_INFO_ZH: dict[str, str] = {c.name: c.zh for c in BA_BGT_INFO_COLUMNS}
"""``BA_BGT_INFO`` column → its standard Chinese name (the header the 一体化 system's exports write)."""

SHORT_NAMES_ZH: dict[str, tuple[str, ...]] = {
    "BGT_ID": ("指标ID",),
    "MOF_DIV_CODE": ("财政区划",),
    "REC_DIV_CODE": ("接收方区划代码",),
    "FISCAL_YEAR": ("年度",),
    "COR_BGT_DOC_NO": ("指标文号",),
    "BGT_DOC_TITLE": ("指标标题",),
    "DOC_DATE": ("发文日期",),
    "FUND_TYPE_CODE": ("资金性质",),
    "EXP_FUNC_CODE": ("支出功能科目",),
    "TP_FUNC_CODE": ("转移支付功能分类科目代码", "转移支付功能科目"),
    "GOV_BGT_ECO_CODE": ("政府经济分类",),
    "DISTRI_TYPE_CODE": ("分配方式",),
    "AMOUNT": ("金额",),
}
"""Short Chinese headers people write for some columns (ours, from the reports and the 对账 dialog's labels
in shared/DOMAIN.md §1.3); ``指标文号`` is the ledger's own 本级指标文号."""

BA_BGT_INFO_HEADER_ALIASES: dict[str, str] = {
    **{c.zh: c.name for c in BA_BGT_INFO_COLUMNS},
    **{zh: name for name, names in SHORT_NAMES_ZH.items() for zh in names},
}
"""Chinese header → ``BA_BGT_INFO`` column, for every column (standard name and short forms)."""

assert set(LEDGER_SNAPSHOT_COLUMNS) <= set(BA_BGT_INFO_ZH), "snapshot columns must be BA_BGT_INFO columns"

__all__ = [
    "BA_BGT_ADJSUB_COLUMNS",
    "BA_BGT_ADJSUB_EXTRA_COLUMNS",
    "BA_BGT_INFO_COLUMNS",
    "BA_BGT_INFO_HEADER_ALIASES",
    "BA_BGT_INFO_ZH",
    "LEDGER_SNAPSHOT_COLUMNS",
    "SHORT_NAMES_ZH",
    "ColumnKind",
    "StandardColumn",
]
