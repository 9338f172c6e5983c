"""资金追踪 pages (issue 17): the list and the per-indicator tree render the hand-checked scenario of
:mod:`tests.gateway.tracking_flows` with grouped right-aligned amounts, names beside codes and Chinese
headers; they are linked from 总览 and from an indicator's 报文追踪; the downloads open; a person reads per
their ``tracking_divisions`` only — on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from signing import sm3_hex
from tests.gateway import tracking_flows as tf
from tests.gateway.conftest import Harness, build_harness
from tests.web.conftest import sign_in
from tests.web.seed import tokens

SCOPED = "county-viewer-token-0123456789"


@pytest.fixture
def h(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    config = demo_dir / "fiscalgw.toml"
    extra = (
        f'\n[[people]]\nname = "county-viewer"\nrole = "viewer"\ntoken_sm3 = "{sm3_hex(SCOPED.encode())}"\n'
        'tracking_divisions = ["330324000"]\n'
    )
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    harness = build_harness(demo_dir, database_url)
    try:
        tf.build(harness)
        yield harness
    finally:
        harness.client.close()
        harness.gateway.close()


def browser(h: Harness, token: str | None = None) -> TestClient:
    client = TestClient(h.client.app)
    sign_in(client, token or tokens(h.config_dir)["viewer"])
    return client


def cells(html: str, row_marker: str) -> list[str]:
    """The text of the cells of the table row carrying ``row_marker`` (a data attribute)."""
    row = re.search(rf"<tr {row_marker}[^>]*>(.*?)</tr>", html, re.S)
    assert row is not None, row_marker
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_the_list_shows_each_indicator_with_its_downstream_execution(h: Harness) -> None:
    page = browser(h).get(f"/ui/tracking?division={tf.PROVINCE}")
    assert page.status_code == 200
    html = page.text
    assert "<th>指标 ID (BGT_ID)</th>" in html and '<th class="num">执行进度</th>' in html
    row = cells(html, f'data-bgt="{tf.P1}"')
    assert row[1] == "330000000 浙江省" and row[3] == "330300000 温州市"
    # 下达, 调整, 收回, 净额, 转下达, 累计支付, 累计在途 (V3 at the city, no 回单), 累计待审核, 余额, 执行进度
    assert row[9:] == ["1,000,000.00", "200,000.00", "100,000.00", "1,100,000.00", "1,100,000.00",
                       "190,000.00", "100,000.00", "0.00", "910,000.00", "17.27%"]  # fmt: skip
    assert '<td class="num amount">1,100,000.00</td>' in html  # right-aligned amount cells
    county = cells(html, 'data-division="330324000"')
    assert county[0] == "330324000 永嘉县" and county[-1] == "34.55%"
    assert f'href="/ui/tracking/{tf.P1}?division=330000000&amp;fiscal_year=2026"' in html


def test_the_tree_shows_the_levels_their_vouchers_and_links_to_the_trace(h: Harness) -> None:
    html = browser(h).get(f"/ui/tracking/{tf.P1}").text
    depths = re.findall(r'<tr data-bgt="([^"]+)" data-depth="(\d)">', html)
    assert depths == [(tf.P1, "0"), (tf.C1, "1"), (tf.K1, "2"), (tf.Y1, "3")]
    county = cells(html, f'data-bgt="{tf.Y1}" data-depth="3"')
    assert county[1] == "330324000 永嘉县" and county[11:] == [
        "2", "190,000.00", "0.00", "0.00", "200,000.00", "200,000.00", "360,000.00", "190,000.00",
        "360,000.00", "34.55%"
    ]  # fmt: skip
    assert "执行进度 17.27%" in html and "余额 910,000.00 元" in html and "在途 100,000.00 元" in html
    # times in 北京时间: the booking's arrival (09:0x UTC in the scenario) and the as-of
    assert "<th>入账时间 (北京时间)</th>" in html
    assert re.search(r'<time datetime="2026-03-02T17:0\d:00\+08:00" title="北京时间 \(UTC\+8\)">', html)
    assert re.search(r'id="as-of">数据截至 <time datetime="2026-03-02T17:\d\d:00\+08:00"', html)
    v3 = cells(html, f'data-voucher="{tf.V.v3}"')
    assert v3[0] == tf.C1 and v3[1] == "330300 温州市" and v3[4] == "在途" and v3[-1] == "未清算"
    assert f'data-voucher="{tf.V.v9}"' not in html  # not linked: listed under 未关联指标的凭证
    assert cells(html, f'data-voucher="{tf.V.v1}"')[4] == "已支付"
    assert cells(html, f'data-voucher="{tf.V.v1}"')[7:] == ["150,000.00", "150,000.00", "2026-03-16",
                                                           "10,000.00", "150,000.00"]  # fmt: skip
    assert cells(html, 'data-unlinked-division="330324000"') == ["330324000 永嘉县", "1", "20,000.00"]
    v9 = cells(html, f'data-unlinked="{tf.V.v9}"')
    assert v9[1] == tf.K1_DOC and v9[4] == "在途" and v9[5] == "无对应指标（指标文号未找到）"
    assert f'href="/ui/messages?bgt_id={tf.P1}"' in html
    assert f'href="/ui/messages?voucher_no={tf.V.v1}"' in html


def test_the_dashboard_and_an_indicator_trace_link_to_the_tracking_pages(h: Harness) -> None:
    client = browser(h)
    dashboard = client.get("/ui/dashboard").text
    assert 'href="/ui/tracking" id="dashboard-tracking"' in dashboard
    assert 'data-section="tracking"' in dashboard  # the nav entry
    trace = client.get(f"/ui/messages?bgt_id={tf.P1}").text
    assert f'id="tracking-link" href="/ui/tracking/{tf.P1}"' in trace


def test_the_pages_download_csv_and_xlsx(h: Harness) -> None:
    client = browser(h)
    listing = client.get("/ui/tracking?format=csv")
    assert listing.status_code == 200 and listing.content.decode("utf-8-sig").startswith("层级,指标主键,区划")
    tree = client.get(f"/ui/tracking/{tf.P1}?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(tree.content))
    assert book.sheetnames == ["指标", "按区划科目", "支付凭证", "未关联指标的凭证"]
    assert book["指标"]["B2"].value == tf.P1


def test_a_person_reads_per_their_scope_with_chinese_refusals(h: Harness) -> None:
    client = browser(h, SCOPED)
    html = client.get("/ui/tracking").text
    assert re.findall(r'<tr data-bgt="([^"]+)"', html) == [tf.Y1, tf.Y2]
    upper = client.get(f"/ui/tracking/{tf.P1}")
    assert upper.status_code == 404 and "当前账号可查看的区划中没有该指标" in upper.text
    other = client.get(f"/ui/tracking?division={tf.CITY}")
    assert other.status_code == 403 and "无权查看该区划的指标" in other.text
    bad = client.get("/ui/tracking?division=3303")
    assert bad.status_code == 400 and "应为 9 位财政区划代码" in bad.text


def test_the_tracking_pages_need_a_session(h: Harness) -> None:
    stranger = TestClient(h.client.app)
    answer = stranger.get("/ui/tracking", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login")


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/ui/tracking?division=%00", 400, "无法保存的字符"),
        ("/ui/tracking?fiscal_year=20x6", 400, "年度：应为 4 位数字"),
        ("/ui/tracking?is_track=9", 400, "是否追踪：应为 1 (是) 或 2 (否)"),
        ("/ui/tracking?side=upper", 400, "类型：应为"),
        ("/ui/tracking?format=pdf", 400, "导出格式应为 csv 或 xlsx"),
        ("/ui/tracking?page=-1", 400, "页码必须是正整数"),
        ("/ui/tracking/" + "X" * 39, 400, "1 至 38 个字符"),
    ],
)
def test_bad_input_comes_back_as_a_chinese_error_page(h: Harness, path: str, status: int, text: str) -> None:
    answer = browser(h).get(path)
    assert answer.status_code == status and text in answer.text, answer.text[-400:]
