"""Two gunicorn workers share the sign-in throttle and sign-in sessions through the database."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.auth.models import LoginFailure
from lms.db import db
from tests.factories import PASSWORD, make_person

ROOT = Path(__file__).resolve().parents[2]

# Starts gunicorn workers as real processes: in `make test`, not in `make test-fast`.
pytestmark = pytest.mark.deploy
MAX_FAILURES = 3
WRONG_ATTEMPTS = 10
THROTTLED = "Đăng nhập sai quá nhiều lần"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    location: str
    body: str


@dataclass
class Browser:
    """Keeps its cookies, follows no redirects, opens a new connection per request."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                if value and "Max-Age=0" not in header:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
            return Answer(response.status, response.headers.get("Location", ""), text)
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        return CSRF_RE.search(self.request("GET", path).body).group(1)

    def sign_in(self, username: str, password: str) -> Answer:
        token = self.csrf_token("/login")
        return self.request(
            "POST", "/login", {"csrf_token": token, "username": username, "password": password}
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _worker_pids(master_pid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == master_pid:
            pids.append(int(stat.parent.name))
    return pids


def _sockets(pid: int) -> set[str]:
    """The sockets the process holds ("socket:[inode]")."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            if (target := os.readlink(fd)).startswith("socket:"):
                found.add(target)
    return found


class Pin:
    """Keep one idle sync worker busy: it waits for the rest of a request it began to read.

    With the other worker held, every request goes to the one left free; that is how these
    tests know that one worker wrote what the other one reads.
    """

    def __init__(self, port: int, master: int):
        workers = _worker_pids(master)
        before = {pid: _sockets(pid) for pid in workers}
        self.connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        try:
            self.connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            deadline = time.monotonic() + 20
            while True:
                # The worker that accepted the connection holds a socket it did not hold
                # before (not merely more of them: it may have closed an earlier one since).
                held = [pid for pid in workers if _sockets(pid) - before[pid]]
                if held:
                    self.worker = held[0]
                    break
                assert time.monotonic() < deadline, "no worker took the held request"
                time.sleep(0.02)
        except BaseException:
            self.connection.close()  # not left for a later test to find unclosed
            raise

    def release(self) -> None:
        """Finish the request; the worker answers it and is free again."""
        try:
            self.connection.sendall(b"Connection: close\r\n\r\n")
            answer = b""
            while chunk := self.connection.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
        finally:
            self.connection.close()


@pytest.fixture(scope="module")
def gunicorn(test_settings, tmp_path_factory):
    """Start gunicorn with two sync workers on the test database; yield (port, master pid)."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    port = _free_port()
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "LMS_DATABASE_URL": test_settings["SQLALCHEMY_DATABASE_URI"],
        "LMS_SECRET_KEY": "two-workers-test-key",
        "LMS_LOGIN_MAX_FAILURES": str(MAX_FAILURES),
        "LMS_LOGIN_MAX_FAILURES_ADDRESS": "1000",
        "LMS_LOGIN_THROTTLE_MINUTES": "15",
        # The first wait as long as the longest: a slow machine must not outwait it mid-test.
        "LMS_LOGIN_FIRST_DELAY_SECONDS": "900",
    }
    # Each worker leaves a file once it has loaded the app and is about to accept requests.
    ready = tmp_path / "ready"
    ready.mkdir()
    hooks = tmp_path / "gunicorn_hooks.py"
    hooks.write_text(
        "def post_worker_init(worker):\n"
        f"    open({str(ready)!r} + '/' + str(worker.pid), 'w').close()\n"
    )
    command = [sys.executable, "-m", "gunicorn", "--config", str(hooks), "--workers", "2"]
    command += ["--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 90  # a busy machine imports the app slowly
        while len(list(ready.iterdir())) < 2:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn's workers did not start"
            time.sleep(0.1)
        assert Browser(port).request("GET", "/healthz").status == 200
        yield port, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def person(app):
    """A learner with a known password, committed so that gunicorn's workers see them."""
    person = make_person("hai.tien.trinh")
    db.session.commit()
    username = person.username
    db.session.close()
    return username


def _failures(username: str) -> int:
    db.session.close()
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username)
    )


def test_failures_on_one_worker_throttle_the_account_on_the_other(gunicorn, person):
    port, master = gunicorn
    first = Pin(port, master)
    wrong_on_one = [Browser(port).sign_in(person, "sai-mat-khau") for _ in range(MAX_FAILURES)]
    second = Pin(port, master)  # the worker that answered those, now held in turn
    first.release()
    next_wrong = Browser(port).sign_in(person, "sai-mat-khau")
    right_on_other = Browser(port).sign_in(person, PASSWORD)
    second.release()
    right_on_either = Browser(port).sign_in(person, PASSWORD)

    assert first.worker != second.worker
    assert all(a.status == 401 and WRONG in a.body for a in wrong_on_one)
    # Counted per worker, the other worker would judge these on the password.
    for answer in (next_wrong, right_on_other, right_on_either):
        assert answer.status == 401
        assert THROTTLED in answer.body
    assert _failures(person) == MAX_FAILURES  # a throttled attempt takes its row back


def test_parallel_wrong_sign_ins_are_all_counted(gunicorn, person):
    port, _ = gunicorn

    def wrong_sign_in(attempt: int) -> Answer:
        # A fresh browser each time: its own cookie and CSRF token, as a guessing script has.
        return Browser(port).sign_in(person, f"sai-mat-khau-{attempt}")

    with ThreadPoolExecutor(max_workers=WRONG_ATTEMPTS) as pool:
        answers = list(pool.map(wrong_sign_in, range(WRONG_ATTEMPTS)))

    assert all(answer.status == 401 for answer in answers)
    said_wrong = sum(WRONG in answer.body for answer in answers)
    said_throttled = sum(THROTTLED in answer.body for answer in answers)
    assert said_wrong + said_throttled == WRONG_ATTEMPTS
    # Each attempt is counted before it is checked, so however they interleave over the two
    # workers, no more than MAX_FAILURES are judged on their password.
    assert said_wrong <= MAX_FAILURES
    # A throttled attempt takes its row back (it tested no password); attempts checked at
    # the same moment may throttle each other, so fewer than MAX_FAILURES may be judged.
    assert _failures(person) == said_wrong
    for attempt in range(said_wrong, MAX_FAILURES):
        assert WRONG in Browser(port).sign_in(person, f"sai-mat-khau-{attempt}").body
    right = Browser(port).sign_in(person, PASSWORD)
    assert right.status == 401
    assert THROTTLED in right.body


def test_a_sign_in_on_one_worker_holds_on_the_other_until_sign_out(gunicorn, person):
    port, master = gunicorn
    browser = Browser(port)
    first = Pin(port, master)
    assert browser.sign_in(person, PASSWORD).status == 302
    assert _failures(person) == 0  # a success clears the account's count
    second = Pin(port, master)
    first.release()
    # Only the other worker is free now: it must know the session the first one started.
    assert browser.request("GET", "/account/password").status == 200
    cookies = dict(browser.cookies)
    token = browser.csrf_token("/account/password")
    assert browser.request("POST", "/logout", {"csrf_token": token}).status == 302
    second.release()
    assert first.worker != second.worker

    # The cookie from before the sign-out is refused by both workers now.
    replayed = [Browser(port, dict(cookies)).request("GET", "/account/password") for _ in range(8)]
    assert all(page.status == 302 and "/login" in page.location for page in replayed)
