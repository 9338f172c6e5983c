"""``fiscalgw demo``: a fresh demo directory, the gateway and the simulated 温州市, agency bank and PBOC on
127.0.0.1 (the demo plays 浙江省 and 永嘉县), the
scripted day (:mod:`gateway.demo.day`), both reconciliations, and a summary with where to look.

Every child runs in its own process group and :meth:`ProcessGroup.stop_all` runs in a ``finally``: an error,
Ctrl-C or SIGTERM never leaves a process behind.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import tomli_w

from gateway.config import CONFIG_FILE_NAME
from gateway.demo import documents as docs
from gateway.demo.client import DemoClient, DemoFailed
from gateway.demo.day import BEIJING, DayLog, business_day, drive_day, incidents
from gateway.demo.folder import PID_FILE, DemoFolder
from gateway.demo.processes import (
    ChildFailed,
    ProcessGroup,
    child_env,
    fiscalgw,
    free_port,
    port_is_free,
    start_gateway,
    start_simulator,
)
from gateway.demo_config import write_demo

MARKER = ".fiscalgw-demo"
"""A file in every directory ``fiscalgw demo`` wrote: only such a directory is ever replaced."""
AS_OF_DAYS = 3
Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    directory: Path
    port: int = 8000
    database_url: str | None = None
    keep_running: bool = False
    settle_timeout: float = 90.0


@dataclass
class RunLine:
    kind: str
    id: int
    scope: str
    status: str
    breaks: int


@dataclass
class DemoResult:
    base: str
    day: date
    as_of: datetime
    token: str
    log: DayLog | None = None
    runs: list[RunLine] = field(default_factory=list)
    breaks: list[dict[str, Any]] = field(default_factory=list)


def check_directory(directory: Path) -> None:
    """Refuse a path that is not a directory, or a non-empty directory ``fiscalgw demo`` did not write."""
    if directory.exists():
        if not directory.is_dir():
            raise DemoFailed(f"{directory} exists and is not a directory")
        if any(p.name != PID_FILE for p in directory.iterdir()) and not (directory / MARKER).exists():
            raise DemoFailed(f"{directory} is not empty and was not written by `fiscalgw demo`; choose --dir")


def prepare_directory(folder: DemoFolder) -> None:
    """Make the claimed folder a fresh demo (an earlier demo's files are replaced)."""
    folder.clear()
    write_demo(folder.directory, now=datetime.now(UTC))
    (folder.directory / MARKER).write_text(
        "written by `fiscalgw demo`; replaced by the next run\n", encoding="utf-8"
    )


def configure(directory: Path, database_url: str, ports: dict[str, int]) -> None:
    """Point the pushed parties at their simulators' ports and the gateway at ``database_url``."""
    path = directory / CONFIG_FILE_NAME
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for party in data["parties"]:
        if party["id"] in ports:
            party["push_url"] = f"http://127.0.0.1:{ports[party['id']]}/v1/push"
    data["database"]["url"] = database_url
    header = "# fiscalgw demo configuration written by `fiscalgw demo` — dev keys, dev mode only.\n"
    path.write_text(header + tomli_w.dumps(data), encoding="utf-8")
    path.chmod(0o600)  # the database URL may carry a password


def load_control_rules(directory: Path, env: Mapping[str, str]) -> None:
    """``fiscalgw control load`` of the demo's rule file (written next to its configuration)."""
    path = directory / "control-rules.toml"
    path.write_text(docs.CONTROL_RULES, encoding="utf-8")
    argv = fiscalgw("control", "load", str(path), "--config", str(directory))
    done = subprocess.run(argv, env=dict(env), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise DemoFailed(f"loading the control rules failed: {done.stderr.strip()[-300:]}")


def require_fresh(client: DemoClient, day: date) -> None:
    """Refuse a database that already holds this day's demo (its vouchers would be sent twice)."""
    first = docs.vouchers(day)[0].voucher_no
    chain = client.person_get("/v1/ops/trace", {"voucher_no": first})["chain"]
    if chain:
        raise DemoFailed(f"the database already holds today's demo (voucher {first}); give an empty one")


def as_of_for(day: date) -> datetime:
    """Midnight (Beijing) ``AS_OF_DAYS`` days after the business day: past the 48 h in-transit window of an
    indicator issued any time that day, and past the 24 h unpaid / uncleared windows of its payments."""
    return datetime.combine(day + timedelta(days=AS_OF_DAYS), time(), BEIJING)


def reconcile(client: DemoClient, day: date, as_of: datetime) -> list[RunLine]:
    """Both indicator pairs of the day, then the county's payments of the day."""
    stamp = as_of.isoformat()
    lines = []
    for upper, lower in ((docs.PROVINCE, docs.CITY), (docs.CITY, docs.COUNTY)):
        run = client.reconcile(
            {"kind": "indicators", "upper": upper, "lower": lower, "fiscal_year": day.year, "as_of": stamp}
        )
        lines.append(_line(run, f"{upper} → {lower} · {day.year}"))
    lines.append(reconcile_payments(client, day, as_of))
    return lines


def reconcile_payments(client: DemoClient, day: date, as_of: datetime) -> RunLine:
    run = client.reconcile(
        {
            "kind": "payments",
            "adm_div_code": docs.COUNTY_ADM,
            "day": day.isoformat(),
            "as_of": as_of.isoformat(),
        }
    )
    return _line(run, f"{docs.COUNTY_ADM} · {day.isoformat()}")


def _line(run: dict[str, Any], scope: str) -> RunLine:
    summary = run.get("summary") or {}
    status = str(summary.get("status") or run.get("status"))
    return RunLine(str(run["kind"]), int(run["id"]), scope, status, int(summary.get("breaks", 0)))


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM while the demo runs: unwind through the ``finally`` exactly like Ctrl-C."""
    raise KeyboardInterrupt


def run_demo(options: DemoOptions, say: Say = print) -> DemoResult:
    """Run the whole demo; with ``keep_running`` wait for Ctrl-C (or SIGTERM) before stopping everything."""
    directory = options.directory.resolve()
    # nothing is written before the port, the folder and the claim on it are known to be good
    if not port_is_free(options.port):
        raise ChildFailed(f"port {options.port} on 127.0.0.1 is busy (choose another with --port)")
    check_directory(directory)
    folder = DemoFolder(directory)
    try:
        prepare_directory(folder)
    except BaseException:
        folder.discard()
        raise
    database_url = options.database_url or f"sqlite:///{directory / 'fiscalgw.db'}"
    ports = {docs.CITY: free_port(), docs.BANK: free_port(), docs.PBOC: free_port()}
    started = False
    group = ProcessGroup(directory / "logs")
    previous = previous_int = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        # Ctrl-C must stop the demo even when it was started with SIGINT ignored (a background job of a
        # script, nohup): Python then keeps SIG_IGN instead of raising KeyboardInterrupt.
        previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        configure(directory, database_url, ports)
        env = child_env(database_url)
        say(f"fiscalgw demo — 目录 / directory: {directory}")
        base = start_gateway(group, directory, options.port, env)
        say(f"网关已启动 / gateway up: {base} (logs in {directory / 'logs'})")
        day = business_day()
        rules = incidents(day)
        start_simulator(group, "finance", directory, ports[docs.CITY], base, env,
                        rules=rules.city_rules(), party=docs.CITY, name="simulated-city")  # fmt: skip
        start_simulator(group, "bank", directory, ports[docs.BANK], base, env,
                        rules=rules.bank_rules(), name="simulated-bank")  # fmt: skip
        start_simulator(group, "pbc", directory, ports[docs.PBOC], base, env, name="simulated-pboc")
        say("模拟方已启动 / simulated city, bank and PBOC up (province and county are played by the demo)")
        client = DemoClient(base, directory)
        try:
            as_of = as_of_for(day)
            result = DemoResult(base, day, as_of, client.tokens["ops"])
            require_fresh(client, day)
            load_control_rules(directory, env)
            started = True  # from here on the folder holds the day: kept (with its logs) whatever happens
            say(f"业务日 / business day {day.isoformat()}:")
            result.log = drive_day(client, day, timeout=options.settle_timeout)
            say(f"对账 / reconciling as of {as_of.isoformat()} ({AS_OF_DAYS} days later, so the in-transit,")
            say("  unpaid and uncleared windows have passed and what is still missing is a break)")
            result.runs = reconcile(client, day, as_of)
            result.breaks = client.breaks_open()
        finally:
            client.close()
        for line in summary_lines(result):
            say(line)
        if not options.keep_running:
            again = f"fiscalgw serve --config {directory} --port {options.port}"
            say(f"演示结束，正在停止 / done, stopping everything; to look again: {again}")
        else:
            try:
                say("按 Ctrl-C 停止 / press Ctrl-C to stop the gateway and the simulators")
                threading.Event().wait()
            except KeyboardInterrupt:
                say("正在停止 / stopping …")
        return result
    finally:
        _stop_all_uninterrupted(group)
        if started:
            folder.release()
        else:
            folder.discard()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)


def _stop_all_uninterrupted(group: ProcessGroup) -> None:
    """Stop every child; a second Ctrl-C while stopping must not leave any behind."""
    if threading.current_thread() is not threading.main_thread():
        group.stop_all()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        group.stop_all()
    finally:
        signal.signal(signal.SIGINT, previous)


def summary_lines(result: DemoResult) -> list[str]:
    base = result.base
    out = ["", "对账结果 / reconciliation runs:"]
    for run in result.runs:
        out.append(f"  #{run.id} {run.kind:<10} {run.scope:<34} {run.status}  差异 / breaks: {run.breaks}")
        out.append(f"      报告 / report: {base}/ui/runs/{run.id}")
    counts = Counter((b["kind"], b["type"], b.get("type_zh", "")) for b in result.breaks)
    out.append("未处理差异 / open breaks by type:")
    for (kind, kind_of, zh), n in sorted(counts.items()):
        out.append(f"  {kind:<10} {kind_of:<20} {zh}  × {n}")
    if not counts:
        out.append("  (none)")
    out += [
        "",
        f"总览 / dashboard:       {base}/ui/dashboard",
        f"差异清单 / break list:  {base}/ui/breaks?status=open",
        f"指标控制 / control:     {result.log.refused_vouchers if result.log else 0} 笔凭证超指标被拒收 "
        "(indicator_exhausted); 待审核凭证 / held vouchers: " + f"{base}/ui/queue",
        f"资金追踪 / fund tracking: {base}/ui/tracking?is_track=1",
        f"  指标去向 / one indicator: {base}/ui/tracking/{docs.spent_indicator(result.day).bgt_id}",
        f"登录令牌 / sign-in token (ops): {result.token}",
        f"API: curl -H 'Authorization: Bearer {result.token}' {base}/v1/breaks?status=open",
    ]
    return out
