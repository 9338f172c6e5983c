"""对账报告 with payment runs over HTTP: the run list shows them (类别 filter) and ops start a payment run
from the form (CSRF, audited); viewers cannot."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from gateway import audit
from gateway.services import breaks
from gateway.services.breaks import BreakFilters
from gateway.services.reconciliation import runs as reconciliations
from tests.gateway.payment_flows import ADM
from tests.web.conftest import Site, csrf_of

DAY = date(2026, 3, 16)
AS_OF = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def test_the_run_list_shows_payment_runs_and_filters_by_kind(site: Site) -> None:
    gw = site.harness.gateway
    done = reconciliations.run_now(
        gw, kind="payments", adm_div_code=ADM, day=DAY, actor="ops:test", as_of=AS_OF
    )
    viewer = site.signed_in("viewer")
    everything = viewer.get("/ui/runs")
    assert everything.status_code == 200
    assert f'data-run="{done.id}"' in everything.text
    assert f"区划 {ADM} 永嘉县 · 2026-03-16" in everything.text
    assert f'href="/ui/runs/{done.id}"' in everything.text
    payments = viewer.get("/ui/runs", params={"kind": "payments"}).text
    assert re.findall(r'data-run="(\d+)"', payments) == [str(done.id)]
    indicators = viewer.get("/ui/runs", params={"kind": "indicators"}).text
    assert f'data-run="{done.id}"' not in indicators
    assert viewer.get("/ui/runs", params={"kind": "other"}).status_code == 400
    assert viewer.get(f"/ui/runs/{done.id}").status_code == 200
    assert 'id="run-payments-now"' not in everything.text  # viewers cannot run


def test_ops_start_a_payment_run_from_the_form_and_viewers_cannot(site: Site) -> None:
    gw = site.harness.gateway
    before = reconciliations.list_runs(gw, kind="payments").total
    form = {"kind": "payments", "adm_div_code": ADM, "day": "2026-03-16", "pay_bank_code": ""}
    viewer = site.signed_in("viewer")
    refused = viewer.post("/ui/runs", data={**form, "csrf": csrf_of(viewer.get("/ui/runs").text)})
    assert refused.status_code == 403
    ops = site.signed_in("ops")
    page = ops.get("/ui/runs").text
    assert 'id="run-payments-now"' in page
    forged = ops.post("/ui/runs", data={**form, "csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert reconciliations.list_runs(gw, kind="payments").total == before
    bad = ops.post(
        "/ui/runs", data={**form, "day": "16/03/2026", "csrf": csrf_of(page)}, follow_redirects=False
    )
    assert bad.status_code == 400 and "对账日期须为 YYYY-MM-DD 格式的有效日期" in bad.text
    done = ops.post("/ui/runs", data={**form, "csrf": csrf_of(page)}, follow_redirects=False)
    assert done.status_code == 303
    newest = reconciliations.list_runs(gw, kind="payments").items[0]
    assert done.headers["location"] == f"/ui/runs/{newest.id}?notice=run"
    assert newest.trigger == "web" and newest.status == "succeeded"
    assert newest.scope["adm_div_code"] == ADM and newest.scope["day"] == "2026-03-16"
    with gw.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        last = list(uow.audit.entries())[-1]
    assert (last.action, last.subject) == ("reconciliation.run", f"reconciliation/{newest.id}")
    assert last.actor == newest.actor
    assert ops.get(done.headers["location"]).status_code == 200


def test_a_payment_run_shows_names_grouped_amounts_and_trace_links(site: Site) -> None:
    gw = site.harness.gateway
    done = reconciliations.run_now(
        gw, kind="payments", adm_div_code=ADM, day=DAY, actor="ops:test", as_of=AS_OF
    )
    viewer = site.signed_in("viewer")
    page = viewer.get(f"/ui/runs/{done.id}").text
    summary = page.split('id="run-summary"')[1].split("</dl>")[0]
    assert f"区划 {ADM} 永嘉县" in summary
    totals = page.split('id="totals"')[1].split("</table>")[0]
    assert '<td class="num amount">13,205.67</td>' in totals and "13205.67" not in page
    groups = page.split('id="groups"')[1].split("</table>")[0]
    assert "<td>102 中国工商银行永嘉支行 (demo)</td>" in groups
    assert '<td class="num amount">2 / 13,205.67</td>' in groups
    found = page.split('id="run-breaks"')[1].split("</table>")[0]
    assert 'href="/ui/messages?voucher_no=3303245201260000124" class="trace-link"' in found
    assert '<td class="num amount">860.00</td>' in found
    listing = viewer.get("/ui/breaks", params={"kind": "payments"}).text
    assert f"支付 · 区划 {ADM} 永嘉县 · 2026-03-16" in listing
    assert 'href="/ui/messages?voucher_no=3303245201260000124" class="trace-link"' in listing
    [item] = breaks.list_breaks(gw, BreakFilters(kind="payments")).items
    detail = viewer.get(f"/ui/breaks/{item.key}").text
    assert f"<td>{ADM} 永嘉县 · 102 中国工商银行永嘉支行 (demo) · 2026-03-16</td>" in detail
    assert 'href="/ui/messages?voucher_no=3303245201260000124" class="trace-link"' in detail
