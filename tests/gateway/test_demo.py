"""``fiscalgw demo`` for real (gateway and simulators as processes on 127.0.0.1; SQLite and, when configured,
PostgreSQL): the breaks it leaves are exactly the injected incidents, the dashboard shows 不一致 where they
are, Ctrl-C stops every child, and a busy port or a foreign directory is a one-line error."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from gateway.cli import main
from gateway.demo import documents as docs
from gateway.demo.processes import ProcessGroup, child_env, start_gateway
from gateway.store.tables import indicator_spends, ledger_indicators
from tests.conftest import free_port

DEMO_TIMEOUT = 300


def demo_command(directory: Path, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "gateway", "demo", "--dir", str(directory), "--port", str(port), *extra]


def business_day(output: str) -> date:
    found = re.search(r"business day (\d{4}-\d{2}-\d{2})", output)
    assert found, output
    return date.fromisoformat(found.group(1))


def processes_naming(directory: Path) -> list[str]:
    """Command lines of live processes started with ``--config directory`` (the demo's children)."""
    wanted = f"--config {directory.resolve()}"
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if wanted in argv:
            out.append(argv)
    return out


@contextmanager
def signed_in(base: str, token: str) -> Iterator[httpx.Client]:
    """A browser-like client signed in to the ops pages with ``token``."""
    with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
        login = client.get("/ui/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', login)
        assert csrf, login
        answer = client.post("/ui/login", data={"csrf": csrf.group(1), "token": token, "next": ""})
        assert answer.status_code == 200, answer.text
        yield client


def page(client: httpx.Client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.mark.e2e
def assert_control_ledger(database_url: str) -> None:
    """The five vouchers spend the county's booked indicator (500,000.00 − 50,000.00): all answered, so
    nothing is in flight; paid = 12,345.67 + 774.00 (short) + 3,200.00 + 5,600.00 − 600.00 (refund) +
    1,980.00 = 23,299.67, which is what the indicator row counts as spent."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as c:
            s, t = indicator_spends.c, ledger_indicators.c
            spends = c.execute(sa.select(s.state, s.in_flight_fen, s.paid_fen, s.indicator_id)).all()
            (indicator_id,) = {row[3] for row in spends}
            row = c.execute(sa.select(t.amount_fen, t.spent_fen).where(t.id == indicator_id)).one()
    finally:
        engine.dispose()
    assert sorted(r[0] for r in spends) == ["paid"] * 5
    assert sum(r[1] for r in spends) == 0 and sum(r[2] for r in spends) == 2_329_967
    assert tuple(row) == (45_000_000, 2_329_967)


def test_the_demo_leaves_exactly_the_injected_breaks(tmp_path: Path, database_url: str) -> None:
    directory = tmp_path / "demo"
    done = subprocess.run(
        demo_command(directory, free_port(), "--exit-when-done", "--database", database_url),
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "MISSING_IN_LOWER" in done.stdout and "/ui/dashboard" in done.stdout
    assert "网关拒收 (indicator_exhausted，指标 " in done.stdout
    assert processes_naming(directory) == []  # --exit-when-done stopped every child
    day = business_day(done.stdout)
    lost = next(i.bgt_id for i in docs.indicators(day) if i.fate == "lost")
    vouchers = {v.fate: v.voucher_no for v in docs.vouchers(day)}
    adm, year = docs.COUNTY_ADM, day.year

    tokens = dict(line.split(" ", 1) for line in (directory / "tokens.txt").read_text().splitlines())
    group = ProcessGroup(tmp_path / "logs")
    try:  # the demo's store, served again: what a newcomer opens afterwards
        base = start_gateway(group, directory, free_port(), child_env(database_url))
        viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
        listed = httpx.get(f"{base}/v1/breaks", params={"limit": 500}, headers=viewer, timeout=30).json()
        pair, group_key = f"{docs.PROVINCE}|{docs.CITY}|{year}", f"{adm}|102|{day}"
        assert {(b["kind"], b["type"], b["ident"], b["status"]) for b in listed["items"]} == {
            ("indicators", "MISSING_IN_LOWER", f"MISSING_IN_LOWER|{pair}|id:{lost}", "open"),
            (
                "payments",
                "PAY_AMOUNT_MISMATCH",
                f"PAY_AMOUNT_MISMATCH|{group_key}|voucher:{vouchers['short']}",
                "open",
            ),
            (
                "payments",
                "NOT_CLEARED",
                f"NOT_CLEARED|{group_key}|voucher:{vouchers['never_cleared']}",
                "open",
            ),
        }
        runs = httpx.get(f"{base}/v1/reconciliations", headers=viewer, timeout=30).json()["items"]
        assert sorted(
            (r["kind"], r["status"], r["summary"]["status"], r["summary"]["breaks"]) for r in runs
        ) == [
            ("indicators", "succeeded", "一致", 0),  # 温州市 → 永嘉县: adjusted and recalled, both booked
            ("indicators", "succeeded", "不一致", 1),  # 浙江省 → 温州市: the lost one
            ("payments", "succeeded", "不一致", 2),  # the short receipt and the voucher never cleared
        ]
        (payments,) = [r for r in runs if r["kind"] == "payments"]
        report = httpx.get(f"{base}/v1/reconciliations/{payments['id']}", headers=viewer, timeout=30).json()
        (day_group,) = report["groups"]
        # the refund (600.00) went back to the treasury by a 2302: paid − refunded = cleared, no break
        refund = (day_group["refund_count"], day_group["refund_amount"], day_group["cleared_amount"])
        assert refund == (1, "600.00", "20099.67")
        # ... sent by the simulated bank itself (clear=true), and cleared by the simulated PBOC
        trace = httpx.get(
            f"{base}/v1/ops/trace", params={"voucher_no": vouchers["refunded"]}, headers=viewer, timeout=30
        )
        assert trace.status_code == 200, trace.text
        returned = [
            (c["stage"], c["sender"], c["record"].get("pay_amt"), c["record"].get("x_pay_amt"))
            for c in trace.json()["chain"]
            if c["record"].get("vt_code") == "2302"
        ]
        assert returned == [  # a 2302's amounts are negative by rule (ITFE VoucherVerify.java)
            ("clearing", docs.BANK, "-600.00", None),
            ("clearing_receipt", docs.PBOC, "-600.00", "-600.00"),
        ]
        # 控制 (issue 17): the over-spending voucher was refused whole, never stored nor sent to the bank
        over = docs.overspending_voucher(day).voucher_no
        over_trace = httpx.get(
            f"{base}/v1/ops/trace", params={"voucher_no": over}, headers=viewer, timeout=30
        )
        assert over_trace.json()["chain"] == []
        assert_control_ledger(database_url)

        # issue 17, 资金追踪: the city's indicator → the county's booking → the day's five vouchers
        spent = docs.spent_indicator(day).bgt_id
        tree = httpx.get(f"{base}/v1/tracking/indicators/{spent}", headers=viewer, timeout=30).json()
        assert [(n["bgt_id"], n["net"]) for n in tree["nodes"]] == [
            (spent, "450000.00"),
            (docs.county_id(spent), "450000.00"),
        ]
        county = tree["nodes"][1]
        assert (county["vouchers"], county["voucher_amount"], county["refunded"], county["paid"]) == (
            5,
            "23985.67",
            "600.00",
            "23299.67",
        )  # 已支付 = 回单 less refunds (控制's paid): one paid short (774.00 of 860.00)
        assert county["receipted"] == "23899.67" and county["in_flight"] == "0.00"
        assert tree["totals"]["progress"] == "5.18"

        with signed_in(base, tokens["viewer"]) as browser:
            tracking_page = page(browser, f"/ui/tracking/{spent}")
            assert docs.county_id(spent) in tracking_page and "23,299.67" in tracking_page
            html = page(browser, "/ui/dashboard")
            statuses = dict(re.findall(r'<tr data-pair="([^"]+)">.*?data-status="([^"]+)"', html, re.S))
            assert statuses[f"{docs.PROVINCE}|{docs.CITY}|{year}"] == "不一致"
            assert statuses[f"{docs.CITY}|{docs.COUNTY}|{year}"] == "一致"
            scopes = re.findall(r'<tr data-scope="([^"]*)">.*?data-status="([^"]+)"', html, re.S)
            assert [status for key, status in scopes if adm in key] == ["不一致"]  # the county's payments
            for run in runs:  # each run's report page, as the summary links it
                shown = page(browser, f"/ui/runs/{run['id']}")
                assert run["summary"]["status"] in shown
            assert vouchers["short"] in page(browser, f"/ui/runs/{payments['id']}")
            assert lost in page(browser, "/ui/breaks?status=open")

        # issue 15: 立即对账 / 立即支付对账 as of now (earlier than the demo's as-of) closes nothing, and the
        # pair whose missing indicator is back inside its window reads 一致（在途 …）, not a bare 一致
        ops = {"Authorization": f"Bearer {tokens['ops']}"}
        for body in (
            {"kind": "indicators", "upper": docs.PROVINCE, "lower": docs.CITY, "fiscal_year": year},
            {"kind": "payments", "adm_div_code": adm, "day": day.isoformat()},
        ):
            now_run = httpx.post(f"{base}/v1/reconciliations", json=body, headers=ops, timeout=60)
            assert now_run.status_code == 201, now_run.text
            assert now_run.json()["summary"]["closed"] == 0
        again_listed = httpx.get(f"{base}/v1/breaks", params={"limit": 500}, headers=viewer, timeout=30)
        assert {(b["type"], b["status"]) for b in again_listed.json()["items"]} == {
            ("MISSING_IN_LOWER", "open"),
            ("PAY_AMOUNT_MISMATCH", "open"),
            ("NOT_CLEARED", "open"),
        }
        with signed_in(base, tokens["viewer"]) as browser:
            html = page(browser, "/ui/dashboard")
            row = html[html.index(f'<tr data-pair="{docs.PROVINCE}|{docs.CITY}|{year}">') :]
            row = row[: row.index("</tr>")]
            assert re.search(r"一致（在途 1 笔 / 金额 [0-9]+\.[0-9]{2}）", row), row
    finally:
        group.stop_all()

    again = subprocess.run(  # the same database a second time: refused, not sent twice
        demo_command(tmp_path / "again", free_port(), "--exit-when-done", "--database", database_url),
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT,
    )
    assert again.returncode == 1
    assert "the database already holds today's demo" in again.stderr.splitlines()[-1]
    assert processes_naming(tmp_path / "again") == []


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_keep_running_stops_every_child_on_ctrl_c(tmp_path: Path, signum: signal.Signals) -> None:
    directory = tmp_path / "demo"
    with subprocess.Popen(
        demo_command(directory, free_port(), "--keep-running"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as demo:
        try:
            assert demo.stdout is not None
            seen = []
            for line in demo.stdout:  # bounded: on any failure the demo exits and the loop ends
                seen.append(line)
                if "Ctrl-C" in line:
                    break
            assert "Ctrl-C" in seen[-1], "".join(seen)
            assert len(processes_naming(directory)) == 4  # the gateway and three simulators
            demo.send_signal(signum)
            assert demo.wait(timeout=60) == 0
            assert processes_naming(directory) == []
        finally:
            if demo.poll() is None:
                demo.kill()
                demo.wait()


def test_a_busy_port_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["demo", "--dir", str(tmp_path / "demo"), "--port", str(port), "--exit-when-done"])
    assert code == 1
    assert (
        capsys.readouterr().err
        == f"fiscalgw: error: port {port} on 127.0.0.1 is busy (choose another with --port)\n"
    )
    assert processes_naming(tmp_path / "demo") == []


def test_a_directory_not_written_by_the_demo_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code = main(["demo", "--dir", str(tmp_path), "--port", str(free_port()), "--exit-when-done"])
    assert code == 1
    assert "not written by `fiscalgw demo`" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_child_that_does_not_start_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "demo"
    nowhere = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # nothing listens on port 1
    code = main(
        [
            "demo",
            "--dir",
            str(directory),
            "--port",
            str(free_port()),
            "--database",
            nowhere,
            "--exit-when-done",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    # the gateway's own one-line error (exit 2), quoted by the demo on one line
    assert err.startswith("fiscalgw: error: gateway exited with code 2: ") and err.count("\n") == 1
    assert "database unreachable" in err and "Connection refused" in err
    assert processes_naming(directory) == []


# ---- issue 15: one demo per folder; a failed start leaves nothing behind -----------------------------------


def _snapshot(directory: Path) -> dict[str, bytes]:
    wanted = ("tokens.txt", "fiscalgw.toml")
    return {name: (directory / name).read_bytes() for name in wanted if (directory / name).exists()}


@pytest.mark.e2e
def test_a_second_demo_into_a_running_demos_folder_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    with subprocess.Popen(
        demo_command(directory, free_port(), "--keep-running"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as first:
        try:
            assert first.stdout is not None
            seen = []
            for line in first.stdout:  # bounded: on any failure the demo exits and the loop ends
                seen.append(line)
                if "Ctrl-C" in line:
                    break
            assert "Ctrl-C" in seen[-1], "".join(seen)
            before = _snapshot(directory)
            logs_before = sorted(p.name for p in (directory / "logs").iterdir())
            second = subprocess.run(
                demo_command(directory, free_port(), "--exit-when-done"),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert second.returncode == 1, second.stdout + second.stderr
            err = second.stderr
            assert err.count("\n") == 1 and str(directory.resolve()) in err, err
            assert f"pid {first.pid}" in err and "演示正在运行" in err and "already running" in err
            assert _snapshot(directory) == before  # tokens, configuration untouched
            assert sorted(p.name for p in (directory / "logs").iterdir()) == logs_before
            assert len(processes_naming(directory)) == 4  # the first demo's children still up
            first.send_signal(signal.SIGINT)
            assert first.wait(timeout=60) == 0
            assert not (directory / "demo.pid").exists()
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()


def test_a_busy_port_writes_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            demo_command(directory, port, "--exit-when-done"), capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 1
    assert done.stderr == f"fiscalgw: error: port {port} on 127.0.0.1 is busy (choose another with --port)\n"
    assert not directory.exists()


def test_a_failed_start_removes_what_it_wrote_and_only_that(tmp_path: Path) -> None:
    nowhere = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # the gateway exits: nothing listens on port 1
    fresh = tmp_path / "fresh"
    done = subprocess.run(
        demo_command(fresh, free_port(), "--database", nowhere, "--exit-when-done"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "database unreachable" in done.stderr
    assert not fresh.exists()  # it created the folder: it removes it

    empty = tmp_path / "mine"  # a folder the user made (empty, so the demo may use it)
    empty.mkdir()
    done = subprocess.run(
        demo_command(empty, free_port(), "--database", nowhere, "--exit-when-done"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert empty.is_dir() and list(empty.iterdir()) == []  # the user's folder stays, emptied of the demo
