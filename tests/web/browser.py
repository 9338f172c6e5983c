"""Real headless Chromium (Debian ``chromium`` + ``chromium-driver``) and the real server (uvicorn) for the
browser tests and the screenshot script. Selenium Manager never runs: the driver path is given and
``SE_OFFLINE`` is set, so nothing is downloaded."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from gateway.api.app import create_app
from gateway.bootstrap import Gateway
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH, HEIGHT = 1366, 768


def require_chromium() -> None:
    """Fail loudly (never skip) without the Debian packages (``scripts/system-deps`` installs them)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        raise RuntimeError(
            f"missing {', '.join(missing)}: install the Debian packages chromium and chromium-driver "
            "(bash scripts/system-deps)"
        )


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    require_chromium()
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        f"--window-size={WIDTH},{HEIGHT}",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=zh-CN",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()


@contextmanager
def serve(gateway: Gateway) -> Iterator[str]:
    """The gateway's app on uvicorn in a thread, on a free 127.0.0.1 port (no relay: the queue stays as
    seeded); yields the base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(gateway), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, thread)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _wait(base: str, thread: threading.Thread, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the web test server stopped before answering")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"the web test server did not answer within {timeout} s")


def wait_for(driver: webdriver.Chrome, css: str, timeout: float = 15) -> WebElement:
    element: WebElement = WebDriverWait(driver, timeout).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )
    return element


def sign_in(driver: webdriver.Chrome, base: str, token: str, path: str = "/ui/") -> None:
    driver.get(f"{base}/ui/login")
    driver.delete_all_cookies()
    driver.get(f"{base}{path}")
    wait_for(driver, "#token").send_keys(token)
    driver.find_element(By.ID, "login-submit").click()
    wait_for(driver, "#who")
