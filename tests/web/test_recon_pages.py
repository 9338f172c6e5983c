"""The reconciliation pages over HTTP (in-process): 总览, 差异 and 对账报告 on a 不一致 pair seeded through
the real intake and run service — roles, CSRF and audit on explain / resolve / run now; on SQLite, and on
PostgreSQL when ``FISCALGW_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gateway import audit
from gateway.model import AuditEntry
from gateway.reconcile.report.cells import csv_text
from gateway.services import breaks
from gateway.services.breaks import BreakFilters, BreakView
from gateway.services.reconciliation import runs as reconciliations
from gateway.web.recon_common import trend_chart
from tests.web.conftest import Site, csrf_of
from tests.web.recon_seed import ACTOR, PAIR_KEY, Recon, seed_recon
from tests.web.seed import CITY, PROVINCE


@dataclass
class Seeded:
    site: Site
    recon: Recon


@pytest.fixture
def seeded(site: Site) -> Seeded:
    h = site.harness
    return Seeded(site, seed_recon(h.gateway, h.client, h.config_dir, h.clock))


def audit_entries(site: Site) -> list[AuditEntry]:
    with site.harness.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        return list(uow.audit.entries())


def the_break(s: Seeded, kind: str) -> BreakView:
    [found] = breaks.list_breaks(s.site.harness.gateway, BreakFilters(types=(kind,))).items
    return found


def rows_of(html: str, table_id: str) -> list[str]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", body.split("<tbody>", 1)[1], flags=re.S)


# ---- 总览 ------------------------------------------------------------------------------------------------


def test_the_nav_starts_with_the_dashboard_and_sign_in_lands_there(seeded: Seeded) -> None:
    ops = seeded.site.signed_in("ops")
    home = ops.get("/ui/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/ui/dashboard"
    page = ops.get("/ui/dashboard").text
    sections = re.findall(r'data-section="([a-z]+)"', page)
    assert sections == ["dashboard", "breaks", "runs", "tracking", "trace", "queue"]
    labels = re.findall(r'data-section="[a-z]+">([^<]+)</a>', page)
    assert labels[:4] == ["差异", "对账报告", "资金追踪", "报文追踪"]
    assert 'data-section="dashboard" class="active"' in page


def test_the_dashboard_shows_the_inconsistent_pair(seeded: Seeded) -> None:
    page = seeded.site.signed_in("viewer").get("/ui/dashboard")
    assert page.status_code == 200
    [row] = rows_of(page.text, "pairs")
    assert f'data-pair="{PAIR_KEY}"' in row
    assert "浙江省财政厅 → 温州市财政局 · 2026 年度" in row
    assert 'data-status="不一致"' in row
    assert f'href="/ui/runs/{seeded.recon.last_run_id}"' in row
    # upper: 3 indicators, 3750003.00; lower: 2 bookings and one the province never issued
    assert "3<br>3,750,003.00" in row and "3<br>2,499,002.00" in row
    for kind, label in (
        ("AMOUNT_MISMATCH", "金额不一致"),
        ("MISSING_IN_LOWER", "下级未接收"),
        ("MISSING_IN_UPPER", "上级未下达"),
    ):
        assert re.search(rf'data-type="{kind}">{label} <strong>1</strong>', row), kind
    assert 'data-age="0-1d">1 天内 <strong>3</strong>' in row
    # the trend: one dot per run, oldest first (2 breaks, then 3)
    dots = re.findall(r'<circle [^>]*data-run="(\d+)"><title>对账 #\d+：(\d+) 条差异', row)
    assert dots == [(str(seeded.recon.first_run_id), "2"), (str(seeded.recon.last_run_id), "3")]
    assert "<polyline" in row and "<script" not in page.text


def test_the_trend_chart_scales_to_its_peak() -> None:
    assert trend_chart([]) is None
    chart = trend_chart([(1, None, 0), (2, None, 4), (3, None, 2)])
    assert chart is not None
    ys = [y for _, y, _, _ in chart.dots]
    assert ys[0] == chart.baseline and ys[1] == chart.pad and ys[1] < ys[2] < ys[0]
    xs = [x for x, _, _, _ in chart.dots]
    assert xs[0] == chart.pad and xs[-1] == chart.width - chart.pad
    flat = trend_chart([(1, None, 0)])
    assert flat is not None and flat.dots[0][1] == flat.baseline


def test_an_empty_store_says_there_is_nothing_to_show(site: Site) -> None:
    page = site.signed_in("ops").get("/ui/dashboard")
    assert page.status_code == 200 and "尚无对账对" in page.text


# ---- 差异 ------------------------------------------------------------------------------------------------


def test_the_break_list_filters_sorts_and_pages(seeded: Seeded) -> None:
    viewer = seeded.site.signed_in("viewer")

    def types(**query: str) -> list[str]:
        answer = viewer.get("/ui/breaks", params=query)
        assert answer.status_code == 200, answer.text
        return re.findall(r'data-type="([A-Z_]+)" data-status', answer.text)

    assert types(sort="-amount") == ["MISSING_IN_LOWER", "AMOUNT_MISMATCH", "MISSING_IN_UPPER"]
    assert types(sort="amount") == ["MISSING_IN_UPPER", "AMOUNT_MISMATCH", "MISSING_IN_LOWER"]
    assert types(type="AMOUNT_MISMATCH") == ["AMOUNT_MISMATCH"]
    assert types(pair=PAIR_KEY, status="open", age="0-1d", sort="amount") == [
        "MISSING_IN_UPPER",
        "AMOUNT_MISMATCH",
        "MISSING_IN_LOWER",
    ]
    assert types(age="1-7d") == []
    assert types(status="resolved") == []
    assert types(min_amount="2", max_amount="1000.00", sort="amount") == ["AMOUNT_MISMATCH"]
    assert types(min_amount="1000.01") == ["MISSING_IN_LOWER"]
    assert types(pair=f"{PROVINCE}|330324000|2026") == []
    page = viewer.get("/ui/breaks", params={"type": "AMOUNT_MISMATCH", "page": "2"}).text
    assert "没有符合条件的差异" in page and 'rel="prev"' in page and 'id="next-page"' not in page
    # the form keeps what was asked
    kept = viewer.get("/ui/breaks", params={"type": "MISSING_IN_UPPER", "min_amount": "0.50"}).text
    assert '<option value="MISSING_IN_UPPER" selected>' in kept and 'value="0.50"' in kept


def test_bad_filters_are_refused_in_chinese(seeded: Seeded) -> None:
    viewer = seeded.site.signed_in("viewer")
    for query, detail in (
        ({"type": "NOPE"}, "未知的差异类型"),
        ({"status": "gone"}, "未知的处理状态"),
        ({"min_amount": "1e3x"}, "金额格式"),
        ({"min_amount": "0.001"}, "最多两位小数"),
        ({"min_amount": "-1"}, "非负"),
        ({"min_amount": "5", "max_amount": "1"}, "最小金额不能大于最大金额"),
        ({"pair": "330000000|330000000|2026"}, "对账对无效"),
        ({"pair": "abc"}, "对账对格式"),
        ({"sort": "colour"}, "未知的排序"),
        ({"page": "0x"}, "页码"),
    ):
        answer = viewer.get("/ui/breaks", params=query)
        assert answer.status_code == 400 and detail in answer.text, query


def test_a_break_page_shows_both_sides_and_marks_the_differences(seeded: Seeded) -> None:
    item = the_break(seeded, "AMOUNT_MISMATCH")
    page = seeded.site.signed_in("viewer").get(f"/ui/breaks/{item.key}")
    assert page.status_code == 200
    sides = rows_of(page.text, "sides")
    differing = [r for r in sides if 'class="differs"' in r]
    assert len(differing) == 2
    assert "1,250,001.00" in differing[0] and "1,249,001.00" in differing[0]
    assert "项目代码 PRO_CODE" in differing[1] and "330000260000000099999" in differing[1]
    assert any("BGT-3300-2026-0002" in r and "L-0002" in r and "differs" not in r for r in sides)
    history = rows_of(page.text, "history")
    assert len(history) == 1 and "发现" in history[0] and "system" in history[0]
    # a viewer sees no forms
    assert 'id="actions"' not in page.text and 'name="comment"' not in page.text
    assert seeded.site.signed_in("viewer").get("/ui/breaks/" + "0" * 64).status_code == 404
    assert seeded.site.signed_in("viewer").get("/ui/breaks/not-a-key").status_code == 404


def test_resolving_needs_ops_csrf_and_a_comment_and_is_audited(seeded: Seeded) -> None:
    site = seeded.site
    item = the_break(seeded, "MISSING_IN_UPPER")
    url = f"/ui/breaks/{item.key}"
    viewer = site.signed_in("viewer")
    viewer_csrf = csrf_of(viewer.get(url).text)
    refused = viewer.post(
        f"{url}/resolve", data={"csrf": viewer_csrf, "comment": "看过了"}, follow_redirects=False
    )
    assert refused.status_code == 403 and "只读 (viewer)" in refused.text
    ops = site.signed_in("ops")
    page = ops.get(url).text
    assert 'id="resolve-form"' in page and 'id="explain-form"' in page
    for form in ({"comment": "x"}, {"csrf": "forged", "comment": "x"}):
        answer = ops.post(f"{url}/resolve", data=form, follow_redirects=False)
        assert answer.status_code == 403 and "CSRF" in answer.text
    blank = ops.post(f"{url}/resolve", data={"csrf": csrf_of(page), "comment": "  "}, follow_redirects=False)
    assert blank.status_code == 400 and "必须填写说明" in blank.text
    assert breaks.get_break(site.harness.gateway, item.key).status == "open"
    assert [e for e in audit_entries(site) if e.action.startswith("break.")] == []

    explained = ops.post(
        f"{url}/explain",
        data={"csrf": csrf_of(page), "comment": "下级误录，已联系温州"},
        follow_redirects=False,
    )
    assert explained.status_code == 303 and explained.headers["location"] == f"{url}?notice=explain"
    done = ops.post(
        f"{url}/resolve", data={"csrf": csrf_of(page), "comment": "温州已删除 L-0009"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"{url}?notice=resolve"
    view = breaks.get_break(site.harness.gateway, item.key)
    assert (view.status, view.status_by, view.status_comment) == ("resolved", ACTOR, "温州已删除 L-0009")
    entries = [e for e in audit_entries(site) if e.action.startswith("break.")]
    assert [(e.action, e.actor, e.subject, e.detail["comment"]) for e in entries] == [
        ("break.explained", ACTOR, f"break/{item.key}", "下级误录，已联系温州"),
        ("break.resolved", ACTOR, f"break/{item.key}", "温州已删除 L-0009"),
    ]
    shown = ops.get(done.headers["location"]).text
    assert "已将差异标记为已解决" in shown and 'data-status="resolved"' in shown
    assert 'id="actions"' not in shown  # nothing left to do
    audit_rows = rows_of(shown, "audit")
    actions = [re.findall(r'data-action="([a-z.]+)"', r) for r in audit_rows]
    assert actions == [["break.resolved"], ["break.explained"]]
    assert f'data-seq="{entries[-1].seq}"' in audit_rows[0] and "温州已删除 L-0009" in audit_rows[0]
    assert [r.count("<td") for r in rows_of(shown, "history")] == [4, 4, 4]
    listing = ops.get("/ui/breaks").text
    assert "解决差异" in listing.split('id="recent-actions"')[1]
    again = ops.post(
        f"{url}/resolve", data={"csrf": csrf_of(shown), "comment": "再次"}, follow_redirects=False
    )
    assert again.status_code == 409 and "未做任何更改" in again.text


# ---- 对账报告 --------------------------------------------------------------------------------------------


def test_the_run_list_and_a_run_page(seeded: Seeded) -> None:
    viewer = seeded.site.signed_in("viewer")
    recon = seeded.recon
    listing = viewer.get("/ui/runs", params={"pair": PAIR_KEY})
    assert listing.status_code == 200
    assert re.findall(r'data-run="(\d+)"', listing.text) == [str(recon.last_run_id), str(recon.first_run_id)]
    assert 'id="run-now"' not in listing.text  # viewers cannot run
    other = viewer.get("/ui/runs", params={"pair": f"{PROVINCE}|330324000|2026"}).text
    assert "尚无对账记录" in other
    page = viewer.get(f"/ui/runs/{recon.last_run_id}")
    assert page.status_code == 200 and 'id="run-result">不一致' in page.text
    assert 'id="break-count">3<' in page.text
    linked = set(re.findall(r'href="/ui/breaks/([0-9a-f]{64})"', page.text))
    everything = breaks.list_breaks(seeded.site.harness.gateway, BreakFilters())
    assert linked == {b.key for b in everything.items}
    assert set(re.findall(r'data-format="(\w+)"', page.text)) == {"csv", "xlsx", "json"}
    assert viewer.get("/ui/runs/999999").status_code == 404


def test_the_report_downloads(seeded: Seeded) -> None:
    viewer = seeded.site.signed_in("viewer")
    run_id = seeded.recon.last_run_id
    as_json = viewer.get(f"/ui/runs/{run_id}/report.json")
    assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    assert 'filename="reconciliation-' in as_json.headers["content-disposition"]
    _run, body = reconciliations.get_run(seeded.site.harness.gateway, run_id)
    assert body is not None
    assert json.loads(as_json.content)["breaks"] == body["breaks"]
    as_csv = viewer.get(f"/ui/runs/{run_id}/report.csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert "BGT-3300-2026-0003" in as_csv.content.decode("utf-8-sig")
    as_xlsx = viewer.get(f"/ui/runs/{run_id}/report.xlsx")
    assert as_xlsx.status_code == 200
    book = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row}
    assert "BGT-3300-2026-0002" in cells
    assert viewer.get(f"/ui/runs/{run_id}/report.html").status_code == 404
    assert viewer.get(f"/ui/runs/{run_id}/report.pdf").status_code == 404


def test_the_report_downloads_are_working_spreadsheets(seeded: Seeded) -> None:
    """Issue 15: the downloaded XLSX has number amounts Excel can SUM (exact to the fen), text ids, a frozen
    header and an autofilter; the CSV keeps ids as text in Excel (TAB mark) and reads back exactly."""
    viewer = seeded.site.signed_in("viewer")
    run_id = seeded.recon.last_run_id
    body = json.loads(viewer.get(f"/ui/runs/{run_id}/report.json").content)
    items = [*body["breaks"], *body["in_transit"]]
    assert items
    book = load_workbook(io.BytesIO(viewer.get(f"/ui/runs/{run_id}/report.xlsx").content))
    sheet = book["差异明细"]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", f"A1:M{len(items) + 1}")
    amounts = [sheet.cell(r, 9) for r in range(2, len(items) + 2) if sheet.cell(r, 9).value is not None]
    assert amounts and all((c.data_type, c.number_format) == ("n", "#,##0.00") for c in amounts)
    total = sum(Decimal(i["upper_amount"]) for i in items if i["upper_amount"] is not None)
    assert Decimal(f"{sum(c.value for c in amounts):.15g}") == total
    ids = [sheet.cell(r, 6) for r in range(2, len(items) + 2)]
    assert all(c.data_type == "s" for c in ids if c.value is not None)
    assert [c.value for c in ids] == [i["bgt_id"] or None for i in items]
    summary = book["汇总"]
    assert summary.freeze_panes == "A2" and summary.cell(1, 1).value == "上级"
    rows = list(csv.reader(io.StringIO(viewer.get(f"/ui/runs/{run_id}/report.csv").text.lstrip("\ufeff"))))
    assert [r[5] for r in rows[1:]] == ["\t" + i["bgt_id"] if i["bgt_id"] else "" for i in items]
    assert [csv_text(r[5]) for r in rows[1:]] == [i["bgt_id"] or "" for i in items]


def test_run_now_is_for_ops_with_csrf_and_is_audited(seeded: Seeded) -> None:
    site = seeded.site
    gw = site.harness.gateway
    before = reconciliations.list_runs(gw).total
    viewer = site.signed_in("viewer")
    vcsrf = csrf_of(viewer.get("/ui/runs").text)
    refused = viewer.post("/ui/runs", data={"csrf": vcsrf, "pair": PAIR_KEY}, follow_redirects=False)
    assert refused.status_code == 403
    ops = site.signed_in("ops")
    page = ops.get(f"/ui/runs/{seeded.recon.last_run_id}").text
    assert 'id="run-now"' in page
    forged = ops.post("/ui/runs", data={"csrf": "forged", "pair": PAIR_KEY}, follow_redirects=False)
    assert forged.status_code == 403
    assert reconciliations.list_runs(gw).total == before
    bad = ops.post("/ui/runs", data={"csrf": csrf_of(page), "pair": ""}, follow_redirects=False)
    assert bad.status_code == 400 and "请选择对账对" in bad.text
    done = ops.post("/ui/runs", data={"csrf": csrf_of(page), "pair": PAIR_KEY}, follow_redirects=False)
    assert done.status_code == 303
    newest = reconciliations.list_runs(gw).items[0]
    assert done.headers["location"] == f"/ui/runs/{newest.id}?notice=run"
    assert (newest.trigger, newest.actor, newest.status) == ("web", ACTOR, "succeeded")
    assert newest.scope == {"upper": PROVINCE, "lower": CITY, "fiscal_year": 2026}
    last = audit_entries(site)[-1]
    assert (last.action, last.actor, last.subject) == (
        "reconciliation.run",
        ACTOR,
        f"reconciliation/{newest.id}",
    )
    shown = ops.get(done.headers["location"]).text
    assert 'id="notice"' in shown


# ---- amounts, names and the break → 报文追踪 link (issue 15) --------------------------------------------


def test_break_amounts_are_grouped_in_right_aligned_cells(seeded: Seeded) -> None:
    viewer = seeded.site.signed_in("viewer")
    page = viewer.get("/ui/breaks", params={"type": "AMOUNT_MISMATCH"}).text
    head = page.split('id="breaks"')[1].split("</thead>")[0]
    assert re.findall(r'<th class="num"[^>]*>([^<]+)</th>', head) == [
        "上级金额 / 凭证金额",
        "下级金额 / 对方金额",
        "差额",
    ]
    [row] = rows_of(page, "breaks")
    cells = re.findall(r'<td class="num amount">([^<]+)</td>', row)
    assert cells == ["1,250,001.00", "1,249,001.00", "1,000.00"]
    run = viewer.get(f"/ui/runs/{seeded.recon.last_run_id}").text
    totals = run.split('id="totals"')[1].split("</table>")[0]
    assert '<td class="num amount">3,750,003.00</td>' in totals
    assert "3750003.00" not in run
    item = the_break(seeded, "AMOUNT_MISMATCH")
    detail = viewer.get(f"/ui/breaks/{item.key}").text
    assert '<dd class="num-inline" id="break-difference">1,000.00</dd>' in detail
    assert '<td class="num amount">1,250,001.00</td><td class="num amount">1,249,001.00</td>' in detail
    assert "330000000 浙江省" in detail and "330300000 温州市" in detail  # 财政区划 with names


def test_each_break_links_to_its_trace_chain(seeded: Seeded) -> None:
    viewer = seeded.site.signed_in("viewer")
    listing = viewer.get("/ui/breaks").text
    links = {}
    for row in rows_of(listing, "breaks"):
        kind = re.search(r'data-type="([A-Z_]+)"', row)
        link = re.search(r'<a href="([^"]+)" class="trace-link"', row)
        assert kind is not None and link is not None, row
        links[kind.group(1)] = link.group(1).replace("&amp;", "&")
    assert links == {
        "MISSING_IN_LOWER": "/ui/messages?bgt_id=BGT-3300-2026-0003",
        "AMOUNT_MISMATCH": "/ui/messages?bgt_id=BGT-3300-2026-0002",
        "MISSING_IN_UPPER": "/ui/messages?bgt_id=L-0009",
    }
    item = the_break(seeded, "AMOUNT_MISMATCH")
    detail = viewer.get(f"/ui/breaks/{item.key}").text
    assert 'href="/ui/messages?bgt_id=BGT-3300-2026-0002" class="trace-link"' in detail
    traced = viewer.get(links["AMOUNT_MISMATCH"])
    assert traced.status_code == 200
    chain = traced.text.split('id="traced-chain"')[1].split("</section>")[0]
    amounts = re.findall(r'<td class="num amount" title="指标金额">([^<]+)</td>', chain)
    assert amounts == ["1,250,001.00", "1,249,001.00"]  # the province's issue, the city's booking
