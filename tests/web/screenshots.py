"""Screenshots of every ops page at 1366×768, for the README: ``python -m tests.web.screenshots [--out DIR]``.

Seeds a demo store (tests/web/seed.py), starts the real server on 127.0.0.1 and drives headless Chromium.
Needs the Debian packages ``chromium``, ``chromium-driver`` and a CJK font (``fonts-wqy-microhei``).
Run it by hand when the pages change; the tests never write into docs/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from gateway.demo_config import write_demo
from gateway.services import breaks
from gateway.services.breaks import BreakFilters
from tests.gateway.conftest import build_harness
from tests.gateway.samples import NOW
from tests.web.browser import chromium, serve, sign_in, wait_for
from tests.web.recon_seed import PAIR_KEY, seed_recon
from tests.web.seed import VOUCHER_NO, seed, tokens

ROOT = Path(__file__).resolve().parents[2]


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listing = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(listing.stdout.strip())


def _shoot(driver: webdriver.Chrome, out: Path, name: str) -> Path:
    path = out / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="fiscalgw-shots-") as work:
        directory = Path(work)
        write_demo(directory / "demo", now=NOW - timedelta(days=1))
        harness = build_harness(directory / "demo", f"sqlite:///{directory / 'gateway.db'}")
        try:
            seeded = seed(harness.gateway, harness.client, harness.config_dir, harness.clock)
            recon = seed_recon(harness.gateway, harness.client, harness.config_dir, harness.clock)
            people = tokens(harness.config_dir)
            with serve(harness.gateway) as base, chromium() as driver:
                # the page area itself 1366×768 (the window size also counts the headless window's frame)
                driver.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False},
                )
                driver.get(f"{base}/ui/login")
                wait_for(driver, "#login-form")
                saved.append(_shoot(driver, out, "01-login"))

                sign_in(driver, base, people["ops"], "/ui/messages")
                saved.append(_shoot(driver, out, "02-messages"))

                driver.get(f"{base}/ui/messages?voucher_no={VOUCHER_NO}")
                wait_for(driver, "#results")
                saved.append(_shoot(driver, out, "03-messages-by-voucher"))

                driver.find_element(By.LINK_TEXT, seeded.voucher_message_id).click()
                wait_for(driver, "#timeline")
                saved.append(_shoot(driver, out, "04-message-voucher"))
                driver.execute_script("document.getElementById('chains').scrollIntoView()")
                saved.append(_shoot(driver, out, "05-message-chain"))

                driver.get(f"{base}/ui/queue?state=dead")
                wait_for(driver, "#deliveries")
                saved.append(_shoot(driver, out, "06-queue-dead"))

                driver.get(f"{base}/ui/queue/{seeded.dead_outbox_id}/retry")
                wait_for(driver, "#confirm")
                saved.append(_shoot(driver, out, "07-queue-confirm-retry"))
                driver.find_element(By.ID, "confirm").click()
                wait_for(driver, "#notice")
                saved.append(_shoot(driver, out, "08-queue-retried"))

                driver.get(f"{base}/ui/dashboard")
                wait_for(driver, "#pairs")
                saved.append(_shoot(driver, out, "11-dashboard"))

                driver.get(f"{base}/ui/breaks?pair={PAIR_KEY}")
                wait_for(driver, "#breaks")
                saved.append(_shoot(driver, out, "12-breaks"))

                gw = harness.gateway
                [amount] = breaks.list_breaks(gw, BreakFilters(types=("AMOUNT_MISMATCH",))).items
                driver.get(f"{base}/ui/breaks/{amount.key}")
                wait_for(driver, "#sides")
                saved.append(_shoot(driver, out, "13-break"))
                driver.find_element(By.ID, "resolve-comment").send_keys(
                    "温州已更正项目代码并补录差额，差异消除"
                )
                driver.find_element(By.ID, "resolve").click()
                wait_for(driver, "#notice")
                driver.execute_script("document.getElementById('history').scrollIntoView()")
                saved.append(_shoot(driver, out, "14-break-resolved"))

                driver.get(f"{base}/ui/runs")
                wait_for(driver, "#runs")
                saved.append(_shoot(driver, out, "15-runs"))
                driver.get(f"{base}/ui/runs/{recon.last_run_id}")
                wait_for(driver, "#run-breaks")
                saved.append(_shoot(driver, out, "16-run"))

                sign_in(driver, base, people["viewer"], "/ui/queue?state=dead")
                saved.append(_shoot(driver, out, "09-queue-viewer"))
                driver.get(f"{base}/ui/queue/{seeded.dead_outbox_id + 1}/retry")
                wait_for(driver, "#error")
                saved.append(_shoot(driver, out, "10-viewer-refused"))
        finally:
            harness.client.close()
            harness.gateway.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.web.screenshots", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="output directory")
    args = parser.parse_args(argv)
    if not _has_cjk_font():
        print("screenshots: no CJK font (install the Debian package fonts-wqy-microhei)", file=sys.stderr)
        return 1
    for path in take(args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
