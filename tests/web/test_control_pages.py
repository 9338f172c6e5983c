"""投递队列 › 待审核凭证: held vouchers listed in Chinese, 放行 / 退回 through a confirmation and CSRF."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.store.tables import audit_log, indicator_spends
from tests.gateway import payment_flows
from tests.gateway.control_flows import COUNTY, DOC, book, load, voucher
from tests.gateway.indicator_flows import change, document
from tests.gateway.indicator_flows import send as send_indicator
from tests.web.conftest import Site, csrf_of


def _states(site: Site) -> dict[str, str]:
    s = indicator_spends.c
    with site.harness.gateway.database.engine.connect() as c:
        return {str(n): str(st) for n, st in c.execute(sa.select(s.voucher_no, s.state))}


def _held_id(site: Site, voucher_no: str) -> int:
    s = indicator_spends.c
    with site.harness.gateway.database.engine.connect() as c:
        return int(c.execute(sa.select(s.id).where(s.voucher_no == voucher_no)).scalar_one())


def test_held_vouchers_are_listed_and_released_or_refused_by_ops(site: Site) -> None:
    h = site.harness
    book(h, "L-9", "100.00", "ctl-b1")
    load(h, "hold")
    payment_flows.send(h, COUNTY, voucher("HV-1", 50000))  # 500.00 against 100.00: held
    payment_flows.send(h, COUNTY, voucher("HV-2", 30000))
    viewer, ops = site.signed_in("viewer"), site.signed_in("ops")
    page = viewer.get("/ui/queue").text
    assert "待审核凭证" in page and "HV-1" in page and "指标余额不足" in page and "500.00" in page
    assert 'data-action="release"' not in page  # viewers see no actions
    first, second = _held_id(site, "HV-1"), _held_id(site, "HV-2")
    confirm = ops.get(f"/ui/queue/held/{first}/release")
    assert confirm.status_code == 200 and "确认放行" in confirm.text
    assert viewer.get(f"/ui/queue/held/{first}/release").status_code == 403
    refused = ops.post(f"/ui/queue/held/{first}/release", data={"csrf": csrf_of(confirm.text)})
    assert refused.status_code == 409 and "指标余额不足" in refused.text  # not released: no balance yet
    top_up = change("LA-9", "L-9", "500.00")
    top_up.update({"MOF_DIV_CODE": COUNTY, "COR_BGT_DOC_NO": DOC})
    top_up.pop("REC_DIV_CODE")
    send_indicator(h, COUNTY, document("BA_BGT_ADJSUB", top_up), "ctl-a1")
    done = ops.post(
        f"/ui/queue/held/{first}/release",
        data={"csrf": csrf_of(confirm.text), "comment": "指标已追加"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "已放行凭证 HV-1" in ops.get(done.headers["location"]).text
    form = ops.get(f"/ui/queue/held/{second}/refuse")
    empty = ops.post(f"/ui/queue/held/{second}/refuse", data={"csrf": csrf_of(form.text), "comment": " "})
    assert empty.status_code == 400 and "退回必须填写原因" in empty.text
    ops.post(
        f"/ui/queue/held/{second}/refuse",
        data={"csrf": csrf_of(form.text), "comment": "重复申请"},
        follow_redirects=False,
    )
    ours = {k: v for k, v in _states(site).items() if k.startswith("HV-")}  # the seed sent vouchers too
    assert ours == {"HV-1": "in_flight", "HV-2": "refused"}
    assert "没有待审核的凭证" in ops.get("/ui/queue").text
    with h.gateway.database.engine.connect() as c:
        actions = c.execute(
            sa.select(audit_log.c.action, audit_log.c.actor).where(audit_log.c.action.like("control.%"))
        ).all()
    assert [a for a, _ in actions] == [
        "control.rules_loaded",
        "control.held",
        "control.held",
        "control.released",
        "control.refused",
    ]
