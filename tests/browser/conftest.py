"""A live server and the system Chromium, for tests that drive the real pages."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.db import db
from tests.factories import PASSWORD

# The system Chromium (Debian package chromium); LMS_CHROMIUM names another binary.
CHROMIUM = Path(os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    # A fake microphone (a tone) that needs no permission prompt: recording in the browser.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
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
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.1 A and AA rules; best-practice rules are advice, not failures.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = "test-artifacts"
# The smallest valid PNG: a certificate to attach as evidence.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


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
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set LMS_CHROMIUM")
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


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and wait until the signed-in header shows."""
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for(state="attached")


def sign_out(page) -> None:
    """Sign out and wait for the sign-in page it leads to."""
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng nhập").wait_for()


def fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def wait_for(condition: Callable[[], bool], timeout: float = TIMEOUT_MS / 1000) -> None:
    """Poll the database until condition() is true (the live server commits on its own time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script from node_modules (`make install` runs `npm ci`)."""
    if not AXE.exists():
        message = f"no {AXE.relative_to(ROOT)}: run `make install` (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.url}: {self.rule} ({self.impact}) {self.help} — {', '.join(self.targets)}"


@pytest.fixture
def axe(axe_source) -> Callable:
    """Return a function that runs axe-core (WCAG 2.1 A/AA) on a page and lists its violations.

    Playwright's evaluate runs over the DevTools protocol, which the page's strict CSP
    (script-src 'self') does not govern, so the script goes in without loosening the CSP.
    """

    def run(page) -> list[Violation]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        found = page.evaluate(
            """async (tags) => {
                const result = await window.axe.run(document, {
                    runOnly: {type: "tag", values: tags},
                    resultTypes: ["violations"],
                });
                return result.violations.map((rule) => ({
                    rule: rule.id,
                    impact: rule.impact || "",
                    help: rule.help,
                    targets: rule.nodes.map((node) => node.target.join(" ")),
                }));
            }""",
            AXE_TAGS,
        )
        return [
            Violation(page.url, item["rule"], item["impact"], item["help"], tuple(item["targets"]))
            for item in found
        ]

    return run


def accessible(axe, page) -> None:
    """Fail listing every WCAG 2.1 A/AA violation axe finds on the page as it is now."""
    violations = axe(page)
    if violations:
        pytest.fail("axe found:\n" + "\n".join(map(str, violations)), pytrace=False)


# Each visible control against a reference of the app's own style placed beside it (so that it
# inherits the same font): a button is an app button (colours aside: primary, secondary,
# danger) or, deliberately, a link-button; a text field, select or date field is a field. Every
# one is a target of at least 24 x 24 CSS pixels (WCAG 2.2, 2.5.8).
CONTROL_STYLE_SCRIPT = """() => {
    const BUTTON = ["font-size", "font-family", "font-weight", "border-top-left-radius",
                    "padding-top", "padding-left", "border-top-width", "min-height"];
    const FIELD = ["font-size", "font-family", "border-top-left-radius", "padding-top",
                   "padding-left", "border-top-width", "min-height"];
    const shown = (el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
    };
    const differences = (el, reference, properties) => {
        el.parentElement.appendChild(reference);
        const mine = getComputedStyle(el), theirs = getComputedStyle(reference);
        const found = properties.filter((name) => mine[name] !== theirs[name])
            .map((name) => `${name} ${mine[name]} (not ${theirs[name]})`);
        reference.remove();
        return found;
    };
    const describe = (el) => `<${el.tagName.toLowerCase()}${el.className ? " class=" +
        el.className : ""}> "${(el.innerText || el.value || "").trim().slice(0, 40)}"`;
    const problems = [];
    const controls = "button, input[type=submit], input[type=button], select, " +
        "input[type=text], input[type=date], input[type=search], input[type=number], " +
        "input[type=email], input[type=password], input[type=url], input[type=tel]";
    for (const el of document.querySelectorAll(controls)) {
        if (!shown(el)) continue;
        const box = el.getBoundingClientRect();
        const found = [];
        if (box.width < 24 || box.height < 24) {
            found.push(`target ${Math.round(box.width)}x${Math.round(box.height)} px`);
        }
        const isButton = el.tagName === "BUTTON" || ["submit", "button"].includes(el.type);
        if (isButton && el.classList.contains("link-button")) {
            const style = getComputedStyle(el);
            if (!style.textDecorationLine.includes("underline") || style.borderTopWidth !== "0px") {
                found.push("a link-button that does not look like a link");
            }
        } else if (isButton) {
            const reference = document.createElement("button");
            reference.className = "button";
            found.push(...differences(el, reference, BUTTON));
        } else {
            const reference = document.createElement("input");
            reference.type = "text";
            found.push(...differences(el, reference, FIELD));
        }
        if (found.length) problems.push(`${describe(el)}: ${found.join(", ")}`);
    }
    return problems;
}"""


def control_style_problems(page) -> list[str]:
    """Say which visible controls of the page look unlike the app's buttons and fields."""
    return [f"{page.url}: {problem}" for problem in page.evaluate(CONTROL_STYLE_SCRIPT)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a screenshot of the page when a browser test fails, while the page is still open."""
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when != "call" or not report.failed or page is None:
        return
    artifacts = item.config.rootpath / ARTIFACTS
    artifacts.mkdir(exist_ok=True)
    path = artifacts / (re.sub(r"[^\w.-]+", "_", item.nodeid, flags=re.ASCII) + ".png")
    try:
        page.screenshot(path=path, full_page=True)
    except Exception as error:  # a closed or crashed page must not hide the test's own failure
        report.sections.append(("screenshot", f"no screenshot: {error}"))
    else:
        report.sections.append(("screenshot", str(path)))
