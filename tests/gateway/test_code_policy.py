"""代码校验 at intake (issue 12): a value outside its code list is a warning recorded on the stored record by
default, or a refusal — per counterparty and per region (gateway.code_policy). SQLite, and PostgreSQL when
``FISCALGW_TEST_DATABASE_URL`` is set.

The regional 资金性质 ``11111`` is the value the issue reports real 一体化 systems send; the 6-digit
支付方式 ``001001`` is ITFE's (caoyanguo/ITFE ``Voucher2301MsgServer.java``: "财政普遍采用的是6位").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway import audit
from gateway.api.app import create_app
from gateway.bootstrap import build_gateway
from gateway.code_policy import CodePolicy, CodesSection
from gateway.config import DatabaseSection, load_settings
from gateway.errors import ConfigError
from gateway.model import MessageStatus
from tests.gateway.conftest import Clock, Harness
from tests.gateway.payment_flows import COUNTY, render, voucher
from tests.gateway.samples import indicator_document, indicator_row, signed_headers
from tests.web.conftest import sign_in
from tests.web.seed import tokens

PROVINCE, CITY = "330000000", "330300000"
FUND_WARNING = {
    "path": "[0].fund_type_code",
    "rule": "code_list:FUND_TYPE",
    "value": "11111",
}


def _harness(
    demo_dir: Path, database_url: str, codes: CodesSection, parties: dict[str, CodePolicy] | None = None
) -> Harness:
    settings = load_settings(demo_dir)
    overridden = tuple(
        p.model_copy(update={"codes": (parties or {})[p.id]}) if p.id in (parties or {}) else p
        for p in settings.parties
    )
    settings = settings.model_copy(
        update={"database": DatabaseSection(url=database_url), "codes": codes, "parties": overridden}
    )
    clock = Clock()
    gw = build_gateway(settings, clock=clock)
    gw.database.upgrade()
    return Harness(demo_dir, gw, TestClient(create_app(gw)), clock)


@pytest.fixture
def make(demo_dir: Path, database_url: str) -> Iterator[Any]:
    built: list[Harness] = []

    def factory(codes: CodesSection | None = None, parties: dict[str, CodePolicy] | None = None) -> Harness:
        h = _harness(demo_dir, database_url, codes or CodesSection(), parties)
        built.append(h)
        return h

    yield factory
    for h in built:
        h.client.close()
        h.gateway.close()


def regional_indicator(bgt_id: str = "3300002026ZJ0111") -> bytes:
    row = indicator_row(PROVINCE, CITY, bgt_id, Decimal("880000.00"))
    row["FUND_TYPE_CODE"] = "11111"
    return indicator_document(row)


def post(h: Harness, sender: str, body: bytes, message_id: str) -> httpx.Response:
    headers = signed_headers(h.config_dir, sender, body, message_id, h.clock.now)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    return response


def _warnings(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: w[k] for k in ("path", "rule", "value")} for w in entries]


def test_stock_install_accepts_an_unknown_code_and_records_the_warning_everywhere(make: Any) -> None:
    h = make()
    assert h.gateway.settings.codes.policy == "warn"  # the default of a stock install
    response = post(h, PROVINCE, regional_indicator(), "m-codes-1")
    assert response.status_code == 202, response.text
    (record,) = response.json()["records"]
    assert record["result"] == "accepted" and record["receivers"] == [CITY]
    assert _warnings(record["code_warnings"]) == [FUND_WARNING]
    assert "11111" in record["code_warnings"][0]["message"]

    with h.gateway.database.unit_of_work() as uow:
        message = uow.messages.find(PROVINCE, "m-codes-1")
        assert message is not None and message.status is MessageStatus.ROUTED
        (stored,) = uow.messages.records(message.pk)
        assert [(p.path, p.rule, p.value) for p in stored.code_warnings] == [tuple(FUND_WARNING.values())]
        events = uow.messages.events(message.pk)
        assert [(e.status, e.detail) for e in events][:2] == [
            (MessageStatus.RECEIVED, None),
            (MessageStatus.VALIDATED, "代码校验警告 1 条"),
        ]
        entries = list(uow.audit.entries())
        assert audit.verify(uow.audit) == 1
    (entry,) = entries
    assert entry.action == "message.accepted"
    assert entry.detail["code_warnings"] == {
        "count": 1,
        "first": ["[0].fund_type_code code_list:FUND_TYPE 11111"],
    }


def test_a_clean_document_has_no_warning_key(make: Any) -> None:
    h = make()
    body = indicator_document(indicator_row(PROVINCE, CITY, "3300002026ZJ0112", Decimal("1.00")))
    response = post(h, PROVINCE, body, "m-clean")
    assert response.status_code == 202, response.text
    assert "code_warnings" not in response.json()["records"][0]


def test_refuse_policy_refuses_with_the_list_and_value_and_stores_nothing(make: Any) -> None:
    h = make(CodesSection(policy="refuse"))
    response = post(h, PROVINCE, regional_indicator(), "m-codes-2")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "schema_validation_failed"
    assert _warnings(body["detail"]) == [FUND_WARNING]
    with h.gateway.database.unit_of_work() as uow:
        assert uow.messages.find(PROVINCE, "m-codes-2") is None
        assert [e.action for e in uow.audit.entries()] == ["message.rejected"]


@pytest.mark.parametrize(
    ("regions", "accepted"),
    [
        ({"330000000": "refuse"}, False),  # the record's own division
        ({"440000000": "refuse"}, True),  # another province's rule does not apply
    ],
)
def test_region_override(make: Any, regions: dict[str, CodePolicy], accepted: bool) -> None:
    h = make(CodesSection(policy="warn", regions=regions))
    response = post(h, PROVINCE, regional_indicator(), "m-region")
    assert (response.status_code == 202) is accepted, response.text


def test_a_county_voucher_follows_its_province_rule(make: Any) -> None:
    """The record's division (AdmDivCode 330324 → 330324000, through the party registry) walks up to the
    province entry of ``[codes.regions]``."""
    h = make(CodesSection(policy="warn", regions={"330000000": "refuse"}))
    bad = voucher("3303245201260009001", 10_000, h.clock.now.date()).model_copy(
        update={"pay_type_code": "13"}
    )
    response = _send_voucher(h, bad)
    assert response.status_code == 422, response.text
    assert _warnings(response.json()["detail"]) == [
        {"path": "[0].pay_type_code", "rule": "code_list:PAY_TYPE", "value": "13"}
    ]


@pytest.mark.parametrize(
    ("default", "party", "status"),
    [("refuse", "warn", 202), ("warn", "refuse", 422)],
)
def test_the_counterpartys_own_policy_wins(
    make: Any, default: CodePolicy, party: CodePolicy, status: int
) -> None:
    h = make(CodesSection(policy=default, regions={"330000000": default}), {PROVINCE: party})
    response = post(h, PROVINCE, regional_indicator(), "m-party")
    assert response.status_code == status, response.text


def _send_voucher(h: Harness, message: Any) -> httpx.Response:
    body = render(message)
    headers = signed_headers(h.config_dir, COUNTY, body, uuid.uuid4().hex, h.clock.now)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    return response


def test_six_digit_pay_type_is_no_warning_and_an_unknown_one_shows_in_trace(
    make: Any, demo_dir: Path
) -> None:
    h = make(CodesSection(policy="refuse"))  # 001001 is in the shipped list, so even refuse accepts it
    day = h.clock.now.date()
    six = voucher("3303245201260009002", 10_000, day).model_copy(update={"pay_type_code": "001001"})
    answer = _send_voucher(h, six)
    assert answer.status_code == 202, answer.text
    assert "code_warnings" not in answer.json()["records"][0]

    h = make(CodesSection(policy="warn"))
    odd = voucher("3303245201260009003", 20_000, day).model_copy(update={"pay_type_code": "13"})
    answer = _send_voucher(h, odd)
    assert answer.status_code == 202, answer.text
    assert _warnings(answer.json()["records"][0]["code_warnings"]) == [
        {"path": "[0].pay_type_code", "rule": "code_list:PAY_TYPE", "value": "13"}
    ]

    query = "voucher_no=3303245201260009003"
    path = "/v1/trace"
    headers = signed_headers(
        h.config_dir, COUNTY, b"", uuid.uuid4().hex, h.clock.now, path=f"{path}?{query}", method="GET"
    )
    traced = h.client.get(f"{path}?{query}", headers=headers)
    assert traced.status_code == 200, traced.text
    (link,) = traced.json()["chain"]
    assert _warnings(link["code_warnings"]) == [
        {"path": "[0].pay_type_code", "rule": "code_list:PAY_TYPE", "value": "13"}
    ]

    viewer = TestClient(h.client.app)
    sign_in(viewer, tokens(demo_dir)["viewer"])
    with h.gateway.database.unit_of_work() as uow:
        stored = uow.messages.find(COUNTY, answer.json()["message_id"])
        assert stored is not None
    page = viewer.get(f"/ui/messages/{stored.pk}")
    assert page.status_code == 200
    assert "代码校验警告" in page.text
    assert 'data-position="0"' in page.text and "<code>13</code>" in page.text
    assert "代码校验警告 1" in page.text  # the chain table's badge on the voucher's row


def test_config_file_sets_the_policy_and_refuses_a_bad_region(demo_dir: Path) -> None:
    config = demo_dir / "fiscalgw.toml"
    original = config.read_text(encoding="utf-8")
    config.write_text(
        original + '\n[codes]\npolicy = "refuse"\nregions = { "310000000" = "warn" }\n', "utf-8"
    )
    settings = load_settings(demo_dir)
    assert settings.codes.for_region("310115000") == "warn"  # a Shanghai district, by its province
    assert settings.codes.for_region("330324000") == "refuse"
    assert settings.codes.for_region(None) == "refuse"
    config.write_text(original + '\n[codes]\nregions = { "3100" = "warn" }\n', "utf-8")
    with pytest.raises(ConfigError, match=r"codes\.regions"):
        load_settings(demo_dir)
    config.write_text(original + '\n[codes]\npolicy = "ignore"\n', "utf-8")
    with pytest.raises(ConfigError, match="codes"):
        load_settings(demo_dir)
