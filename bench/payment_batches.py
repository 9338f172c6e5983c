"""Realistic payment-family batches for bench/adapters.py: e-voucher 5201 envelopes and CFX 2201 packages."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

from lxml import etree

from adapters.base import Document, Record
from schemas.clearing import PbocClearingApply, PbocClearingDetail
from schemas.payments import PaymentDetail, PaymentVoucher

EVOUCHER_MAX_BODIES = 100


def voucher_batch(records: int) -> Document:
    """``min(records, 100)`` 永嘉县 5201 vouchers with two details each (an envelope holds at most 100)."""
    out = []
    for index in range(min(records, EVOUCHER_MAX_BODIES)):
        first, second = Decimal(100_000 + index * 37) / 100, Decimal(2_345 + index) / 100
        voucher = PaymentVoucher(
            adm_div_code="330324",
            st_year=2026,
            vt_code="5201",
            vou_date=date(2026, 3, 16),
            voucher_no=f"33032452012600{index:05d}",
            fund_type_code="1",
            fund_type_name="一般公共预算",
            pay_type_code="11",
            pay_type_name="直接支付",
            file_no_code="永财教〔2026〕15号",
            agency_code="101001",
            agency_name="永嘉县瓯北第一小学",
            exp_func_code="2050202",
            exp_func_name="小学教育",
            exp_eco_code="30201",
            exp_eco_name="办公费",
            payee_acct_no=f"330501626827{index:08d}",
            payee_acct_name="温州市瓯江文具有限公司",
            payee_acct_bank_name="中国建设银行温州永嘉支行",
            payee_acct_bank_no="105333300012",
            pay_acct_no="1203280129000001234",
            pay_acct_name="永嘉县财政局零余额账户",
            pay_acct_bank_name="中国工商银行永嘉支行",
            pay_summary_name="购买办公用品",
            pay_amt=first + second,
            details=(
                PaymentDetail(
                    exp_func_code="2050202", exp_eco_code="30201", pay_amt=first, remark="办公用品"
                ),
                PaymentDetail(
                    exp_func_code="2050202", exp_eco_code="30201", pay_amt=second, remark="教学耗材"
                ),
            ),
        )
        out.append(Record(index, voucher, {"Attach": "SUCCESS"}))
    return Document("evoucher", tuple(out))


def clearing_package(records: int) -> Document:
    """One CFX 2201 package of ``records`` bills (≤ 1,000) with two details each."""
    bills = []
    for index in range(records):
        first, second = Decimal(1_234_567 + index) / 100, Decimal(86_000) / 100
        bills.append(
            Record(
                index,
                PbocClearingApply(
                    msg_no="2201",
                    agent_bnk_code="102333300018",
                    fin_org_code="330324000",
                    tre_code="3303240000",
                    entrust_date=date(2026, 3, 17),
                    pack_no="00000031",
                    payout_vou_type="0",
                    pay_mode="0",
                    tra_no=f"{index + 1:08d}",
                    vou_no=f"33032423012600{index:05d}",
                    vou_date=date(2026, 3, 17),
                    payer_acct="3303240000000001",
                    payer_name="国家金库永嘉县支库",
                    payee_acct="1203280129000001234",
                    payee_name="永嘉县财政局零余额账户",
                    payee_opn_bnk_no="102333300018",
                    budget_type="1",
                    trim_sign="0",
                    of_year=2026,
                    amt=first + second,
                    stat_inf_num=2,
                    details=(
                        PbocClearingDetail(seq_no=1, bdg_org_code="101", func_sbt_code="2050202", amt=first),
                        PbocClearingDetail(seq_no=2, bdg_org_code="101", func_sbt_code="2050202", amt=second),
                    ),
                ),
            )
        )
    envelope = {
        "VER": "1.0",
        "SRC": "202057100007",
        "DES": "100000000000",
        "APP": "TIPS",
        "MsgNo": "2201",
        "MsgID": "20260317220100000031",
        "MsgRef": "20260317220100000031",
        "WorkDate": "20260317",
        "Reserve": "",
    }
    return Document("cfx", tuple(bills), envelope)


def lxml_outer_and_inner(raw: bytes) -> int:
    """The plain-lxml reference for an e-voucher envelope: ``etree.fromstring`` on the envelope *and* on
    every base64-decoded inner voucher (the same bytes the adapter has to parse)."""
    root = etree.fromstring(raw)
    return sum(len(etree.fromstring(base64.b64decode(v.text or ""))) for v in root.iter("Voucher"))
