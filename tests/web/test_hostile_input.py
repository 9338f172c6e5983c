"""The ops pages under the API's text rule (issue #13): a NUL (PostgreSQL ``text`` cannot hold U+0000) in a
search filter, a path segment or a form field — a break comment — is a 400 page in 简体中文 before any
database work, and changes nothing; on SQLite, and on PostgreSQL when ``FISCALGW_TEST_DATABASE_URL`` is
set (where it once was a 500)."""

from __future__ import annotations

import pytest

from gateway import audit
from gateway.services import breaks
from gateway.services.breaks import BreakFilters
from tests.web.conftest import Site, csrf_of
from tests.web.recon_seed import seed_recon

REFUSED = "无法保存的字符"
NUL = "a\x00b"

QUERIES = {
    "search_message_id": ("/ui/messages", {"message_id": NUL}),
    "search_bgt_id": ("/ui/messages", {"bgt_id": NUL}),
    "search_voucher_no": ("/ui/messages", {"voucher_no": NUL}),
    "search_party": ("/ui/messages", {"party": NUL}),
    "break_list_pair": ("/ui/breaks", {"pair": NUL}),
    "break_list_scope": ("/ui/breaks", {"scope": NUL}),
    "queue_receiver": ("/ui/queue", {"receiver": NUL}),
    "runs_pair": ("/ui/runs", {"pair": NUL}),
    "a_parameter_name": ("/ui/messages", {NUL: "x"}),
    "a_break_key": ("/ui/breaks/ab%00cd", {}),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_nul_in_a_page_filter_or_path_is_a_400_page(site: Site, name: str) -> None:
    path, params = QUERIES[name]
    viewer = site.signed_in("viewer")
    answer = viewer.get(path, params=params) if params else viewer.get(path)
    assert answer.status_code == 400, answer.text[:500]
    assert REFUSED in answer.text


@pytest.mark.parametrize("action", ["explain", "resolve"])
def test_a_break_comment_with_a_nul_changes_nothing(site: Site, action: str) -> None:
    h = site.harness
    seed_recon(h.gateway, h.client, h.config_dir, h.clock)
    [item] = breaks.list_breaks(h.gateway, BreakFilters(types=("MISSING_IN_UPPER",))).items
    url = f"/ui/breaks/{item.key}"
    ops = site.signed_in("ops")
    answer = ops.post(
        f"{url}/{action}",
        data={"csrf": csrf_of(ops.get(url).text), "comment": "说明" + NUL},
        follow_redirects=False,
    )
    assert answer.status_code == 400, answer.text[:500]
    assert REFUSED in answer.text
    assert breaks.get_break(h.gateway, item.key).status == "open"
    with h.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        assert [e.action for e in uow.audit.entries() if e.action.startswith("break.")] == []
