"""End to end in real headless Chromium against the real server (uvicorn on 127.0.0.1): sign-in as ops and
as viewer, viewers cannot act, a forged CSRF token is refused, tracing a voucher, retrying a dead letter;
the dashboard showing a 不一致 pair, filtering breaks, resolving one with a comment and seeing it audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from gateway import audit
from gateway.demo_config import write_demo
from gateway.services import breaks, browse
from gateway.services.breaks import BreakFilters
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.samples import NOW
from tests.web.browser import chromium, serve, sign_in, wait_for
from tests.web.recon_seed import PAIR_KEY, Recon, seed_recon
from tests.web.seed import VOUCHER_NO, Seeded, seed, tokens

pytestmark = pytest.mark.e2e


@dataclass
class Live:
    base: str
    harness: Harness
    seeded: Seeded
    tokens: dict[str, str]
    driver: webdriver.Chrome
    recon: Recon


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    directory = tmp_path_factory.mktemp("web-e2e")
    write_demo(directory / "demo", now=NOW - timedelta(days=1))
    harness = build_harness(directory / "demo", f"sqlite:///{directory / 'gateway.db'}")
    try:
        seeded = seed(harness.gateway, harness.client, harness.config_dir, harness.clock)
        recon = seed_recon(harness.gateway, harness.client, harness.config_dir, harness.clock)
        with serve(harness.gateway) as base, chromium() as driver:
            yield Live(base, harness, seeded, tokens(harness.config_dir), driver, recon)
    finally:
        harness.client.close()
        harness.gateway.close()


def texts(driver: webdriver.Chrome, css: str) -> list[str]:
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, css)]


def post_from_page(driver: webdriver.Chrome, path: str) -> int:
    """POST a form from the current page with its own (valid) CSRF token, as a crafted request would."""
    status: int = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const csrf = document.querySelector('input[name=csrf]').value;
        fetch(arguments[0], {method: 'POST', credentials: 'same-origin', redirect: 'manual',
                             headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                             body: 'csrf=' + encodeURIComponent(csrf)})
          .then(r => done(r.status), e => done(-1));
        """,
        path,
    )
    return status


def test_ops_sign_in_lands_on_the_registered_sections(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["ops"])
    assert driver.current_url == f"{live.base}/ui/dashboard"
    assert texts(driver, "nav.sections a") == ["总览", "差异", "对账报告", "资金追踪", "报文追踪", "投递队列"]
    assert driver.find_element(By.ID, "who").text == "demo-ops · 运维"
    assert driver.get_window_size() == {"width": 1366, "height": 768}
    # no horizontal scrolling on a 1366×768 laptop screen
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366


def test_viewer_sees_the_queue_but_has_no_actions_and_a_post_is_refused(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["viewer"], "/ui/queue?state=dead")
    assert driver.find_element(By.ID, "who").text == "demo-viewer · 只读"
    row = live.seeded.dead_outbox_id
    assert driver.find_elements(By.CSS_SELECTOR, f'tr[data-outbox="{row}"]')
    assert driver.find_elements(By.CSS_SELECTOR, "a[data-action]") == []
    assert driver.find_elements(By.ID, "replay") == []
    assert post_from_page(driver, f"/ui/queue/{row}/retry") == 403
    driver.get(f"{live.base}/ui/queue/{row}/retry")
    assert wait_for(driver, "#error h1").text == "无权操作"
    assert browse.delivery(live.harness.gateway, row).state == "dead"


def test_a_forged_csrf_token_is_refused(live: Live) -> None:
    driver = live.driver
    row = live.seeded.dead_outbox_id
    sign_in(driver, live.base, live.tokens["ops"], f"/ui/queue/{row}/retry")
    driver.execute_script("document.querySelector('section.confirm input[name=csrf]').value = 'forged-token'")
    driver.find_element(By.ID, "confirm").click()
    assert wait_for(driver, "#error h1").text == "表单校验失败 (CSRF)"
    assert "操作未执行" in driver.find_element(By.CSS_SELECTOR, "#error .detail").text
    assert browse.delivery(live.harness.gateway, row).state == "dead"


def test_tracing_a_voucher(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["viewer"], "/ui/messages")
    driver.find_element(By.NAME, "voucher_no").send_keys(VOUCHER_NO)
    driver.find_element(By.ID, "search").click()
    wait_for(driver, f'input[name="voucher_no"][value="{VOUCHER_NO}"]')
    links = driver.find_elements(By.CSS_SELECTOR, "#results a.message-link")
    assert len(links) == 4
    driver.find_element(By.LINK_TEXT, live.seeded.voucher_message_id).click()
    wait_for(driver, "#timeline")
    done = texts(driver, "#timeline li.done .what")
    assert done == ["已接收", "已校验", "已存储", "已路由", "已投递"]
    chain = driver.find_elements(By.CSS_SELECTOR, f'#chains table.chain[data-value="{VOUCHER_NO}"] tbody tr')
    assert [row.find_elements(By.TAG_NAME, "td")[1].text for row in chain] == [
        "支付凭证",
        "回单",
        "清算申请 (申请划款/退款)",
        "清算回单",
    ]
    # the signed original, downloaded with the browser's session, byte for byte
    href = driver.find_element(By.ID, "download").get_attribute("href")
    assert href is not None
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    answer = httpx.get(href, cookies=cookies)
    pk = int(href.rsplit("/", 2)[-2])
    with live.harness.gateway.database.unit_of_work() as uow:
        assert answer.status_code == 200 and answer.content == uow.messages.body(pk)
    assert answer.headers["content-type"] == "application/xml"


def test_retrying_a_dead_letter_is_audited(live: Live) -> None:
    driver = live.driver
    row = live.seeded.dead_outbox_id
    sign_in(driver, live.base, live.tokens["ops"], "/ui/queue")
    assert driver.find_element(By.CSS_SELECTOR, "nav.tabs a.active").text == "死信"
    driver.find_element(By.CSS_SELECTOR, f'tr[data-outbox="{row}"] a[data-action="retry"]').click()
    assert wait_for(driver, "h1").text == f"确认重试投递 #{row}"
    driver.find_element(By.ID, "confirm").click()
    assert wait_for(driver, "#notice").text == f"已将投递 #{row} 重新排队（操作已记入审计日志）。"
    assert driver.find_elements(By.CSS_SELECTOR, f'tr[data-outbox="{row}"]') == []
    first = driver.find_element(By.CSS_SELECTOR, "#recent-actions tbody tr")
    cells = [cell.text for cell in first.find_elements(By.TAG_NAME, "td")]
    assert cells[2:5] == ["ops:demo-ops", "重试投递", f"投递 #{row}"]
    with live.harness.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        last = list(uow.audit.entries())[-1]
    assert (last.seq, last.action, last.actor) == (int(cells[0]), "outbox.retry", "ops:demo-ops")
    assert browse.delivery(live.harness.gateway, row).state == "pending"


def test_cancelling_a_delivery_asks_for_a_reason_and_audits_it(live: Live) -> None:
    driver = live.driver
    gw = live.harness.gateway
    row = max(d.id for d in browse.queue_view(gw, "dead").page.items)
    sign_in(driver, live.base, live.tokens["ops"], "/ui/queue?state=dead")
    driver.find_element(By.CSS_SELECTOR, f'tr[data-outbox="{row}"] a[data-action="cancel"]').click()
    assert wait_for(driver, "h1").text == f"确认取消投递 #{row}"
    driver.find_element(By.ID, "confirm").click()  # the reason is required: the browser does not submit
    assert driver.find_element(By.ID, "cancel-reason").get_property("validity")["valueMissing"] is True
    assert browse.delivery(gw, row).state == "dead"
    # A browser that skips the check (or a blank reason) gets the same page back, the reason asked for.
    driver.execute_script("document.querySelector('form').noValidate = true")
    driver.find_element(By.ID, "cancel-reason").send_keys("   ")
    driver.find_element(By.ID, "confirm").click()
    assert wait_for(driver, "#reason-error").text == "取消投递必须填写原因；未做任何更改。"
    assert driver.find_element(By.ID, "cancel-reason").get_attribute("aria-invalid") == "true"
    assert browse.delivery(gw, row).state == "dead"
    reason = driver.find_element(By.ID, "cancel-reason")
    reason.clear()
    reason.send_keys("接收方地址已停用")
    driver.find_element(By.ID, "confirm").click()
    assert wait_for(driver, "#notice").text == f"已取消投递 #{row}（操作已记入审计日志）。"
    first = driver.find_element(By.CSS_SELECTOR, "#recent-actions tbody tr")
    cells = [cell.text for cell in first.find_elements(By.TAG_NAME, "td")]
    assert cells[2:6] == ["ops:demo-ops", "取消投递", f"投递 #{row}", "原因：接收方地址已停用"]
    with gw.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        last = list(uow.audit.entries())[-1]
    assert (last.action, last.detail) == ("outbox.cancel", {"reason": "接收方地址已停用"})
    assert browse.delivery(gw, row).state == "cancelled"


def test_a_bad_payment_run_form_comes_back_in_chinese_with_the_input_kept(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["ops"], "/ui/runs")
    adm = wait_for(driver, "#run-adm")
    adm.send_keys("99999x")
    driver.execute_script("document.getElementById('run-day').value = '2026-03-16'")
    driver.find_element(By.ID, "run-bank").send_keys("102333300018")
    driver.find_element(By.ID, "run-payments-now").click()  # pattern="\d{6}": the browser refuses first
    assert adm.get_property("validity")["patternMismatch"] is True
    assert driver.current_url == f"{live.base}/ui/runs"
    driver.execute_script("document.getElementById('run-payments-form').noValidate = true")
    driver.find_element(By.ID, "run-payments-now").click()
    error = wait_for(driver, "#adm_div_code-error")
    assert error.text == '区划代码须为 6 位数字，收到 "99999x"'
    assert error.find_element(By.XPATH, "..").find_element(By.ID, "run-adm") is not None  # by its field
    assert driver.find_element(By.ID, "run-adm").get_attribute("value") == "99999x"
    assert driver.find_element(By.ID, "run-day").get_attribute("value") == "2026-03-16"
    assert driver.find_element(By.ID, "run-bank").get_attribute("value") == "102333300018"
    assert "must" not in driver.find_element(By.TAG_NAME, "body").text
    assert driver.find_elements(By.ID, "runs")  # the run list is still there: the same page


def test_sign_out(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["viewer"], "/ui/messages")
    driver.find_element(By.ID, "logout").click()
    wait_for(driver, "#login-form")
    driver.get(f"{live.base}/ui/queue")
    assert wait_for(driver, "#login-form") is not None
    assert Path(driver.current_url.split("?")[0]).name == "login"


# ---- reconciliation: 总览, 差异 --------------------------------------------------------------------------


def test_the_dashboard_shows_the_inconsistent_pair(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["viewer"])
    assert driver.current_url == f"{live.base}/ui/dashboard"
    row = wait_for(driver, f'#pairs tr[data-pair="{PAIR_KEY}"]')
    assert row.find_element(By.CSS_SELECTOR, "[data-status]").text == "不一致"
    assert "浙江省财政厅 → 温州市财政局 · 2026 年度" in row.text
    assert [c.get_attribute("data-run") for c in row.find_elements(By.CSS_SELECTOR, "svg.trend circle")] == [
        str(live.recon.first_run_id),
        str(live.recon.last_run_id),
    ]
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366
    row.find_element(By.CSS_SELECTOR, 'a[data-type="AMOUNT_MISMATCH"]').click()
    wait_for(driver, "#breaks")
    assert [
        r.get_attribute("data-type") for r in driver.find_elements(By.CSS_SELECTOR, "#breaks tr[data-break]")
    ] == ["AMOUNT_MISMATCH"]


def test_filtering_breaks(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["viewer"], "/ui/breaks")

    def listed() -> list[str | None]:
        rows = driver.find_elements(By.CSS_SELECTOR, "#breaks tr[data-break]")
        return [r.get_attribute("data-type") for r in rows]

    assert sorted(t or "" for t in listed()) == ["AMOUNT_MISMATCH", "MISSING_IN_LOWER", "MISSING_IN_UPPER"]
    driver.find_element(By.ID, "f-min").send_keys("2")
    driver.find_element(By.ID, "f-max").send_keys("1000.00")
    driver.find_element(By.ID, "filter").click()
    wait_for(driver, '#f-max[value="1000.00"]')
    assert listed() == ["AMOUNT_MISMATCH"]
    driver.get(f"{live.base}/ui/breaks")
    Select(wait_for(driver, "#f-type")).select_by_value("MISSING_IN_UPPER")
    Select(driver.find_element(By.ID, "f-pair")).select_by_value(PAIR_KEY)
    driver.find_element(By.ID, "filter").click()
    wait_for(driver, '#f-type option[value="MISSING_IN_UPPER"][selected]')
    assert listed() == ["MISSING_IN_UPPER"]


def test_resolving_a_break_with_a_comment_is_audited(live: Live) -> None:
    driver = live.driver
    gw = live.harness.gateway
    [item] = breaks.list_breaks(gw, BreakFilters(types=("MISSING_IN_LOWER",))).items
    sign_in(driver, live.base, live.tokens["viewer"], f"/ui/breaks/{item.key}")
    assert driver.find_elements(By.ID, "actions") == []
    assert post_from_page(driver, f"/ui/breaks/{item.key}/resolve") == 403

    sign_in(driver, live.base, live.tokens["ops"], "/ui/breaks?type=MISSING_IN_LOWER")
    driver.find_element(By.CSS_SELECTOR, f'tr[data-break="{item.key}"] a.break-link').click()
    wait_for(driver, "#resolve-form")
    driver.find_element(By.ID, "resolve").click()  # the comment is required: the browser does not submit
    assert driver.find_element(By.ID, "resolve-comment").get_property("validity")["valueMissing"] is True
    assert breaks.get_break(gw, item.key).status == "open"
    driver.find_element(By.ID, "resolve-comment").send_keys("温州已补录，差异消除")
    driver.find_element(By.ID, "resolve").click()
    assert wait_for(driver, "#notice").text == "已将差异标记为已解决（操作已记入审计日志）。"
    assert driver.find_element(By.ID, "break-status").text == "已解决"
    assert driver.find_elements(By.ID, "actions") == []
    first = driver.find_element(By.CSS_SELECTOR, "#audit tbody tr")
    cells = [cell.text for cell in first.find_elements(By.TAG_NAME, "td")]
    assert (cells[2], cells[3], cells[5]) == ("ops:demo-ops", "解决差异", "温州已补录，差异消除")
    with gw.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        last = list(uow.audit.entries())[-1]
    assert (last.seq, last.action, last.subject) == (int(cells[0]), "break.resolved", f"break/{item.key}")
    assert breaks.get_break(gw, item.key).status == "resolved"


def test_amounts_are_right_aligned_and_a_break_links_to_its_trace(live: Live) -> None:
    driver = live.driver
    sign_in(driver, live.base, live.tokens["viewer"], "/ui/breaks?type=AMOUNT_MISMATCH")
    row = wait_for(driver, '#breaks tr[data-type="AMOUNT_MISMATCH"]')
    cell = row.find_elements(By.CSS_SELECTOR, "td.num.amount")[0]
    assert cell.text == "1,250,001.00"
    style = driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.textAlign, s.fontVariantNumeric];", cell
    )
    assert style == ["right", "tabular-nums"]
    header = driver.find_elements(By.CSS_SELECTOR, "#breaks thead th.num")[0]
    assert driver.execute_script("return getComputedStyle(arguments[0]).textAlign;", header) == "right"
    row.find_element(By.CSS_SELECTOR, "a.trace-link").click()
    chain = wait_for(driver, "#traced-chain")
    assert driver.current_url == f"{live.base}/ui/messages?bgt_id=BGT-3300-2026-0002"
    assert texts(driver, '#traced-chain td.num.amount[title="指标金额"]') == ["1,250,001.00", "1,249,001.00"]
    assert "北京时间" in (chain.find_element(By.TAG_NAME, "time").get_attribute("title") or "")
