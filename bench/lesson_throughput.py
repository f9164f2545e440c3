"""Lesson-page throughput under gunicorn, as a ratio to a trivial endpoint of the same app.

Not a test: run it by hand (`make` does not). It builds a throwaway database, imports the
courses in courses/ (or --courses PATH), signs a learner in, starts gunicorn, and runs wrk
against GET /healthz and then against a lesson page with a quiz, in the same run on the same
server, so the machine's speed cancels out of the ratio. Exits 1 when the ratio is below the
target.

    .venv/bin/python bench/lesson_throughput.py [--workers N] [--rounds 3] [--target 0.4]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERNAME, PASSWORD = "bench.hocvien", "Bench-mat-khau-2024"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(database_url: str, courses: Path) -> str:
    """Migrate, import the courses, add a learner; return the URL path of a lesson to load."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from lms import create_app
    from lms.accounts import services as people
    from lms.auth import services as auth
    from lms.courses import checker, importer
    from lms.courses.models import Course, Lesson, Quiz
    from lms.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        sources, is_collection = checker.load_folder(courses)
        report = checker.check_courses(sources, is_collection=is_collection)
        if report.errors:
            sys.exit("courses have errors:\n" + "\n".join(map(str, report.errors)))
        importer.import_courses(report, retire_missing=is_collection)
        person = people.create_person(username=USERNAME, full_name="Hoàng Văn Thử")
        auth.set_password(person, PASSWORD)
        db.session.commit()
        # The heaviest page: a lesson with quizzes, in the course with the most lessons.
        course_slug, lesson_slug = db.session.execute(
            select(Course.slug, Lesson.slug)
            .join(Lesson, Lesson.course_id == Course.id)
            .join(Quiz, Quiz.lesson_id == Lesson.id)
            .where(Lesson.is_retired.is_(False), Course.is_retired.is_(False))
            .order_by(db.func.length(Lesson.body_html).desc())
            .limit(1)
        ).one()
        db.engine.dispose()
    return f"/courses/{course_slug}/{lesson_slug}"


def wait_until_up(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def sign_in(base: str, username: str = USERNAME, password: str = PASSWORD) -> str:
    """Sign in through the real form; return the Cookie header to send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login") as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode(
        {"csrf_token": token, "username": username, "password": password}
    ).encode()
    opener.open(base + "/login", data=form).close()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def serve(stack: ExitStack, app: str, env: dict[str, str], workers: int, cwd: Path) -> str:
    """Start `gunicorn app` on a free port, stopped when stack closes; return its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            app,
        ],
        cwd=cwd,
        env=env,
    )

    def stop() -> None:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    stack.callback(stop)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base)
    _MASTERS[base] = server.pid
    return base


# The gunicorn master serving each base URL (`serve`), whose workers `workers_cpu` reads.
_MASTERS: dict[str, int] = {}


def workers_cpu(base: str) -> float:
    """The CPU seconds (user and system) the workers of the server at base have used so far
    (Linux: read from /proc). Taken before and after a wrk run, it gives the workers' CPU time
    per request: steadier than the rate when wrk's own share of the CPUs moves."""
    master = _MASTERS[base]
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just ended
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def fetch(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        return response.status, response.read().decode()


def wrk(url: str, cookie: str, *, duration: int, connections: int, threads: int) -> float:
    """Run wrk; return requests per second, refusing a run with errors or non-2xx answers."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout=60s",  # a slow page is measured, not counted as failed
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        sys.exit(f"wrk saw failed requests on {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=Path, default=ROOT / "courses")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--duration", type=int, default=5, help="seconds per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--target", type=float, default=0.4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    sys.path.insert(0, str(ROOT))

    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        database_url = os.environ.get("LMS_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        env = {
            **os.environ,
            "LMS_DATABASE_URL": database_url,
            "LMS_SECRET_KEY": "bench-secret-key-not-for-production",
        }
        os.environ.update(env)
        lesson_path = prepare(database_url, args.courses)
        with ExitStack() as stack:
            base = serve(stack, "wsgi:app", env, args.workers, ROOT)
            cookie = sign_in(base)
            status, page = fetch(base + lesson_path, cookie)
            if status != 200 or 'class="card quiz"' not in page:
                sys.exit(f"{lesson_path} did not answer with the lesson page (status {status})")
            options = {
                "duration": args.duration,
                "connections": args.connections,
                "threads": args.threads,
            }
            # A short warm-up of each endpoint, so both are measured with warm workers.
            for path in ("/healthz", lesson_path):
                wrk(base + path, cookie, **{**options, "duration": 2})
            # Alternate the two, round by round: a burst of other load on the machine then
            # slows one round of both rather than one endpoint only.
            rounds = []
            for number in range(1, args.rounds + 1):
                trivial = wrk(base + "/healthz", cookie, **options)
                lesson = wrk(base + lesson_path, cookie, **options)
                rounds.append((lesson / trivial, trivial, lesson))
                print(
                    f"round {number}: /healthz {trivial:8.1f}/s, lesson {lesson:8.1f}/s, "
                    f"ratio {lesson / trivial:.2f}"
                )

    ratio, trivial, lesson = sorted(rounds)[len(rounds) // 2]
    print(f"database:        {database_url.split(':', 1)[0]}")
    print(
        f"gunicorn:        {args.workers} workers; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, {args.rounds} rounds; the median round:"
    )
    print(f"GET /healthz:    {trivial:9.1f} requests/s")
    print(f"GET {lesson_path}: {lesson:9.1f} requests/s ({len(page.encode()) // 1024} KiB)")
    print(f"ratio:           {ratio:.2f} (target at least {args.target})")
    print("PASS" if ratio >= args.target else "FAIL")
    return 0 if ratio >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
