"""Realistic payment-family sample messages (温州市永嘉县, AdmDivCode 330324), built from the field lists in
DOMAIN.md §2.3 / §3.3 and, for the e-vouchers, the ITFE field lists named in the docstrings of
schemas/payments.py, schemas/clearing.py and schemas/statements.py (repo ``caoyanguo/ITFE``, issue 12: 5106
details carry ``PlanAmt``, a 2252 has a ``DetailList``, 2302 carries ``PayDictateNo``/``PayMsgNo``/
``PayEntrustDate``/``TKLX``, 3501 ``TreCode``/``ClearBankCode``, 3502 ``PayBankCode``, a 5510 no header
balances). The golden files in tests/golden/evoucher and tests/golden/cfx are these samples
rendered; tests/adapters/make_payments_goldens.py rewrites them."""

from __future__ import annotations

from typing import Any

from adapters.base import Document, Record
from schemas.base import CanonicalModel
from schemas.clearing import (
    ClearingReceipt,
    ClearingRequest,
    ConnectivityTest,
    GeneralReply,
    PbocClearingApply,
    PbocClearingReceipt,
    PbocQuota,
    PbocQuotaReceipt,
    QuotaNotice,
)
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from schemas.statements import QuotaReconciliationStatement, VoucherReconciliationStatement

ADM = {"adm_div_code": "330324", "st_year": 2026}

PAYMENT_5201: dict[str, Any] = {
    **ADM,
    "id": "A1F3C2D4E5B60718293A4B5C6D7E8F90",
    "vt_code": "5201",
    "vou_date": "20260316",
    "voucher_no": "3303245201260000123",
    "fund_type_code": "1",
    "fund_type_name": "一般公共预算",
    "bgt_type_code": "1",
    "bgt_type_name": "当年预算",
    "pay_type_code": "11",
    "pay_type_name": "直接支付",
    "pro_cat_code": "1",
    "pro_cat_name": "一般预算",
    "mof_dep_code": "002",
    "mof_dep_name": "教科文科",
    "file_no_code": "永财教〔2026〕15号",
    "file_no_name": "关于下达2026年义务教育公用经费的通知",
    "sup_dep_code": "101",
    "sup_dep_name": "永嘉县教育局",
    "agency_code": "101001",
    "agency_name": "永嘉县瓯北第一小学",
    "exp_func_code": "2050202",
    "exp_func_name": "小学教育",
    "exp_eco_code": "30201",
    "exp_eco_name": "办公费",
    "set_mode_code": "2",
    "set_mode_name": "转账",
    "pay_bank_code": "102",
    "pay_bank_name": "中国工商银行永嘉支行",
    "clear_bank_code": "001",
    "clear_bank_name": "中国人民银行永嘉县支行",
    "payee_acct_no": "33050162682700000123",
    "payee_acct_name": "温州市瓯江文具有限公司",
    "payee_acct_bank_name": "中国建设银行温州永嘉支行",
    "payee_acct_bank_no": "105333300012",
    "pay_acct_no": "1203280129000001234",
    "pay_acct_name": "永嘉县财政局零余额账户",
    "pay_acct_bank_name": "中国工商银行永嘉支行",
    "pay_summary_code": "01",
    "pay_summary_name": "购买办公用品",
    "pay_amt": "12345.67",
    "business_type_code": "1",
    "business_type_name": "单笔",
    "details": [
        {
            "id": "D0001",
            "voucher_bill_no": "3303245201260000123",
            "agency_code": "101001",
            "agency_name": "永嘉县瓯北第一小学",
            "exp_func_code": "2050202",
            "exp_func_name": "小学教育",
            "exp_eco_code": "30201",
            "exp_eco_name": "办公费",
            "pay_kind_code": "1",
            "pay_kind_name": "公用经费",
            "pay_amt": "10000.00",
            "remark": "一季度办公用品",
        },
        {
            "id": "D0002",
            "voucher_bill_no": "3303245201260000123",
            "agency_code": "101001",
            "agency_name": "永嘉县瓯北第一小学",
            "exp_func_code": "2050202",
            "exp_func_name": "小学教育",
            "exp_eco_code": "30201",
            "exp_eco_name": "办公费",
            "pay_amt": "2345.67",
            "remark": "教学耗材",
        },
    ],
}

PAYMENT_8202: dict[str, Any] = {
    **PAYMENT_5201,
    "id": "B2F3C2D4E5B60718293A4B5C6D7E8F91",
    "vt_code": "8202",
    "voucher_no": "3303248202260000045",
    "pay_type_code": "12",
    "pay_type_name": "授权支付",
    "pay_acct_no": "1203280129000005678",
    "pay_acct_name": "永嘉县瓯北第一小学零余额账户",
    "pay_amt": "860.00",
    "details": [{"id": "D0101", "agency_code": "101001", "pay_amt": "860.00", "remark": "水电费"}],
}

RECEIPT_5201: dict[str, Any] = {
    **PAYMENT_5201,
    "x_pay_date": "20260317",
    "x_agent_business_no": "ICBC20260317000098765",
    "x_pay_amt": "12345.67",
    "x_payee_acct_bank_name": "中国建设银行温州永嘉支行",
    "x_payee_acct_no": "33050162682700000123",
    "x_payee_acct_name": "温州市瓯江文具有限公司",
    "x_add_word": "支付成功",
    "details": [
        {**PAYMENT_5201["details"][0], "x_pay_amt": "10000.00"},
        {**PAYMENT_5201["details"][1], "x_pay_amt": "2345.67"},
    ],
}

REFUND_2252: dict[str, Any] = {
    **ADM,
    "id": "R0001",
    "vt_code": "2252",
    "vou_date": "20260320",
    "voucher_no": "3303242252260000007",
    "original_voucher_no": "3303245201260000123",
    "ori_bill_no": "3303245201260000123",
    "fund_type_code": "1",
    "pay_type_code": "11",
    "payee_acct_no": "1203280129000001234",
    "payee_acct_name": "永嘉县财政局零余额账户",
    "payee_acct_bank_name": "中国工商银行永嘉支行",
    "pay_acct_no": "33050162682700000123",
    "pay_acct_name": "温州市瓯江文具有限公司",
    "pay_acct_bank_name": "中国建设银行温州永嘉支行",
    "pay_dictate_no": "20260320000012345678",
    "pay_msg_no": "100",
    "pay_entrust_date": "20260320",
    "pay_snd_bnk_no": "105333300012",
    "pay_date": "20260320",
    "pay_amt": "-2345.67",
    "remark": "收款人账户名称不符，退回",
    "pay_type_name": "直接支付",
    "fund_type_name": "一般公共预算",
    "details": [
        {
            "id": "D0002",
            "pay_acct_no": "1203280129000001234",
            "pay_acct_name": "永嘉县财政局零余额账户",
            "pay_acct_bank_name": "中国工商银行永嘉支行",
            "payee_acct_no": "33050162682700000123",
            "payee_acct_name": "温州市瓯江文具有限公司",
            "payee_acct_bank_name": "中国建设银行温州永嘉支行",
            "payee_acct_bank_no": "105333300012",
            "pay_amt": "-2345.67",
            "remark": "收款人账户名称不符",
            "exp_func_code": "2050202",
            "exp_func_name": "小学教育",
        }
    ],
}

CLEARING_2301: dict[str, Any] = {
    **ADM,
    "id": "C0001",
    "vt_code": "2301",
    "vou_date": "20260317",
    "voucher_no": "3303242301260000031",
    "tre_code": "3303240000",
    "fin_org_code": "330324000",
    "bgt_type_code": "1",
    "bgt_type_name": "当年预算",
    "fund_type_code": "1",
    "fund_type_name": "一般公共预算",
    "pay_type_code": "11",
    "pay_type_name": "直接支付",
    "agent_acct_no": "1203280129000001234",
    "agent_acct_name": "永嘉县财政局零余额账户",
    "agent_acct_bank_name": "中国工商银行永嘉支行",
    "clear_acct_no": "3303240000000001",
    "clear_acct_name": "国家金库永嘉县支库",
    "clear_acct_bank_name": "中国人民银行永嘉县支行",
    "pay_amt": "13205.67",
    "pay_bank_name": "中国工商银行永嘉支行",
    "pay_bank_no": "102333300018",
    "remark": "3月17日直接支付清算",
    "all_num": 2,
    "details": [
        {
            "id": "CD01",
            "voucher_no": "3303245201260000123",
            "sup_dep_code": "101",
            "sup_dep_name": "永嘉县教育局",
            "exp_func_code": "2050202",
            "exp_func_name": "小学教育",
            "pay_amt": "12345.67",
            "pay_summary_name": "购买办公用品",
        },
        {
            "id": "CD02",
            "voucher_no": "3303245201260000124",
            "sup_dep_code": "101",
            "sup_dep_name": "永嘉县教育局",
            "exp_func_code": "2050202",
            "exp_func_name": "小学教育",
            "pay_amt": "860.00",
            "pay_summary_name": "水电费",
        },
    ],
}

CLEARING_2302: dict[str, Any] = {
    **CLEARING_2301,
    "id": "C0002",
    "vt_code": "2302",
    "voucher_no": "3303242302260000004",
    "vou_date": "20260320",
    "pay_amt": "-2345.67",
    "return_date": "20260320",
    "pay_dictate_no": "20260320000012345678",
    "pay_msg_no": "100",
    "pay_entrust_date": "20260320",
    "pay_snd_bnk_no": "105333300012",
    "remark": "收款银行退款，申请退回国库",
    "tklx": "1",
    "all_num": 1,
    # ITFE VoucherDto2MapFor2302.java fills these on the request too: XPayAmt = PayAmt (negative)
    "x_pay_snd_bnk_no": "105333300012",
    "x_clear_date": "20260320",
    "x_pay_amt": "-2345.67",
    "details": [
        {
            "id": "CD11",
            "voucher_no": "3303245201260000123",
            "sup_dep_code": "101",
            "sup_dep_name": "永嘉县教育局",
            "exp_func_code": "2050202",
            "pay_amt": "-2345.67",
            "pay_summary_name": "退款",
        }
    ],
}

CLEARING_2301_RECEIPT: dict[str, Any] = {
    **CLEARING_2301,
    "x_pay_snd_bnk_no": "102333300018",
    "x_add_word": "清算成功",
    "x_clear_date": "20260317",
    "x_pay_amt": "13205.67",
}

QUOTA_5108: dict[str, Any] = {
    **ADM,
    "id": "Q0001",
    "vt_code": "5108",
    "vou_date": "20260301",
    "voucher_no": "3303245108260000003",
    "tre_code": "3303240000",
    "fin_org_code": "330324000",
    "pay_amt": "500000.00",
    "pay_bank_code": "102",
    "pay_bank_name": "中国工商银行永嘉支行",
    "pay_bank_no": "102333300018",
    "clear_bank_code": "001",
    "clear_bank_name": "中国人民银行永嘉县支行",
    "details": [
        {
            "sup_dep_code": "101",
            "sup_dep_name": "永嘉县教育局",
            "fund_type_code": "1",
            "exp_func_code": "2050202",
            "exp_func_name": "小学教育",
            "pay_amt": "300000.00",
        },
        {
            "sup_dep_code": "102",
            "sup_dep_name": "永嘉县卫生健康局",
            "fund_type_code": "1",
            "exp_func_code": "2100302",
            "exp_func_name": "乡镇卫生院",
            "pay_amt": "200000.00",
        },
    ],
}

QUOTA_5106: dict[str, Any] = {
    **QUOTA_5108,
    "id": "Q0002",
    "vt_code": "5106",
    "voucher_no": "3303245106260000002",
    "pay_amt": None,
    "plan_amt": "80000.00",
    "set_month": "03",
    "dept_num": "1",
    "agency_acco_code": "1203280129000005678",
    "details": [
        {
            "agency_code": "101001",
            "agency_name": "永嘉县瓯北第一小学",
            "exp_func_code": "2050202",
            "plan_amt": "80000.00",
            "agency_acco_code": "1203280129000005678",
        }
    ],
}

CHECK_3501: dict[str, Any] = {
    **ADM,
    "id": "K0001",
    "vt_code": "3501",
    "vou_date": "20260318",
    "voucher_no": "3303243501260317001",
    "tre_code": "3303240000",
    "clear_bank_code": "001",
    "clear_bank_name": "中国人民银行永嘉县支行",
    "check_date": "20260317",
    "e_voucher_type": "5201",
    "all_num": 2,
    "all_amt": "13205.67",
    "details": [
        {"voucher_no": "3303245201260000123", "amt": "12345.67", "pro_state": "1"},
        {"voucher_no": "3303248202260000045", "amt": "860.00", "pro_state": "1"},
    ],
}

CHECK_3502: dict[str, Any] = {
    **CHECK_3501,
    "id": "K0002",
    "vt_code": "3502",
    "voucher_no": "3303243502260317001",
    "clear_bank_code": None,
    "clear_bank_name": None,
    "pay_bank_code": "102",
    "e_voucher_type": "2301",
    "all_num": 1,
    "all_amt": "13205.67",
    "details": [{"voucher_no": "3303242301260000031", "amt": "13205.67", "pro_state": "1"}],
}

QUOTA_CHECK_3510: dict[str, Any] = {
    **ADM,
    "id": "B0001",
    "vt_code": "3510",
    "vou_date": "20260401",
    "voucher_no": "3303243510260331001",
    "voucher_check_no": "3303243510260331001",
    "child_pack_num": 1,
    "cur_pack_no": 1,
    "tre_code": "3303240000",
    "clear_bank_code": "102",
    "clear_bank_name": "中国工商银行永嘉支行",
    "clear_acc_no": "1203280129000001234",
    "clear_acc_nanme": "永嘉县财政局零余额账户",
    "begin_date": "20260301",
    "end_date": "20260331",
    "pre_date_money": "120000.00",
    "clear_amt": "500000.00",
    "cur_reck_money": "413205.67",
    "cur_date_money": "206794.33",
    "all_num": 1,
    "all_amt": "500000.00",
    "pay_type_code": "11",
    "pay_type_name": "直接支付",
    "details": [
        {
            "sup_dep_code": "101",
            "sup_dep_name": "永嘉县教育局",
            "fund_type_code": "1",
            "pay_bank_code": "102",
            "exp_func_code": "2050202",
            "pay_type_code": "11",
            "pre_date_money": "120000.00",
            "clear_amt": "500000.00",
            "cur_reck_money": "413205.67",
            "cur_date_money": "206794.33",
        }
    ],
}

QUOTA_CHECK_5510: dict[str, Any] = {
    **QUOTA_CHECK_3510,
    "id": "B0002",
    "vt_code": "5510",
    "pre_date_money": None,  # a 5510 carries no header balances (ITFE VoucherDto2MapFor5510.java)
    "clear_amt": None,
    "cur_reck_money": None,
    "cur_date_money": None,
    "x_pre_date_money": "120000.00",
    "x_clear_amt": "500000.00",
    "x_cur_reck_money": "413205.67",
    "x_cur_date_money": "206794.33",
    "x_check_for_people": "张敏",
    "x_check_result": "0",
    "x_diff_num": 0,
    "details": [{**QUOTA_CHECK_3510["details"][0], "x_match": "1", "x_check_result": "0"}],
}

EVOUCHER_SAMPLES: dict[str, tuple[tuple[type[CanonicalModel], dict[str, Any], dict[str, str]], ...]] = {
    "5201": (
        (PaymentVoucher, PAYMENT_5201, {"Attach": "SUCCESS"}),
        (
            PaymentVoucher,
            {**PAYMENT_8202, "vt_code": "5201", "pay_type_code": "11", "voucher_no": "3303245201260000124"},
            {"Attach": "SUCCESS", "TimeStamp": "20260316093015"},
        ),
    ),
    "8202": ((PaymentVoucher, PAYMENT_8202, {"Attach": "SUCCESS"}),),
    "5201_receipt": ((PaymentReceipt, RECEIPT_5201, {"Attach": "SUCCESS"}),),
    "2252": ((RefundNotice, REFUND_2252, {}),),
    "2301": ((ClearingRequest, CLEARING_2301, {"Attach": "SUCCESS"}),),
    "2301_receipt": ((ClearingReceipt, CLEARING_2301_RECEIPT, {"Attach": "SUCCESS"}),),
    "2302": ((ClearingRequest, CLEARING_2302, {"Return_Reason": "", "Attach": "SUCCESS"}),),
    "5108": ((QuotaNotice, QUOTA_5108, {}),),
    "5106": ((QuotaNotice, QUOTA_5106, {}),),
    "3501": ((VoucherReconciliationStatement, CHECK_3501, {}),),
    "3502": ((VoucherReconciliationStatement, CHECK_3502, {}),),
    "3510": ((QuotaReconciliationStatement, QUOTA_CHECK_3510, {}),),
    "5510": ((QuotaReconciliationStatement, QUOTA_CHECK_5510, {"VoucherFlag": "1"}),),
}

# ---- CFX ----------------------------------------------------------------------------------------------

BANK_NODE = "102333300018"  # 工行永嘉支行 (CNAPS)
FRONT_NODE = "202057100007"
TIPS_NODE = "100000000000"


def head(msg_no: str, msg_id: str, msg_ref: str | None = None, *, src: str = FRONT_NODE) -> dict[str, str]:
    """A CFX HEAD as ITFE's templates write it: only the 2201/2202 ones (itfe_2201/2202_java2xml.ftl) carry
    ``<Reserve>``; the others end at ``WorkDate``."""
    des = TIPS_NODE if src != TIPS_NODE else FRONT_NODE
    reserve = {"Reserve": ""} if msg_no in ("2201", "2202") else {}
    return {
        "VER": "1.0",
        "SRC": src,
        "DES": des,
        "APP": "TIPS",
        "MsgNo": msg_no,
        "MsgID": msg_id,
        "MsgRef": msg_ref or msg_id,
        "WorkDate": "20260317",
        **reserve,
    }


APPLY_2201: dict[str, Any] = {
    "msg_no": "2201",
    "agent_bnk_code": BANK_NODE,
    "fin_org_code": "330324000",
    "tre_code": "3303240000",
    "entrust_date": "20260317",
    "pack_no": "00000031",
    "payout_vou_type": "0",
    "pay_mode": "0",
    "tra_no": "00000001",
    "vou_no": "3303242301260000031",
    "vou_date": "20260317",
    "payer_acct": "3303240000000001",
    "payer_name": "国家金库永嘉县支库",
    "payee_acct": "1203280129000001234",
    "payee_name": "永嘉县财政局零余额账户",
    "payee_opn_bnk_no": BANK_NODE,
    "add_word": "3月17日直接支付清算",
    "budget_type": "1",
    "trim_sign": "0",
    "of_year": 2026,
    "amt": "13205.67",
    "stat_inf_num": 2,
    "details": [
        {
            "seq_no": 1,
            "bdg_org_code": "101",
            "func_sbt_code": "2050202",
            "ecnomic_subject_code": "30201",
            "amt": "12345.67",
            "acct_prop": "1",
        },
        {
            "seq_no": 2,
            "bdg_org_code": "101",
            "func_sbt_code": "2050202",
            "ecnomic_subject_code": "30205",
            "amt": "860.00",
            "acct_prop": "1",
        },
    ],
}

APPLY_2201_B: dict[str, Any] = {
    **APPLY_2201,
    "tra_no": "00000002",
    "vou_no": "3303242301260000032",
    "amt": "5000.00",
    "add_word": None,
    "stat_inf_num": 1,
    "details": [{"seq_no": 1, "bdg_org_code": "102", "func_sbt_code": "2100302", "amt": "5000.00"}],
}

RECEIPT_3143: dict[str, Any] = {
    # caoyanguo/ITFE itfeesb/conf/transconfig/itfe_3143_java2xml.ftl: BatchHead3143 {TreCode, FinOrgCode,
    # AgentBnkCode, EntrustDate, PackNo, OriPackNo, OriEntrustDate, AllNum, AllAmt, PayoutVouType, PayMode},
    # Bill3143 {VouNo, OriMsgNo, VouDate, OriTraNo, PayDictateNo, PayMsgNo, PayEntrustDate, PaySndBnkNo,
    # PayResult, AddWord, AcctDate, Amt}
    "msg_no": "3143",
    "tre_code": "3303240000",
    "fin_org_code": "330324000",
    "agent_bnk_code": BANK_NODE,
    "entrust_date": "20260317",
    "pack_no": "00000901",
    "ori_pack_no": "00000031",
    "ori_entrust_date": "20260317",
    "payout_vou_type": "0",
    "pay_mode": "0",
    "vou_no": "3303242301260000031",
    "ori_msg_no": "2201",
    "vou_date": "20260317",
    "ori_tra_no": "00000001",
    "pay_dictate_no": "20260317000123",
    "pay_msg_no": "hvps.111.001.01",
    "pay_entrust_date": "20260317",
    "pay_snd_bnk_no": "011333000015",
    "pay_result": "90000",
    "add_word": "处理成功",
    "acct_date": "20260317",
    "amt": "13205.67",
}

RECEIPT_3144: dict[str, Any] = {
    # caoyanguo/ITFE itfeesb/conf/transconfig/itfe_3144_java2xml.ftl: BatchHead3144 {AgentBnkCode,
    # FinOrgCode, TreCode, EntrustDate, PackNo, OriEntrustDate, OriPackNo, AllNum, AllAmt, PayoutVouType,
    # PayMode}, BatchReturn3144 {VouNo, VouDate, OriVouNo, OriVouDate, OriTraNo, AcctDate, Amt, Result,
    # Description}
    "msg_no": "3144",
    "agent_bnk_code": BANK_NODE,
    "fin_org_code": "330324000",
    "tre_code": "3303240000",
    "entrust_date": "20260320",
    "pack_no": "00000904",
    "ori_entrust_date": "20260320",
    "ori_pack_no": "00000004",
    "payout_vou_type": "0",
    "pay_mode": "0",
    "vou_no": "3303242302260000004",
    "vou_date": "20260320",
    "ori_vou_no": "3303242301260000031",
    "ori_vou_date": "20260317",
    "ori_tra_no": "00000001",
    "acct_date": "20260320",
    "amt": "2345.67",
    "result": "90000",
    "description": "处理成功",
}

REFUND_2202: dict[str, Any] = {
    # caoyanguo/ITFE itfeesb/conf/transconfig/itfe_2202_java2xml.ftl: Head2202 {FinOrgCode, TreCode,
    # AgentBnkCode, EntrustDate, PackNo, AllNum, AllAmt, PayoutVouType, PayMode}, Bill2202 {TraNo, VouNo,
    # VouDate, OriTraNo, OriEntrustDate, OriVouNo, OriVouDate, OriPayerAcct, OriPayerName, OriPayeeAcct,
    # OriPayeeName, PayDictateNo, PayMsgNo, PayEntrustDate, PaySndBnkNo, BudgetType, TrimSign, OfYear, Amt,
    # StatInfNum, Detail2202 {SeqNo, BdgOrgCode, FuncSbtCode, EcnomicSubjectCode, Amt, AcctProp}}
    "msg_no": "2202",
    "fin_org_code": "330324000",
    "tre_code": "3303240000",
    "agent_bnk_code": BANK_NODE,
    "entrust_date": "20260320",
    "pack_no": "00000004",
    "payout_vou_type": "1",
    "pay_mode": "0",
    "tra_no": "00000001",
    "vou_no": "3303242302260000004",
    "vou_date": "20260320",
    "ori_tra_no": "20260317000123",
    "ori_entrust_date": "20260317",
    "ori_vou_no": "3303242301260000031",
    "ori_vou_date": "20260317",
    "ori_payer_acct": "3303240000000001",
    "ori_payer_name": "国家金库永嘉县支库",
    "ori_payee_acct": "1203280129000001234",
    "ori_payee_name": "永嘉县财政局零余额账户",
    "pay_dictate_no": "20260317000123",
    "pay_msg_no": "hvps.111.001.01",
    "pay_entrust_date": "20260317",
    "pay_snd_bnk_no": "011333000015",
    "budget_type": "1",
    "trim_sign": "0",
    "of_year": 2026,
    "amt": "2345.67",
    "stat_inf_num": 1,
    "details": [
        {
            "seq_no": 1,
            "bdg_org_code": "101",
            "func_sbt_code": "2050202",
            "ecnomic_subject_code": "30201",
            "amt": "2345.67",
            "acct_prop": "1",
        }
    ],
}

QUOTA_5102: dict[str, Any] = {
    "msg_no": "5102",
    "tre_code": "3303240000",
    "bill_org": "330324000",
    "trans_bank_no": BANK_NODE,
    "entrust_date": "20260301",
    "pack_no": "00000003",
    "payout_vou_type": "0",
    "tra_no": "00000001",
    "vou_no": "3303245108260000003",
    "vou_date": "20260301",
    "sum_amt": "500000.00",
    "budget_type": "1",
    "of_year": 2026,
    "rransact_org": "102",
    "amt_kind": "1",
    "stat_inf_num": 2,
    "details": [
        {
            "seq_no": 1,
            "bdg_org_code": "101",
            "func_bdg_sbt_code": "2050202",
            "ecnomic_subject_code": "30201",
            "amt": "300000.00",
        },
        {
            "seq_no": 2,
            "bdg_org_code": "102",
            "func_bdg_sbt_code": "2100302",
            "ecnomic_subject_code": "30201",
            "amt": "200000.00",
        },
    ],
}

QUOTA_RECEIPT_3133: dict[str, Any] = {
    "msg_no": "3133",
    "tre_code": "3303240000",
    "entrust_date": "20260301",
    "pack_no": "00000703",
    "bill_org": "330324000",
    "ori_entrust_date": "20260301",
    "ori_pack_no": "00000003",
    "payout_vou_type": "0",
    "vou_no": "3303245108260000003",
    "vou_date": "20260301",
    "ori_tra_no": "00000001",
    "sum_amt": "500000.00",
    "acct_date": "20260301",
    "result": "90000",
    "description": "处理成功",
}

CFX_SAMPLES: dict[str, tuple[dict[str, str], tuple[tuple[type[CanonicalModel], dict[str, Any]], ...]]] = {
    "2201": (
        head("2201", "20260317220100000031"),
        ((PbocClearingApply, APPLY_2201), (PbocClearingApply, APPLY_2201_B)),
    ),
    "2202": (head("2202", "20260320220200000004"), ((PbocClearingApply, REFUND_2202),)),
    "3143": (
        head("3143", "20260317314300000901", "20260317220100000031", src=TIPS_NODE),
        ((PbocClearingReceipt, RECEIPT_3143),),
    ),
    "3144": (
        head("3144", "20260320314400000904", "20260320220200000004", src=TIPS_NODE),
        ((PbocClearingReceipt, RECEIPT_3144),),
    ),
    "5102": (head("5102", "20260301510200000003"), ((PbocQuota, QUOTA_5102),)),
    "5103": (
        head("5103", "20260301510300000002"),
        (
            (
                PbocQuota,
                {
                    **QUOTA_5102,
                    "msg_no": "5103",
                    "pack_no": "00000002",
                    # caoyanguo/ITFE itfe_5103_java2xml.ftl: Bill5103 {TraNo, VouNo, VouDate, SumAmt,
                    # BdgOrgCode, BudgetType, OfYear, OfMonth, RransactOrg, AmtKind, StatInfNum},
                    # Detail5103 {SeqNo, FuncBdgSbtCode, EcnomicSubjectCode, Amt, AcctProp}
                    "vou_no": "3303245106260000002",
                    "sum_amt": "80000.00",
                    "bdg_org_code": "101001",
                    "of_month": "03",
                    "stat_inf_num": 1,
                    "details": [
                        {
                            "seq_no": 1,
                            "func_bdg_sbt_code": "2050202",
                            "ecnomic_subject_code": "30201",
                            "amt": "80000.00",
                            "acct_prop": "1",
                        }
                    ],
                },
            ),
        ),
    ),
    "3133": (
        head("3133", "20260301313300000703", "20260301510200000003", src=TIPS_NODE),
        ((PbocQuotaReceipt, QUOTA_RECEIPT_3133),),
    ),
    "3134": (
        head("3134", "20260301313400000702", "20260301510300000002", src=TIPS_NODE),
        (
            (
                PbocQuotaReceipt,
                {
                    **QUOTA_RECEIPT_3133,
                    "msg_no": "3134",
                    "pack_no": "00000702",
                    "ori_pack_no": "00000002",
                    "vou_no": "3303245106260000002",
                    "sum_amt": "80000.00",
                    "result": "94001",
                    "description": "额度超过计划，拒绝",
                },
            ),
        ),
    ),
    "9120": (
        head("9120", "20260317912000000077", "20260317220100000031", src=TIPS_NODE),
        (
            (
                GeneralReply,
                {
                    "ori_msg_no": "2201",
                    "result": "90000",
                    "add_word": "报文已接收",
                    "information": "处理成功",
                },
            ),
        ),
    ),
    "9005": (head("9005", "20260317900500000001"), ((ConnectivityTest, {}),)),
}


def evoucher_document(name: str) -> Document:
    records = tuple(
        Record(i, model.model_validate({k: v for k, v in data.items() if v is not None}), meta)
        for i, (model, data, meta) in enumerate(EVOUCHER_SAMPLES[name])
    )
    return Document("evoucher", records)


def cfx_document(name: str) -> Document:
    envelope, items = CFX_SAMPLES[name]
    records = tuple(Record(i, model.model_validate(data)) for i, (model, data) in enumerate(items))
    return Document("cfx", records, envelope)
