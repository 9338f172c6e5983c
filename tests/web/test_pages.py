"""The ops web pages over HTTP (in-process): sign-in and sessions, CSRF on every form, roles, 报文追踪 and
投递队列 — on SQLite, and on PostgreSQL when ``FISCALGW_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

from adapters.registry import default_registry
from gateway import audit
from gateway.model import AuditEntry
from gateway.rows import MessageCriteria
from gateway.services import browse
from gateway.store.browse import Browse
from tests.adapters.payments_samples import evoucher_document
from tests.web.conftest import Site, csrf_of
from tests.web.seed import BANK, CITY, COUNTY, PBC, PROVINCE, VOUCHER_NO, send


def audit_entries(site: Site) -> list[AuditEntry]:
    with site.harness.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        return list(uow.audit.entries())


def state_of(site: Site, outbox_id: int) -> str:
    return browse.delivery(site.harness.gateway, outbox_id).state


# ---- sign-in and sessions -----------------------------------------------------------------------------


def test_pages_send_a_stranger_to_sign_in_and_back(site: Site) -> None:
    client = site.client()
    answer = client.get("/ui/queue?state=dead", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=%2Fui%2Fqueue%3Fstate%3Ddead"
    form = client.get(answer.headers["location"])
    signed = client.post(
        "/ui/login",
        data={"csrf": csrf_of(form.text), "token": site.tokens["ops"], "next": "/ui/queue?state=dead"},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/ui/queue?state=dead"
    cookie = signed.headers["set-cookie"].lower()
    assert "fiscalgw_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert site.tokens["ops"] not in signed.headers["set-cookie"]
    page = client.get("/ui/queue?state=dead")
    assert page.status_code == 200 and "demo-ops · 运维" in page.text
    last = audit_entries(site)[-1]
    assert (last.actor, last.action) == ("ops:demo-ops", "web.sign_in")


def test_a_wrong_token_is_refused(site: Site) -> None:
    client = site.client()
    form = client.get("/ui/login")
    answer = client.post(
        "/ui/login",
        data={"csrf": csrf_of(form.text), "token": "not-a-token", "next": ""},
        follow_redirects=False,
    )
    assert answer.status_code == 401 and "令牌无效" in answer.text
    assert "fiscalgw_session" not in answer.headers.get("set-cookie", "")
    assert client.get("/ui/messages", follow_redirects=False).status_code == 303


def test_sign_in_needs_the_sign_in_pages_csrf_token(site: Site) -> None:
    client = site.client()
    client.get("/ui/login")
    for form in ({"token": site.tokens["ops"]}, {"token": site.tokens["ops"], "csrf": "guessed"}):
        answer = client.post("/ui/login", data=form, follow_redirects=False)
        assert answer.status_code == 403 and "表单校验失败 (CSRF)" in answer.text
    assert client.get("/ui/messages", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_site(site: Site) -> None:
    client = site.client()
    for target in ("https://evil.example/", "//evil.example/ui/", "/v1/ops/trace", "/ui\\@evil"):
        client.cookies.clear()
        form = client.get("/ui/login")
        answer = client.post(
            "/ui/login",
            data={"csrf": csrf_of(form.text), "token": site.tokens["viewer"], "next": target},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/ui/", target


def test_a_tampered_session_cookie_is_no_session(site: Site) -> None:
    viewer = site.signed_in("viewer")
    value = viewer.cookies["fiscalgw_session"]
    payload, mac = value.split(".")
    # a viewer's payload edited to claim the ops role, with the old MAC
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(n="demo-ops", r="ops")
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    stranger = site.client()
    stranger.cookies.set("fiscalgw_session", f"{forged}.{mac}")
    assert stranger.get("/ui/queue", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_and_needs_csrf(site: Site) -> None:
    ops = site.signed_in("ops")
    page = ops.get("/ui/messages")
    assert ops.post("/ui/logout", data={}, follow_redirects=False).status_code == 403
    assert ops.get("/ui/messages").status_code == 200
    answer = ops.post("/ui/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/login"
    assert ops.get("/ui/messages", follow_redirects=False).status_code == 303


def test_pages_carry_security_headers_and_local_assets_only(site: Site) -> None:
    page = site.signed_in("viewer").get("/ui/messages")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert "http://" not in page.text and "https://" not in page.text
    css = site.client().get("/ui/static/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert site.client().get("/ui/static/..%2Fsite.py").status_code == 404


def test_the_nav_lists_exactly_the_registered_sections(site: Site) -> None:
    page = site.signed_in("ops").get("/ui/messages").text
    assert 'data-section="trace"' in page and 'data-section="queue"' in page
    assert page.index('data-section="trace"') < page.index('data-section="queue"')
    # 总览, 差异, 对账报告 (tests/web/test_recon_pages.py), 资金追踪 (test_tracking_pages.py), 报文追踪,
    # 投递队列
    assert page.count("data-section=") == 6


# ---- roles and CSRF on actions ------------------------------------------------------------------------


def test_viewers_see_the_queue_but_cannot_act(site: Site) -> None:
    viewer = site.signed_in("viewer")
    row = site.seeded.dead_outbox_id
    page = viewer.get("/ui/queue?state=dead")
    assert page.status_code == 200 and f'data-outbox="{row}"' in page.text
    assert "data-action=" not in page.text and 'id="replay"' not in page.text
    assert viewer.get(f"/ui/queue/{row}/retry").status_code == 403
    refused = viewer.post(f"/ui/queue/{row}/retry", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert refused.status_code == 403 and "只读 (viewer)" in refused.text
    since = {"csrf": csrf_of(page.text), "since": "2026-01-01 00:00:00", "receiver": ""}
    assert viewer.post("/ui/queue/replay", data=since, follow_redirects=False).status_code == 403
    assert state_of(site, row) == "dead"
    assert [e.action for e in audit_entries(site) if e.action.startswith("outbox.")] == []


def test_an_action_without_the_sessions_csrf_token_changes_nothing(site: Site) -> None:
    ops = site.signed_in("ops")
    other = site.signed_in("ops")  # another session of the same person: another token
    row = site.seeded.dead_outbox_id
    foreign = csrf_of(other.get("/ui/messages").text)
    for form in ({}, {"csrf": ""}, {"csrf": "x" * 32}, {"csrf": foreign}):
        answer = ops.post(f"/ui/queue/{row}/retry", data=form, follow_redirects=False)
        assert answer.status_code == 403 and "表单校验失败 (CSRF)" in answer.text, form
    as_json = ops.post(f"/ui/queue/{row}/retry", json={"csrf": csrf_of(ops.get("/ui/queue").text)})
    assert as_json.status_code == 403
    assert state_of(site, row) == "dead"
    assert [e.action for e in audit_entries(site) if e.action.startswith("outbox.")] == []


def test_ops_retry_a_dead_letter_after_confirming_and_it_is_audited(site: Site) -> None:
    ops = site.signed_in("ops")
    row = site.seeded.dead_outbox_id
    queue = ops.get("/ui/queue?state=dead").text
    assert f'href="/ui/queue/{row}/retry"' in queue
    confirm = ops.get(f"/ui/queue/{row}/retry")
    assert confirm.status_code == 200 and "确认重试投递" in confirm.text
    assert state_of(site, row) == "dead"  # the confirmation page changes nothing
    done = ops.post(
        f"/ui/queue/{row}/retry",
        data={"csrf": csrf_of(confirm.text), "back_state": "dead"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/ui/queue?state=dead&notice=retry&id={row}"
    assert state_of(site, row) == "pending"
    last = audit_entries(site)[-1]
    assert (last.actor, last.action, last.subject) == ("ops:demo-ops", "outbox.retry", f"outbox/{row}")
    page = ops.get(done.headers["location"]).text
    assert f"已将投递 #{row} 重新排队" in page and 'data-action="outbox.retry"' in page
    again = ops.post(f"/ui/queue/{row}/retry", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert again.status_code == 404 and "未做任何更改" in again.text


def test_ops_cancel_and_replay_since(site: Site) -> None:
    ops = site.signed_in("ops")
    row = site.seeded.dead_outbox_id
    csrf = csrf_of(ops.get(f"/ui/queue/{row}/cancel").text)
    cancelled = ops.post(
        f"/ui/queue/{row}/cancel", data={"csrf": csrf, "reason": "接收方停机"}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    assert state_of(site, row) == "cancelled"
    since = (site.harness.clock.now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    confirm = ops.get("/ui/queue/replay", params={"since": since, "receiver": PBC})
    assert confirm.status_code == 200 and "确认按时间重放" in confirm.text
    hidden = confirm.text.split('name="since" value="')[1].split('"')[0]
    done = ops.post(
        "/ui/queue/replay",
        data={"csrf": csrf_of(confirm.text), "since": hidden, "receiver": PBC},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("notice=replay&n=1")
    last = audit_entries(site)[-1]
    assert (last.action, last.subject, last.detail["rows"]) == ("outbox.replay", f"receiver/{PBC}", 1)


# ---- 报文追踪 -------------------------------------------------------------------------------------------


def result_ids(client: TestClient, query: dict[str, str]) -> list[str]:
    page = client.get("/ui/messages", params=query)
    assert page.status_code == 200, page.text
    return [part.split("</a>")[0] for part in page.text.split('class="message-link">')[1:]]


def test_search_by_each_filter(site: Site) -> None:
    viewer = site.signed_in("viewer")
    seeded = site.seeded
    assert len(result_ids(viewer, {})) == 7
    assert result_ids(viewer, {"message_id": seeded.voucher_message_id}) == [seeded.voucher_message_id]
    assert result_ids(viewer, {"bgt_id": "BGT-3300-2026-0002"}) == ["IND-2026-0002"]
    by_voucher = result_ids(viewer, {"voucher_no": VOUCHER_NO})
    assert len(by_voucher) == 4 and by_voucher[-1] == seeded.voucher_message_id  # newest first
    assert len(result_ids(viewer, {"party": PBC})) == 2  # the 2301 to it and its receipt
    assert result_ids(viewer, {"type": "transfer_indicator", "party": PROVINCE}) == [
        "IND-2026-0003",
        "IND-2026-0002",
        "IND-2026-0001",
    ]
    assert len(result_ids(viewer, {"from": "2026-03-02", "to": "2026-03-02"})) == 3
    assert result_ids(viewer, {"from": "2026-03-03"}) == result_ids(viewer, {"voucher_no": VOUCHER_NO})
    assert result_ids(viewer, {"to": "2026-03-01"}) == []


def test_search_pages_newest_first_without_counting_the_table(site: Site) -> None:
    store = Browse(site.harness.gateway.database.engine)
    first, more = store.search(MessageCriteria(), offset=0, limit=4)
    second, more_after = store.search(MessageCriteria(), offset=4, limit=4)
    assert more and not more_after and len(first) == 4 and len(second) == 3
    pks = [m.pk for m in first + second]
    assert pks == sorted(pks, reverse=True)


def test_bad_search_input_gets_a_clear_page(site: Site) -> None:
    viewer = site.signed_in("viewer")
    for query, text in (
        ({"page": "abc"}, "页码必须是正整数"),
        ({"page": "0"}, "页码应在 1 到"),
        ({"from": "2026-13-01"}, "起始日期：日期格式应为 YYYY-MM-DD"),
        ({"type": "nonsense"}, "未知的报文类型"),
        ({"message_id": "x" * 200}, "过长"),
    ):
        answer = viewer.get("/ui/messages", params=query)
        assert answer.status_code == 400 and text in answer.text, query
    missing = viewer.get("/ui/messages/999999")
    assert missing.status_code == 404 and "未找到报文 #999999" in missing.text
    beyond_bigint = 2**63
    for path in (f"/ui/messages/{beyond_bigint}", f"/ui/messages/{beyond_bigint}/original"):
        assert viewer.get(path).status_code == 404, path


def test_an_out_of_range_delivery_id_is_no_row(site: Site) -> None:
    ops = site.signed_in("ops")
    csrf = csrf_of(ops.get("/ui/queue").text)
    assert ops.get(f"/ui/queue/{2**63}/retry").status_code == 404
    answer = ops.post(f"/ui/queue/{2**63}/cancel", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 404


def message_pk(site: Site, message_id: str) -> int:
    rows, _ = Browse(site.harness.gateway.database.engine).search(
        MessageCriteria(message_id=message_id), offset=0, limit=1
    )
    return rows[0].pk


def test_a_vouchers_page_shows_its_lifecycle_and_business_chain(site: Site) -> None:
    viewer = site.signed_in("viewer")
    page = viewer.get(f"/ui/messages/{message_pk(site, site.seeded.voucher_message_id)}").text
    timeline = page.split('id="timeline"')[1].split("</ol>")[0]
    for status in ("received", "validated", "stored", "routed", "delivered"):
        assert f'<li class="done" data-status="{status}">' in timeline, status
    assert "2026-03-0" in timeline  # each reached step carries its time (北京时间)
    chain = page.split('id="chains"')[1]
    assert f"<code>{VOUCHER_NO}</code>" in chain
    assert [label for label in ("支付凭证", "回单", "清算申请", "清算回单") if f"<td>{label}" in chain] == [
        "支付凭证",
        "回单",
        "清算申请",
        "清算回单",
    ]
    link = chain.split('href="')[1].split('"')[0].replace("&amp;", "&")
    found = viewer.get(link, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"].startswith("/ui/messages/")


def test_a_dead_indicators_page_shows_the_dead_delivery(site: Site) -> None:
    viewer = site.signed_in("viewer")
    page = viewer.get(f"/ui/messages/{message_pk(site, site.seeded.dead_message_id)}").text
    deliveries = page.split('id="deliveries"')[1].split("</table>")[0]
    assert "死信" in deliveries and "connection refused" in deliveries
    assert "BGT-3300-2026-0001" in page.split('id="chains"')[1]


def test_the_signed_original_downloads_byte_for_byte(site: Site) -> None:
    viewer = site.signed_in("viewer")
    gw = site.harness.gateway
    for message_id, content_type, extension in (
        (site.seeded.voucher_message_id, "application/xml", "xml"),
        ("IND-2026-0001", "application/json", "json"),
    ):
        pk = message_pk(site, message_id)
        answer = viewer.get(f"/ui/messages/{pk}/original")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == content_type
        assert answer.headers["content-disposition"].startswith("attachment; filename=")
        assert answer.headers["content-disposition"].endswith(f'.{extension}"')
        with gw.database.unit_of_work() as uow:
            assert answer.content == uow.messages.body(pk)
    assert site.client().get(f"/ui/messages/{pk}/original", follow_redirects=False).status_code == 303


def test_party_search_pages_agree_with_a_full_listing(site: Site) -> None:
    store = Browse(site.harness.gateway.database.engine)
    everything, more = store.search(MessageCriteria(), offset=0, limit=100)
    assert not more
    for party in (PBC, BANK, COUNTY, CITY, "nobody"):
        expected = [m.pk for m in everything if m.sender == party or party in m.receivers]
        found: list[int] = []
        for page in range(10):
            rows, more = store.search(MessageCriteria(party=party), offset=page * 2, limit=2)
            found += [m.pk for m in rows]
            if not more:
                break
        assert found == expected, party
        typed = store.search(MessageCriteria(party=party, msg_type="payment_voucher"), offset=0, limit=50)[0]
        assert [m.pk for m in typed] == [
            m.pk for m in everything if m.pk in expected and m.msg_type == "payment_voucher"
        ]


# ---- how the pages show amounts, times and names (issue 15) ---------------------------------------------


def chain_rows(html: str, section_id: str) -> list[str]:
    body = html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<tr data-stage=.*?</tr>", body, flags=re.S)


def test_the_chain_shows_each_steps_amount_grouped_and_right_aligned(site: Site) -> None:
    viewer = site.signed_in("viewer")
    page = viewer.get(f"/ui/messages/{message_pk(site, site.seeded.voucher_message_id)}").text
    chain = page.split('id="chains"')[1]
    assert '<th class="num">金额 (元)</th>' in chain
    rows = chain_rows(page, "chains")
    first = rows[:4]  # the first chain: this voucher's
    amounts = [re.search(r'<td class="num amount" title="([^"]+)">([^<]+)</td>', r) for r in first]
    assert [(m.group(1).split("：")[0], m.group(2)) for m in amounts if m] == [
        ("凭证金额", "12,345.67"),
        ("实付金额 (XPayAmt)", "12,345.67"),
        ("申请清算金额", "12,345.67"),  # this voucher's line of the 13,205.67 batch
        ("清算金额", "12,345.67"),
    ]
    assert "合计 13,205.67" in first[2]
    assert 'data-clearing="已清算"' in first[0]
    assert "12345.67" not in chain


def test_a_voucher_never_cleared_is_marked_on_its_chain(site: Site) -> None:
    h = site.harness
    body = default_registry().get("evoucher").render(evoucher_document("8202"))
    send(h.client, h.config_dir, h.clock, COUNTY, body, "PAY-8202-UNCLEARED")
    viewer = site.signed_in("viewer")
    page = viewer.get("/ui/messages", params={"voucher_no": "3303248202260000045"})
    assert page.status_code == 200
    [voucher] = [r for r in chain_rows(page.text, "traced-chain") if 'data-stage="voucher"' in r]
    assert 'data-clearing="未清算"' in voucher and ">未清算</span>" in voucher
    assert re.search(
        r'<td class="num amount" title="凭证金额">[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}</td>', voucher
    )
    cleared = viewer.get("/ui/messages", params={"voucher_no": VOUCHER_NO}).text
    assert 'data-clearing="已清算"' in cleared.split('id="traced-chain"')[1]
    assert 'id="traced-chain"' not in viewer.get("/ui/messages").text  # only a search by one business key


def test_the_signature_timestamp_and_every_time_are_beijing_time(site: Site) -> None:
    viewer = site.signed_in("viewer")
    page = viewer.get(f"/ui/messages/{message_pk(site, site.seeded.voucher_message_id)}").text
    stamp = page.split("<dt>签名时间戳</dt>")[1].split("</dd>")[0]
    raw = re.search(r"原文 <code>([^<]+)</code>", stamp)
    assert raw is not None
    signed = datetime.fromisoformat(raw.group(1))
    beijing = signed.astimezone(timezone(timedelta(hours=8)))
    shown = beijing.strftime("%Y-%m-%d %H:%M:%S")
    assert f'<time datetime="{beijing.isoformat()}" title="北京时间 (UTC+8)">{shown}</time>' in stamp
    assert beijing.isoformat().endswith("+08:00")
    received = page.split("<dt>接收时间</dt>")[1].split("</dd>")[0]
    assert re.fullmatch(
        r'<dd><time datetime="[0-9T:-]+\+08:00" title="北京时间 \(UTC\+8\)">[0-9 :-]+</time>', received
    )
    times = re.findall(r'<time datetime="([^"]+)"', page)
    assert len(times) > 10 and all(t.endswith("+08:00") for t in times)


def test_the_chain_names_the_parties_and_the_division(site: Site) -> None:
    viewer = site.signed_in("viewer")
    page = viewer.get("/ui/messages", params={"voucher_no": VOUCHER_NO}).text
    rows = chain_rows(page, "traced-chain")
    assert "永嘉县财政局" in rows[0] and "中国工商银行永嘉支行 (demo)" in rows[0]
