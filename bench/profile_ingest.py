"""Where the server's CPU goes under single signed messages or 100-voucher envelopes (issue 14): py-spy
over ``fiscalgw serve``.

    .venv/bin/python bench/profile_ingest.py [--database postgresql] [--workers 2] [--seconds 8]
                                             [--clients 8] [--out prof.txt] [--top 30] [--envelopes]

The same set-up as ``bench/ingest.py`` (a fresh demo, database and push sink, ``fiscalgw serve`` as a
subprocess with ``--workers`` uvicorn workers on PostgreSQL), then only the single-message phase, driven
while ``py-spy record --subprocesses`` samples the server and its workers (``pip install py-spy``). By
default every busy thread is sampled, so a thread waiting on PostgreSQL's socket counts (wall-clock shares);
with ``--gil`` only the thread holding the GIL is, so the samples are where the Python CPU goes. It
writes py-spy's raw (collapsed) stacks to ``--out`` and prints the rate, the server CPU per message, a few
named shares (SQLAlchemy, the driver, the SM2 signatures, the relay thread, logging, the ASGI stack)
and the frames on the most samples (inclusive).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import ingest  # noqa: E402  (after the path is set)

SHARES = {
    "sqlalchemy (all)": ("sqlalchemy/",),
    "psycopg (driver)": ("psycopg/",),
    "sm2 / sm3 (signing)": ("signing/",),
    "relay thread": ("relay.py",),
    "logging": ("logging/",),
    "uvicorn + starlette + fastapi": ("uvicorn/", "starlette/", "fastapi/"),
    "pydantic": ("pydantic/", "pydantic_core"),
    "adapters (parse/render)": ("adapters/",),
    "group commit writers": ("group_commit.py",),
    "lxml": ("lxml/", "etree"),
    "gateway store (rows)": ("gateway/store/",),
    "ledger": ("ledger.py",),
}


def summarise(raw: Path, top: int) -> list[str]:
    """Inclusive % per frame (function and file) and per named share, of samples not idle."""
    frames: Counter[str] = Counter()
    shares: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        parts = stack.split(";")
        leaf = parts[-1]
        if any(idle in leaf for idle in ("select (selectors", "wait (threading", "_worker (", "get (queue")):
            continue  # a thread waiting is not CPU
        total += count
        seen = {p.split(" (", 1)[0] + " (" + p.split(" (", 1)[-1].split(":")[0] for p in parts[1:]}
        for frame in seen:
            frames[frame] += count
        for name, needles in SHARES.items():
            if any(n in stack for n in needles):
                shares[name] += count
    lines = [f"samples (busy): {total}"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in shares.most_common()]
    lines.append("top frames (inclusive):")
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in frames.most_common(top)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--database-url", default=os.environ.get("FISCALGW_TEST_DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--singles", type=int, default=3000)
    parser.add_argument(
        "--envelopes", action="store_true", help="profile the envelope phase instead of single messages"
    )
    parser.add_argument("--envelope-count", type=int, default=400)
    parser.add_argument("--out", default="prof.txt")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--gil", action="store_true", help="sample only the thread holding the GIL (CPU, not waits)"
    )
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    workers = 1 if args.database == "sqlite" else args.workers
    out = Path(args.out).resolve()
    with tempfile.TemporaryDirectory(prefix="fiscalgw-prof-") as tmp:
        directory = Path(tmp)
        config_dir = directory / "demo"
        init = [sys.executable, "-m", "gateway", "init", str(config_dir)]
        subprocess.run(init, check=True, capture_output=True)
        with (
            ingest.push_sink() as (sink_port, pushes),
            ingest.database(args.database, args.database_url, directory) as url,
        ):
            ingest._configure(config_dir / "fiscalgw.toml", url, sink_port)
            with ingest.served(config_dir, workers, directory / "server.log") as (port, pid):
                if args.envelopes:
                    bodies = ingest._envelopes(args.envelope_count + 20)
                    pool = ingest._signed(config_dir, ingest.COUNTY, bodies, "application/xml")
                    warm_count, per_request, name = 20, ingest.ENVELOPE_VOUCHERS, "envelope"
                else:
                    bodies = ingest._indicators(args.singles)
                    pool = ingest._signed(config_dir, ingest.PROVINCE, bodies, "application/json")
                    warm_count, per_request, name = 200, 1, "single"
                warm = ingest.Phase("warm", 202, per_request)
                asyncio.run(ingest._drive("127.0.0.1", port, warm, pool[:warm_count], args.clients, 5))
                time.sleep(1.0)
                record = [
                    spy,
                    "record",
                    "--subprocesses",
                    "--pid",
                    str(pid),
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                ]
                if args.gil:
                    record.append("--gil")
                record += ["--duration", str(int(args.seconds) + 1), "--output", str(out), "--nonblocking"]
                sampler = subprocess.Popen(record, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(1.0)
                phase = ingest.Phase(name, 202, per_request)
                cpu = ingest.cpu_seconds(pid)
                asyncio.run(
                    ingest._drive("127.0.0.1", port, phase, pool[warm_count:], args.clients, args.seconds)
                )
                phase.server_cpu = ingest.cpu_seconds(pid) - cpu
                _, err = sampler.communicate(timeout=120)
                if sampler.returncode != 0:
                    raise SystemExit(f"py-spy failed: {err.decode(errors='replace')[-2000:]}")
        summary = phase.summary()
    print(f"{args.database}, {workers} worker(s), {args.clients} clients: {summary}")
    print(f"pushes received: {pushes[0]}; load: {os.getloadavg()}")
    print("\n".join(summarise(out, args.top)))


if __name__ == "__main__":
    main()
