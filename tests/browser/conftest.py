"""A live server and the system Chromium, for tests that drive the real pages."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No calls home: the machine reaches only package mirrors, and tests must not wait on them.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Short enough that a missing element fails the test quickly, long enough for a slow CI.
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    is_mobile: bool = False


DESKTOP = Screen("desktop", 1280, 800)
PHONE = Screen("phone", 360, 740, is_mobile=True)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free local port; yield its base URL."""
    app.config["WTF_CSRF_ENABLED"] = True  # the browser posts the real forms, token included
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; each test gets its own context."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screen() -> Screen:
    """The window size; parametrize `screen` to try others."""
    return DESKTOP


@pytest.fixture
def page(browser, live_server, screen):
    """A fresh page (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": screen.width, "height": screen.height},
        is_mobile=screen.is_mobile,
        has_touch=screen.is_mobile,
        locale="vi-VN",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a screenshot of the page when a browser test fails, while the page is still open."""
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when != "call" or not report.failed or page is None:
        return
    artifacts = item.config.rootpath / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    path = artifacts / (re.sub(r"[^\w.-]+", "_", item.nodeid, flags=re.ASCII) + ".png")
    try:
        page.screenshot(path=path, full_page=True)
    except Exception as error:  # a closed or crashed page must not hide the test's own failure
        report.sections.append(("screenshot", f"no screenshot: {error}"))
    else:
        report.sections.append(("screenshot", str(path)))
