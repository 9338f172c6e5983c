"""What ops staff read on the pages (issue 15): a form that fails validation comes back on the same page with
the error next to the field in 简体中文 and the input kept; cancelling a delivery asks for a reason (audited);
no internal English code (statuses, message types, audit actions, ``outbox/20``, ``rows=2``) reaches the
page text; the replay confirmation says how many deliveries it re-queues. Over HTTP, on SQLite and PG."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from gateway import audit
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport
from gateway.model import MessageStatus, OutboxStatus
from gateway.services import breaks, browse
from gateway.services.breaks import BreakFilters
from gateway.services.reconciliation import runs as reconciliations
from gateway.web import labels, recon_common
from tests.gateway.payment_flows import ADM
from tests.web.conftest import Site, csrf_of
from tests.web.recon_seed import seed_recon
from tests.web.seed import PBC


def form_of(page: str, form_id: str) -> str:
    return page.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]


def input_tag(page: str, input_id: str) -> str:
    found = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', page)
    assert found is not None, f"no input #{input_id}"
    return found.group(0)


def visible_text(page: str) -> str:
    """The words a person reads: tags (and their attributes) removed, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# ---- item 5: form errors on the form, in Chinese, input kept ----------------------------------------


def test_a_bad_payment_run_form_comes_back_with_the_error_by_the_field_and_the_input_kept(site: Site) -> None:
    gw = site.harness.gateway
    ops = site.signed_in("ops")
    page = ops.get("/ui/runs").text
    adm = input_tag(page, "run-adm")
    assert 'pattern="\\d{6}"' in adm and "required" in adm and 'inputmode="numeric"' in adm
    assert 'type="date"' in input_tag(page, "run-day") and 'min="2000-01-01"' in input_tag(page, "run-day")
    before = reconciliations.list_runs(gw, kind="payments").total
    form = {
        "kind": "payments",
        "adm_div_code": "99999x",
        "day": "2026-03-16",
        "pay_bank_code": "102333300018",
    }
    answer = ops.post("/ui/runs", data={**form, "csrf": csrf_of(page)}, follow_redirects=False)
    assert answer.status_code == 400
    again = form_of(answer.text, "run-payments-form")
    text = visible_text(again)
    assert '区划代码须为 6 位数字，收到 "99999x"' in text
    assert "must" not in answer.text and "adm_div_code must" not in text
    assert 'value="99999x"' in input_tag(answer.text, "run-adm")
    assert 'aria-invalid="true"' in input_tag(answer.text, "run-adm")
    assert 'value="2026-03-16"' in input_tag(answer.text, "run-day")
    assert 'value="102333300018"' in input_tag(answer.text, "run-bank")
    assert 'id="runs"' in answer.text  # the same page (the run list), not an error page
    assert reconciliations.list_runs(gw, kind="payments").total == before

    bad_day = ops.post(
        "/ui/runs",
        data={**form, "adm_div_code": ADM, "day": "2026-02-30", "csrf": csrf_of(page)},
        follow_redirects=False,
    )
    assert bad_day.status_code == 400
    text = visible_text(form_of(bad_day.text, "run-payments-form"))
    assert '日期须为 YYYY-MM-DD 格式的有效日期，收到 "2026-02-30"' in text
    assert f'value="{ADM}"' in input_tag(bad_day.text, "run-adm")
    assert 'value="2026-02-30"' in input_tag(bad_day.text, "run-day")

    empty = ops.post(
        "/ui/runs", data={"kind": "payments", "adm_div_code": "", "day": "", "csrf": csrf_of(page)}
    )
    assert empty.status_code == 400
    assert "请填写区划代码" in visible_text(form_of(empty.text, "run-payments-form"))


def test_a_bad_break_filter_keeps_the_filters_and_marks_the_field(site: Site) -> None:
    viewer = site.signed_in("viewer")
    answer = viewer.get("/ui/breaks", params={"min_amount": "12x", "max_amount": "50"})
    assert answer.status_code == 400
    assert 'id="break-filters"' in answer.text
    assert "最小金额：金额格式应为数字，如 1000.00" in visible_text(form_of(answer.text, "break-filters"))
    assert 'value="12x"' in input_tag(answer.text, "f-min") and 'value="50"' in input_tag(
        answer.text, "f-max"
    )


# ---- item 10: cancel asks for a reason, like the break actions --------------------------------------


def test_cancel_asks_for_a_reason_and_audits_it(site: Site) -> None:
    ops = site.signed_in("ops")
    row = site.seeded.dead_outbox_id
    page = ops.get(f"/ui/queue/{row}/cancel").text
    reason = re.search(r"<textarea[^>]*id=\"cancel-reason\"[^>]*>", page)
    assert reason is not None and "required" in reason.group(0) and 'name="reason"' in reason.group(0)
    refused = ops.post(f"/ui/queue/{row}/cancel", data={"csrf": csrf_of(page), "reason": "  "})
    assert refused.status_code == 400
    assert "取消投递必须填写原因" in visible_text(refused.text) and f"确认取消投递 #{row}" in refused.text
    assert browse.delivery(site.harness.gateway, row).state == "dead"
    done = ops.post(
        f"/ui/queue/{row}/cancel",
        data={"csrf": csrf_of(page), "reason": "接收方已停用该地址"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert browse.delivery(site.harness.gateway, row).state == "cancelled"
    with site.harness.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        last = list(uow.audit.entries())[-1]
    assert (last.action, last.detail) == ("outbox.cancel", {"reason": "接收方已停用该地址"})
    queue = visible_text(ops.get(done.headers["location"]).text)
    assert f"投递 #{row}" in queue and "原因：接收方已停用该地址" in queue


def test_the_api_cancel_takes_an_optional_reason(site: Site) -> None:
    client = site.harness.client
    token = {"Authorization": f"Bearer {site.tokens['ops']}"}
    dead = [d.id for d in browse.queue_view(site.harness.gateway, "dead").page.items]
    assert len(dead) >= 2
    plain = client.post(f"/v1/ops/outbox/{dead[0]}/cancel", headers=token)
    assert plain.status_code == 200 and plain.json() == {"id": dead[0], "status": "cancelled"}
    with_reason = client.post(f"/v1/ops/outbox/{dead[1]}/cancel", headers=token, json={"reason": "重复推送"})
    assert with_reason.status_code == 200
    with site.harness.gateway.database.unit_of_work() as uow:
        entries = [e for e in uow.audit.entries() if e.action == "outbox.cancel"]
    assert [e.detail for e in entries] == [{}, {"reason": "重复推送"}]
    too_long = client.post(f"/v1/ops/outbox/{dead[1]}/cancel", headers=token, json={"reason": "x" * 2001})
    assert too_long.status_code == 400 and too_long.json()["error"] == "bad_request"
    not_text = client.post(f"/v1/ops/outbox/{dead[1]}/cancel", headers=token, json={"reason": 5})
    assert not_text.status_code == 400 and not_text.json()["error"] == "bad_request"
    broken = client.post(
        f"/v1/ops/outbox/{dead[1]}/cancel",
        headers={**token, "Content-Type": "application/json"},
        content=b'{"reason": ',
    )
    assert broken.status_code == 400 and broken.json()["error"] == "bad_request"


# ---- item 10: the replay confirmation, the queue's 下次尝试 ------------------------------------------


def test_the_replay_confirmation_says_how_many_deliveries_it_re_queues(site: Site) -> None:
    gw = site.harness.gateway
    ops = site.signed_in("ops")
    since = (site.harness.clock.now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    sent_to_pbc = [d for d in browse.queue_view(gw, "sent", PBC).page.items if d.channel == "push"]
    assert sent_to_pbc
    confirm = ops.get("/ui/queue/replay", params={"since": since, "receiver": PBC})
    assert confirm.status_code == 200
    assert f"将重新排队 {len(sent_to_pbc)} 条投递" in visible_text(confirm.text)
    later = ops.get("/ui/queue/replay", params={"since": "2100-01-01 00:00:00"})
    assert "将重新排队 0 条投递" in visible_text(later.text)


def test_the_queue_shows_no_next_attempt_for_delivered_or_cancelled_rows(site: Site) -> None:
    ops = site.signed_in("ops")
    sent = ops.get("/ui/queue", params={"state": "sent"}).text
    table = sent.split('id="deliveries"', 1)[1].split("</table>", 1)[0]
    assert "下次尝试" not in table and "投递时间" in table
    cells = re.findall(r'<td class="nowrap when">(.*?)</td>', table)
    assert cells and all(c.strip() for c in cells)
    row = site.seeded.dead_outbox_id
    ops.post(
        f"/ui/queue/{row}/cancel",
        data={"csrf": csrf_of(ops.get(f"/ui/queue/{row}/cancel").text), "reason": "停用"},
    )
    cancelled = ops.get("/ui/queue", params={"state": "cancelled"}).text
    table = cancelled.split('id="deliveries"', 1)[1].split("</table>", 1)[0]
    assert "下次尝试" not in table
    assert re.findall(r'<td class="nowrap when">(.*?)</td>', table) == ["—"]


# ---- item 10: sort labels, the payments empty state ---------------------------------------------------


def test_the_sort_labels_are_distinct_and_name_what_they_sort_by() -> None:
    values = list(recon_common.SORTS.values())
    assert len(set(values)) == len(values)
    assert recon_common.SORTS["-last_seen"].startswith("最近发现时间")
    assert recon_common.SORTS["-age"].startswith("账龄") and recon_common.SORTS["age"].startswith("账龄")
    words = [v.split("（")[0] for v in values]
    assert "最新发现在前" not in values and "最近发现在前" not in values
    assert len(words) == len(values)


def test_the_payments_empty_state_points_at_the_run_form(site: Site) -> None:
    ops = site.signed_in("ops").get("/ui/dashboard").text
    section = ops.split('id="payments"', 1)[1]
    assert "/v1/reconciliations" not in section
    assert 'href="/ui/runs#run-payments-form"' in section and "立即支付对账" in section


# ---- item 10: no internal English on the pages --------------------------------------------------------


def internal_tokens(site: Site) -> set[str]:
    """Every code that must reach a page only through a label: message statuses, delivery states, message
    types, audit actions (from the labels and from the audit log itself), break statuses and events."""
    with site.harness.gateway.database.unit_of_work() as uow:
        logged = {e.action for e in uow.audit.entries()}
    return (
        {s.value for s in MessageStatus}
        | {s.value for s in OutboxStatus}
        | set(labels.MESSAGE_TYPES)
        | set(labels.AUDIT_ACTIONS)
        | set(recon_common.AUDIT_ACTIONS)
        | logged
        | set(recon_common.BREAK_STATUSES)
        | set(recon_common.EVENTS)
        | {"accepted", "replayed", "push", "pull"}
        | set(labels.FORMATS)
    )


LEAKS = (
    re.compile(r"\b(outbox|receiver|break|reconciliation)/[\w*]"),
    # key=value, but not the tail of a base64 text (a signature "…+w==" or "…/ab=" is no leak)
    re.compile(r"(?<![\w+/])[a-z_]+=[^\s=]"),
)


def test_every_audit_action_and_code_has_a_chinese_label(site: Site) -> None:
    seed_recon(site.harness.gateway, site.harness.client, site.harness.config_dir, site.harness.clock)
    with site.harness.gateway.database.unit_of_work() as uow:
        logged = {e.action for e in uow.audit.entries()}
    known = set(labels.AUDIT_ACTIONS) | set(recon_common.AUDIT_ACTIONS)
    assert logged <= known, f"audit actions without a label: {sorted(logged - known)}"
    assert {s.value for s in MessageStatus} <= set(labels.LIFECYCLE)
    assert {s.value for s in OutboxStatus} <= set(labels.QUEUE_STATES)


def test_an_unknown_code_is_shown_raw_in_a_code_element_with_a_title() -> None:
    shown = str(labels.label(labels.MESSAGE_TYPES, "mystery_code"))
    assert shown == '<code class="raw-code" title="未登记的代码：mystery_code">mystery_code</code>'
    assert str(labels.label(labels.MESSAGE_TYPES, "payment_voucher")) == "支付凭证"
    assert "&lt;b&gt;" in str(labels.label({}, "<b>"))


def test_no_internal_english_reaches_the_page_text(site: Site) -> None:
    h = site.harness
    gw = h.gateway
    seed_recon(gw, h.client, h.config_dir, h.clock)
    reconciliations.run_now(gw, kind="payments", adm_div_code=ADM, day="2026-03-16", actor="ops:t")
    ops = site.signed_in("ops")
    dead = [d.id for d in browse.queue_view(gw, "dead").page.items]
    ops.post(
        f"/ui/queue/{dead[0]}/cancel",
        data={"csrf": csrf_of(ops.get(f"/ui/queue/{dead[0]}/cancel").text), "reason": "停用"},
    )
    ops.post(f"/ui/queue/{dead[1]}/retry", data={"csrf": csrf_of(ops.get(f"/ui/queue/{dead[1]}/retry").text)})
    since = (h.clock.now - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    confirm = ops.get("/ui/queue/replay", params={"since": since})
    hidden = confirm.text.split('name="since" value="')[1].split('"')[0]
    ops.post("/ui/queue/replay", data={"csrf": csrf_of(confirm.text), "since": hidden, "receiver": ""})
    Relay(gw, MockTransport(lambda _push: None)).run_once()
    [some_break, *_] = breaks.list_breaks(gw, BreakFilters()).items
    breaks.explain_break(gw, some_break.key, comment="核对中", actor="ops:t")

    paths = ["/ui/dashboard", "/ui/breaks", "/ui/runs", "/ui/messages"]
    paths += [f"/ui/queue?state={s}" for s in labels.QUEUE_STATES]
    paths += [f"/ui/breaks/{b.key}" for b in breaks.list_breaks(gw, BreakFilters(limit=200)).items]
    paths += [f"/ui/runs/{r.id}" for r in reconciliations.list_runs(gw).items]
    paths += [f"/ui/messages/{m.pk}" for m in browse.search_messages(gw, browse.MessageCriteria(), 1).items]
    paths += [
        f"/ui/queue/{browse.queue_view(gw, 'dead').page.items[0].id}/cancel",
        f"/ui/queue/{dead[0]}/retry",
        "/ui/queue/replay?since=2026-01-01",
    ]
    tokens = internal_tokens(site)
    words = re.compile(
        r"(?<![\w./-])(" + "|".join(sorted(map(re.escape, tokens), key=len, reverse=True)) + r")(?![\w/-])"
    )
    found: dict[str, set[str]] = {}
    for path in paths:
        answer = ops.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        text = visible_text(answer.text)
        hits = set(words.findall(text)) | {m.group(0) for leak in LEAKS for m in leak.finditer(text)}
        if hits:
            found[path] = hits
    assert found == {}


def test_the_difference_is_shown_alike_for_every_break_type(site: Site) -> None:
    """差额 = upper − lower with an absent side as 0 — as the payment engine shows 未支付 (the voucher amount)
    — so 下级未接收 and 上级未下达 show their amount, not —, on the list, the break and the run page."""
    h = site.harness
    recon = seed_recon(h.gateway, h.client, h.config_dir, h.clock)
    viewer = site.signed_in("viewer")
    listing = viewer.get("/ui/breaks").text
    shown = {}
    for row in re.findall(r"<tr data-break=.*?</tr>", listing, flags=re.S):
        kind = re.search(r'data-type="(\w+)"', row)
        cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', row)
        assert kind is not None
        shown[kind.group(1)] = cells[2]
    assert shown == {
        "AMOUNT_MISMATCH": "1,000.00",
        "MISSING_IN_LOWER": "1,250,002.00",
        "MISSING_IN_UPPER": "-1.00",
    }
    [missing] = breaks.list_breaks(h.gateway, BreakFilters(types=("MISSING_IN_LOWER",))).items
    detail = visible_text(viewer.get(f"/ui/breaks/{missing.key}").text)
    assert re.search(r"差额 \(元\)\s+1,250,002\.00", detail)
    run = viewer.get(f"/ui/runs/{recon.last_run_id}").text
    row = [r for r in re.findall(r"<tr data-type=.*?</tr>", run, flags=re.S) if "MISSING_IN_LOWER" in r]
    assert re.findall(r'<td class="num[^"]*">(.*?)</td>', row[0])[2] == "1,250,002.00"


def test_a_too_long_break_comment_comes_back_on_the_break_page_with_the_text_kept(site: Site) -> None:
    h = site.harness
    seed_recon(h.gateway, h.client, h.config_dir, h.clock)
    [item] = breaks.list_breaks(h.gateway, BreakFilters(types=("MISSING_IN_LOWER",))).items
    ops = site.signed_in("ops")
    page = ops.get(f"/ui/breaks/{item.key}").text
    long_text = "核" * (breaks.MAX_COMMENT + 1)
    answer = ops.post(f"/ui/breaks/{item.key}/explain", data={"csrf": csrf_of(page), "comment": long_text})
    assert answer.status_code == 400 and 'id="sides"' in answer.text  # the break page, not an error page
    assert "原因过长（最多 2000 个字符）" in visible_text(form_of(answer.text, "explain-form"))
    kept = re.search(r'<textarea[^>]*id="explain-comment"[^>]*>(.*?)</textarea>', answer.text, flags=re.S)
    assert kept is not None and kept.group(1) == "核" * breaks.MAX_COMMENT
    blank = ops.post(f"/ui/breaks/{item.key}/resolve", data={"csrf": csrf_of(page), "comment": " "})
    assert blank.status_code == 400
    assert "解决差异必须填写说明；未做任何更改。" in visible_text(form_of(blank.text, "resolve-form"))
    assert breaks.get_break(h.gateway, item.key).status == "open"


def test_a_bad_message_search_comes_back_with_the_fields_kept_and_named_in_chinese(site: Site) -> None:
    viewer = site.signed_in("viewer")
    page = viewer.get("/ui/messages").text
    assert 'type="date"' in input_tag(page, "f-from") and 'min="2000-01-01"' in input_tag(page, "f-from")
    answer = viewer.get(
        "/ui/messages", params={"voucher_no": "V-1", "from": "2026-13-01", "message_id": "x" * 200}
    )
    assert answer.status_code == 400 and 'id="search-form"' in answer.text
    text = visible_text(form_of(answer.text, "search-form"))
    assert "起始日期：日期格式应为 YYYY-MM-DD" in text and "报文编号过长（最多 128 个字符）" in text
    assert "message_id" not in text
    assert 'value="V-1"' in input_tag(answer.text, "f-voucher-no")
    assert 'value="2026-13-01"' in input_tag(answer.text, "f-from")
    assert 'aria-invalid="true"' in input_tag(answer.text, "f-from")


def test_a_bad_replay_moment_comes_back_on_the_queue_page_with_the_input_kept(site: Site) -> None:
    ops = site.signed_in("ops")
    answer = ops.get("/ui/queue/replay", params={"since": "昨天下午", "receiver": PBC})
    assert answer.status_code == 400 and 'id="replay"' in answer.text and 'id="deliveries"' in answer.text
    text = visible_text(answer.text.split('id="replay"', 1)[1].split("</form>", 1)[0])
    assert "重放起始时间：时间格式应为 YYYY-MM-DD HH:MM[:SS]" in text
    assert 'value="昨天下午"' in input_tag(answer.text, "replay-since")
    assert f'<option value="{PBC}" selected>' in answer.text
    empty = ops.get("/ui/queue/replay", params={"since": ""})
    assert empty.status_code == 400 and "请填写重放起始时间" in visible_text(empty.text)
