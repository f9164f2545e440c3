"""Load with faults: the learners' mix under wrk, a gunicorn worker killed halfway, nothing lost.

Not a test: run it by hand (see bench/load/README.md). For each database (a SQLite file in a
temporary folder, and PostgreSQL when --postgres-url or LMS_BENCH_POSTGRES_URL names a scratch
database, whose contents are dropped) it migrates, imports courses/, seeds the demo organisation,
adds learner and manager accounts through the real services, signs each in through the real
form, starts gunicorn and runs wrk with mix.lua while one worker is killed with SIGKILL. Then it
counts the progress events sent, acknowledged and stored. With PostgreSQL it repeats the run
against two gunicorn servers behind nginx and proves that sessions, sign-out and the sign-in
throttle are shared between them. Exits 1 when a check fails.

    .venv/bin/python bench/load/run.py [--postgres-url URL] [--duration 60] [--connections 50]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Tai-thu-2024!"
THROTTLE_USER = "tai.thu.chan"
THROTTLE_MESSAGE = "Đăng nhập sai quá nhiều lần"
WRONG_MESSAGE = "Tên đăng nhập hoặc mật khẩu không đúng"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# A small HTTP client: cookies kept, redirects not followed -------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: str


@dataclass
class Browser:
    """One browser: keeps its cookies, sends each request on a new connection."""

    cookies: dict[str, str] = field(default_factory=dict)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, base: str, method: str, path: str, form: dict | None = None) -> Response:
        parts = urllib.parse.urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
            for header in answer.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                if value and "Max-Age=0" not in header:
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return Response(answer.status, answer.headers.get("Location", ""), text)
        finally:
            connection.close()

    def csrf_token(self, base: str, path: str) -> str:
        page = self.request(base, "GET", path)
        found = CSRF_RE.search(page.body)
        if found is None:
            raise SystemExit(f"no CSRF token on {path} ({page.status})")
        return found.group(1)

    def sign_in(self, base: str, username: str, password: str) -> Response:
        token = self.csrf_token(base, "/login")
        form = {"csrf_token": token, "username": username, "password": password}
        return self.request(base, "POST", "/login", form)


# Database and accounts ------------------------------------------------------------------------


@dataclass
class Setup:
    learners: list[str]
    managers: list[str]
    lessons: list[tuple[str, str]]
    unit_id: int
    year: int


def app_env(database_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, LMS_DATABASE_URL=database_url, LMS_SECRET_KEY=secret_key)
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str) -> None:
    """Run a `flask` command of the app, as an operator would."""
    command = [str(BIN / "flask"), "--app", "wsgi", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(database_url: str, secret_key: str, learners: int, managers: int) -> Setup:
    """Build the database through the CLI, then add the load accounts through the services."""
    if database_url.startswith("postgresql"):
        reset_postgres(database_url)
    env = app_env(database_url, secret_key)
    flask(env, "db", "upgrade")
    flask(env, "courses", "import", "courses")
    flask(dict(env, LMS_DEMO="1"), "demo", "seed")

    from sqlalchemy import select

    from lms import create_app
    from lms.accounts import services as people
    from lms.auth.services import hash_password
    from lms.courses.models import Course, Lesson
    from lms.db import db
    from lms.demo import seed
    from lms.i18n import local_today
    from lms.org import services as org
    from lms.roles import Role

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key})
    with app.app_context():
        unit = org.unit_by_code(seed.POLICY)
        year = local_today().year
        # One slow hash for every load account: they share the password.
        password_hash = hash_password(PASSWORD)

        def add(username: str, full_name: str):
            person = people.create_person(username=username, full_name=full_name)
            person.password_hash = password_hash
            db.session.flush()
            org.assign_to_unit(person, unit, date(year, 1, 1))
            return person

        learner_names = [f"tai.hocvien{n:03d}" for n in range(1, learners + 1)]
        for n, username in enumerate(learner_names, 1):
            add(username, f"Nguyễn Văn Tải {n}")
        manager_names = [f"tai.truongphong{n:02d}" for n in range(1, managers + 1)]
        for n, username in enumerate(manager_names, 1):
            people.grant_role(add(username, f"Hà Thị Quản {n}"), Role.MANAGER, unit)
        add(THROTTLE_USER, "Lê Văn Chặn")
        db.session.commit()
        lessons = db.session.execute(
            select(Course.slug, Lesson.slug)
            .join(Lesson, Lesson.course_id == Course.id)
            .where(Lesson.is_retired.is_(False), Course.is_retired.is_(False))
            .order_by(Course.slug, Lesson.position)
        ).all()
        unit_id = unit.id
        db.engine.dispose()
    return Setup(learner_names, manager_names, [tuple(row) for row in lessons], unit_id, year)


# Servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server for {base} exited with {process.returncode}")
        try:
            if Browser().request(base, "GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} did not start")


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "wsgi:app",
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    wait_until_up(f"http://127.0.0.1:{port}", process)
    return process


def start_nginx(prefix: Path, port: int, upstream_ports: list[int]) -> subprocess.Popen:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstream_ports)
    config = (HERE / "nginx.conf.template").read_text()
    config = config.replace("@PREFIX@", str(prefix)).replace("@PORT@", str(port))
    config = config.replace("@SERVERS@", servers)
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(config)
    command = ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"]
    with (prefix / "stderr.log").open("ab") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output)
    wait_until_up(f"http://127.0.0.1:{port}", process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(master_pid: int) -> list[int]:
    """Return the pids of gunicorn's workers: the master's children."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces; the parent pid is the second field after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return sorted(pids)


# Signing in -----------------------------------------------------------------------------------


@dataclass
class Session:
    kind: str  # learner or manager
    cookie: str
    csrf: str


def open_session(base: str, username: str, kind: str, check_path: str) -> Session:
    """Sign in through the real form; return the cookie and the CSRF token of the new session."""
    browser = Browser()
    answer = browser.sign_in(base, username, PASSWORD)
    if answer.status != 302:
        raise SystemExit(f"sign-in of {username} answered {answer.status}")
    # Signing in starts a new session: its CSRF token comes with the first page after it.
    csrf = browser.csrf_token(base, check_path)
    if browser.request(base, "GET", check_path).status != 200:
        raise SystemExit(f"{username} cannot open {check_path}")
    return Session(kind, browser.cookie_header(), csrf)


def open_sessions(base: str, setup: Setup, dashboard: str) -> list[Session]:
    lesson = "/courses/{}/{}".format(*setup.lessons[0])
    jobs = [(name, "learner", lesson) for name in setup.learners]
    jobs += [(name, "manager", dashboard) for name in setup.managers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda job: open_session(base, *job), jobs))


# The run --------------------------------------------------------------------------------------


@dataclass
class Figures:
    label: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    by_kind: Counter = field(default_factory=Counter)
    socket_errors: dict[str, int] = field(default_factory=dict)
    killed: str = "-"
    sent: int = 0
    acked: int = 0
    refused: int = 0
    stored: int = 0
    stored_unacked: int = 0
    duplicates: int = 0
    missing: int = 0
    seconds_logged: int = 0
    seconds_counted: int = 0

    @property
    def bad_answers(self) -> Counter:
        return Counter({k: n for k, n in self.by_kind.items() if not k.split()[1].startswith("2")})

    def failures(self) -> list[str]:
        problems = []
        if self.duplicates:
            problems.append(f"{self.duplicates} events stored twice")
        if self.missing:
            problems.append(f"{self.missing} acknowledged events not stored")
        if self.seconds_logged != self.seconds_counted:
            problems.append("lesson time differs from the event log")
        if self.acked == 0 or self.requests == 0:
            problems.append("no requests succeeded")
        return problems


def write_inputs(work: Path, sessions: list[Session], setup: Setup) -> tuple[Path, Path]:
    sessions_file, lessons_file = work / "sessions.tsv", work / "lessons.tsv"
    sessions_file.write_text(
        "".join(f"{s.kind}\t{s.cookie}\t{s.csrf}\n" for s in sessions), encoding="utf-8"
    )
    lessons_file.write_text("".join(f"{c}\t{lesson}\n" for c, lesson in setup.lessons))
    return sessions_file, lessons_file


def run_wrk(
    base: str,
    work: Path,
    sessions: list[Session],
    setup: Setup,
    args: argparse.Namespace,
    master_pid: int,
    figures: Figures,
) -> str:
    """Run the mix, killing one worker of master_pid halfway; return the run's nonce."""
    sessions_file, lessons_file = write_inputs(work, sessions, setup)
    events_dir = work / "events"
    events_dir.mkdir()
    nonce = secrets.token_hex(4)
    command = [
        "wrk",
        f"-t{args.connections}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "30s",
        "-s",
        str(HERE / "mix.lua"),
        base,
        "--",
        str(sessions_file),
        str(lessons_file),
        str(events_dir),
        nonce,
        f"/plans/{setup.year}",
        f"/plans/units/{setup.unit_id}/{setup.year}",
    ]

    def kill_a_worker() -> None:
        workers = worker_pids(master_pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            figures.killed = f"1 of {len(workers)} at {args.kill_at}s"

    timer = threading.Timer(args.kill_at, kill_a_worker)
    if args.kill_at:
        timer.start()
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        timer.cancel()
    (work / "wrk.txt").write_text(output)
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            figures.rps = float(words[1])
        elif words[:1] == ["COUNT"]:
            figures.by_kind[f"{words[1]} {words[2]}"] += int(words[3])
        elif words[:1] == ["SUMMARY"]:
            figures.requests = int(words[2])
        elif words[:1] == ["ERRORS"]:
            figures.socket_errors = {words[i]: int(words[i + 1]) for i in range(1, 11, 2)}
        elif words[:1] == ["LATENCY"]:
            figures.p50_ms, figures.p99_ms = int(words[2]) / 1000, int(words[6]) / 1000
    return nonce


def count_events(database_url: str, work: Path, nonce: str, figures: Figures) -> None:
    """Compare the event ids wrk sent and saw acknowledged with the rows in learning_event."""
    from sqlalchemy import create_engine, text

    sent, acked, refused = set(), set(), 0
    for log in (work / "events").glob("events-*.log"):
        for line in log.read_text().splitlines():
            words = line.split()
            if words[0] == "sent":
                sent.add(words[1])
            elif words[0] == "ack" and words[2].startswith("2"):
                acked.add(words[1])
            elif words[0] == "ack":
                refused += 1
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = dict(
            connection.execute(
                text(
                    "SELECT client_event_id, count(*) FROM learning_event "
                    "WHERE client_event_id LIKE :prefix GROUP BY client_event_id"
                ),
                {"prefix": nonce + "-%"},
            ).all()
        )
        logged = connection.execute(
            text("SELECT coalesce(sum(seconds), 0) FROM learning_event WHERE kind = 'viewed'")
        ).scalar_one()
        counted = connection.execute(
            text("SELECT coalesce(sum(seconds_spent), 0) FROM lesson_progress")
        ).scalar_one()
    engine.dispose()
    figures.sent, figures.acked, figures.refused = len(sent), len(acked), refused
    figures.stored = len(stored)
    figures.stored_unacked = len(set(stored) - acked)
    figures.duplicates = sum(n - 1 for n in stored.values())
    figures.missing = len(acked - set(stored))
    figures.seconds_logged, figures.seconds_counted = int(logged), int(counted)


# Two servers: what must be shared -------------------------------------------------------------


def check(results: list[tuple[str, bool]], what: str, ok: bool) -> None:
    results.append((what, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {what}", flush=True)


def prove_shared_state(server_a: str, server_b: str, setup: Setup) -> list[tuple[str, bool]]:
    """Sessions, sign-out and the sign-in throttle reach across both app servers."""
    results: list[tuple[str, bool]] = []
    plan = f"/plans/{setup.year}"
    browser = Browser()
    signed_in = browser.sign_in(server_a, setup.learners[0], PASSWORD).status == 302
    check(results, "sign-in through server A", signed_in)
    check(
        results,
        "the session cookie from A works on B",
        browser.request(server_b, "GET", plan).status == 200,
    )
    cookies = dict(browser.cookies)
    token = browser.csrf_token(server_a, plan)
    signed_out = browser.request(server_a, "POST", "/logout", {"csrf_token": token}).status
    after = Browser(cookies=cookies).request(server_b, "GET", plan)
    check(
        results,
        "signing out through A ends the session on B",
        signed_out == 302 and after.status == 302 and "/login" in after.location,
    )

    # Five wrong passwords, alternating between the servers (LMS_LOGIN_MAX_FAILURES=5).
    wrong = [
        Browser().sign_in(server, THROTTLE_USER, "sai-mat-khau-1")
        for server in (server_a, server_b, server_a, server_b, server_a)
    ]
    check(
        results,
        "5 wrong passwords through A, B, A, B, A are refused as wrong",
        all(r.status == 401 and WRONG_MESSAGE in r.body for r in wrong),
    )
    for name, server in (("B", server_b), ("A", server_a)):
        answer = Browser().sign_in(server, THROTTLE_USER, PASSWORD)
        check(
            results,
            f"then the right password is refused on {name} (throttled)",
            answer.status == 401 and THROTTLE_MESSAGE in answer.body,
        )
    return results


# Putting it together --------------------------------------------------------------------------


def run_scenario(
    label: str,
    database_url: str,
    args: argparse.Namespace,
    work: Path,
    *,
    two_servers: bool = False,
) -> tuple[Figures, list[tuple[str, bool]]]:
    print(f"== {label}: preparing the database", flush=True)
    secret_key = secrets.token_hex(32)
    setup = prepare(database_url, secret_key, args.learners, args.managers)
    env = app_env(
        database_url,
        secret_key,
        LMS_LOGIN_MAX_FAILURES="5",
        LMS_PROXY_COUNT="1" if two_servers else "0",
    )
    processes: list[subprocess.Popen] = []
    proofs: list[tuple[str, bool]] = []
    figures = Figures(label)
    try:
        if two_servers:
            ports = [free_port(), free_port()]
            workers = max(1, args.workers // 2)
            for port in ports:
                processes.append(start_gunicorn(env, port, workers, work / f"gunicorn-{port}.log"))
            front = free_port()
            processes.append(start_nginx(work / "nginx", front, ports))
            base = f"http://127.0.0.1:{front}"
            print(f"== {label}: 2 x {workers} sync workers on {ports}, nginx on {front}")
        else:
            port = free_port()
            processes.append(start_gunicorn(env, port, args.workers, work / "gunicorn.log"))
            base = f"http://127.0.0.1:{port}"
            print(f"== {label}: {args.workers} sync workers on {port}")
        dashboard = f"/plans/units/{setup.unit_id}/{setup.year}"
        sessions = open_sessions(base, setup, dashboard)
        if two_servers:
            a, b = (f"http://127.0.0.1:{p}" for p in ports)
            proofs = prove_shared_state(a, b, setup)
        print(f"== {label}: wrk {args.duration}s, {args.connections} connections", flush=True)
        nonce = run_wrk(base, work, sessions, setup, args, processes[0].pid, figures)
    finally:
        # A graceful stop lets the requests wrk left in flight finish before anything is counted.
        for process in reversed(processes):
            stop(process)
    count_events(database_url, work, nonce, figures)
    return figures, proofs


def print_table(all_figures: list[Figures]) -> None:
    rows = [
        ("throughput (req/s)", lambda f: f"{f.rps:.1f}"),
        ("requests", lambda f: str(f.requests)),
        ("latency p50 (ms)", lambda f: f"{f.p50_ms:.0f}"),
        ("latency p99 (ms)", lambda f: f"{f.p99_ms:.0f}"),
        ("worker killed", lambda f: f.killed),
        ("non-2xx/3xx answers", lambda f: _counts(f.bad_answers) or "0"),
        ("socket errors", lambda f: _counts(f.socket_errors) or "0"),
        ("events sent", lambda f: str(f.sent)),
        ("events acknowledged", lambda f: str(f.acked)),
        ("events refused (non-2xx)", lambda f: str(f.refused)),
        ("events without an answer", lambda f: str(f.sent - f.acked - f.refused)),
        ("events stored", lambda f: str(f.stored)),
        ("stored, not acknowledged", lambda f: str(f.stored_unacked)),
        ("duplicates stored", lambda f: str(f.duplicates)),
        ("acknowledged, missing", lambda f: str(f.missing)),
        ("lesson time vs event log", _time_check),
    ]
    width = max(18, *(len(f.label) + 2 for f in all_figures))
    print()
    print(f"{'':<26}" + "".join(f"{f.label:>{width}}" for f in all_figures))
    for name, value in rows:
        print(f"{name:<26}" + "".join(f"{value(f):>{width}}" for f in all_figures))
    print()
    for f in all_figures:
        answers = ", ".join(f"{k} {n}" for k, n in sorted(f.by_kind.items()))
        print(f"{f.label} answers: {answers}")


def _time_check(figures: Figures) -> str:
    if figures.seconds_logged == figures.seconds_counted:
        return "equal"
    return f"{figures.seconds_counted} != {figures.seconds_logged}"


def _counts(counts: dict) -> str:
    return " ".join(f"{k}:{n}" for k, n in sorted(counts.items()) if n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("LMS_BENCH_POSTGRES_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-two-servers", action="store_true")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--managers", type=int, default=5)
    parser.add_argument("--kill-at", type=int, default=None, help="seconds; 0: kill no worker")
    args = parser.parse_args()
    if args.kill_at is None:
        args.kill_at = args.duration // 2
    sys.path.insert(0, str(ROOT))

    all_figures: list[Figures] = []
    proofs: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="lms-load-") as tmp:
        tmp_dir = Path(tmp)
        scenarios = []
        if not args.skip_sqlite:
            url = f"sqlite:///{tmp_dir / 'load.sqlite3'}"
            scenarios.append(("sqlite", url, False))
        if args.postgres_url:
            scenarios.append(("postgresql", args.postgres_url, False))
            if not args.skip_two_servers:
                scenarios.append(("pg-2-servers", args.postgres_url, True))
        for label, url, two_servers in scenarios:
            work = tmp_dir / label
            work.mkdir()
            figures, found = run_scenario(label, url, args, work, two_servers=two_servers)
            all_figures.append(figures)
            proofs += found
    print_table(all_figures)
    failures = [f"{f.label}: {problem}" for f in all_figures for problem in f.failures()]
    failures += [f"two servers: {what}" for what, ok in proofs if not ok]
    for failure in failures:
        print(f"FAIL  {failure}")
    print("PASS" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
