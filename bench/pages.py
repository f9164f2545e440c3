"""Where people wait, against the floor of the stack: issue 17's figures.

Not a test: run it by hand (`make` does not). It generates an organisation with
bench/generate_org.py (10,000 people by default), adds one unit of 500 members with 20 required
courses and 60 % of them completed (the home page is timed for a learner in it, its head and
HCTH), serves the app with gunicorn (2 workers) and a hello-world Flask app with the same
gunicorn, and times each page with wrk in rounds, each page's run between two of the hello app's
(the pages in reverse order every other round). It prints, per page, the
median over the rounds of the page's requests per second divided by the hello app's around it (the
geometric mean of the runs before and after), and the target; and beside it the workers' CPU
milliseconds per request (from /proc: the gunicorn workers' CPU time over each wrk run, divided by
its requests), steadier than the rates when wrk's own share of the two CPUs moves; on a
PostgreSQL server of this machine, the server's CPU milliseconds per request too (the workers'
leave out the statements' own work, which on SQLite they include).

    .venv/bin/python bench/pages.py [--people 10000] [--rounds 3] [--duration 5]
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://user:pw@127.0.0.1/scratch .venv/bin/python \\
        bench/pages.py           # a scratch PostgreSQL database: its tables are dropped first

The roster CSV at 100,000 people is bench/roster_export.py's (its own floor is sqlite3's).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_org import BENCH_PASSWORD, BENCH_USER  # noqa: E402
from lesson_throughput import fetch, serve, sign_in, workers_cpu, wrk  # noqa: E402

MEMBERS, REQUIRED, DONE_SHARE = 500, 20, 0.6
LEARNER, MANAGER, PASSWORD = "bench.hocvien", "bench.truongphong", "Bench-mat-khau-2024"
HELLO_APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/healthz")
def hello():
    return "Hello, World!"
"""
# Page → the least share of the hello app's requests per second it should reach.
TARGETS = {
    "learner home": 1 / 8,
    # The same page for a unit's head (their units' head counts) and for HCTH (every unit's).
    "manager home": 1 / 8,
    "HCTH home": 1 / 8,
    "lesson page": 1 / 5,
    "dashboard, by name": 1 / 60,
    "dashboard, by %": 1 / 60,
    "dashboard, by hours": 1 / 60,
    "dashboard, by overdue": 1 / 60,
    "unit roster, HTML": 1 / 60,
}


def local_postgresql(url: str) -> bool:
    """Whether url is a PostgreSQL server on this machine (its CPU can be read)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.get_backend_name() == "postgresql" and parsed.host in (
        None,
        "127.0.0.1",
        "localhost",
    )


def database_cpu() -> float | None:
    """The CPU seconds this machine's PostgreSQL processes have used so far (Linux: read from
    /proc), or None if none is visible (a server in a container, say). Taken around a wrk run,
    it gives the database server's CPU time per request, which the workers' leaves out: on
    SQLite the statements run in the workers, on PostgreSQL in the server, on the same two
    CPUs. Each process's own time and its ended children's (a parallel worker's, an autovacuum
    worker's, moved to the postmaster's when they end), so that a process ending during the
    run takes none of its time away."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # a process that just ended
            continue
        name, fields = text[text.find("(") + 1 : text.rfind(")")], text[text.rfind(")") + 2 :]
        if name == "postgres":
            found = True
            # utime, stime, cutime, cstime
            total += sum(int(value) for value in fields.split()[11:15]) / ticks
    return total if found else None


def empty_database(url: str, tmp: str) -> None:
    """A scratch PostgreSQL database is emptied; a SQLite one is a new file."""
    if url.startswith("sqlite"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def generate(url: str, people: int) -> None:
    command = [sys.executable, str(ROOT / "bench" / "generate_org.py"), "--people", str(people)]
    command += ["--database-url", url, "--replace"]
    subprocess.run(
        command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def add_bench_unit(url: str, seed: int) -> dict[str, str]:
    """The unit the dashboard and roster are timed on, its head and a learner in it; return the
    paths to time."""
    from sqlalchemy import func, select

    from lms import create_app
    from lms.accounts import services as people
    from lms.auth import services as auth
    from lms.courses.models import Course, Lesson, Quiz
    from lms.db import db
    from lms.org import services as org
    from lms.org.models import Unit, UnitKind, UnitVersion
    from lms.progress.models import AssignmentKind, UnitAssignment
    from lms.roles import Role
    from tests.factories import complete_course

    rng = random.Random(seed)
    today = date.today()
    year = today.year
    first = date(year, 1, 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        agency = db.session.scalar(
            select(Unit)
            .join(UnitVersion, UnitVersion.unit_id == Unit.id)
            .where(UnitVersion.parent_id.is_(None), Unit.valid_until.is_(None))
            .order_by(Unit.id)
            .limit(1)
        )
        unit = org.create_unit(
            code="BENCH500",
            name="Phòng đo tốc độ",
            kind=UnitKind.DIVISION,
            parent=agency,
            valid_from=date(year - 1, 1, 1),
        )
        db.session.flush()
        courses = list(
            db.session.scalars(
                select(Course).where(Course.is_retired.is_(False)).order_by(Course.id)
            )
        )
        for number in range(len(courses), REQUIRED):
            course = Course(
                slug=f"bench-{number}",
                title=f"Khóa đo tốc độ {number}",
                category="digital-skills",
                language="vi",
                level="beginner",
                hours=Decimal(4),
                summary="",
                authors=[],
                sources=[],
                version="1",
                intro_html="",
            )
            db.session.add(course)
            courses.append(course)
        db.session.flush()
        courses = courses[:REQUIRED]
        for index, course in enumerate(courses):
            # Due days spread over the year: some already past (overdue for those not done).
            db.session.add(
                UnitAssignment(
                    unit_id=unit.id,
                    course_id=course.id,
                    year=year,
                    kind=AssignmentKind.REQUIRED,
                    due_on=date(year, 2 + index % 10, 28),
                    include_subunits=True,
                )
            )
        password = auth.hash_password(PASSWORD)
        members = []
        for number in range(MEMBERS):
            username = LEARNER if number == 0 else f"bench.{number:03d}"
            person = people.create_person(
                username=username,
                full_name=f"{rng.choice(['Nguyễn', 'Lò', 'Hoàng', 'Nông'])} Văn Đo {number}",
                employment_kind="cong_chuc",
            )
            person.password_hash = password
            db.session.flush()
            org.assign_to_unit(person, unit, date(year - 1, 1, 1))
            members.append(person)
        head = people.create_person(username=MANAGER, full_name="Nông Văn Quản")
        head.password_hash = password
        db.session.flush()
        org.assign_to_unit(head, unit, date(year - 1, 1, 1))
        people.grant_role(head, Role.MANAGER, unit, valid_from=date(year - 1, 1, 1))
        span = max((today - first).days, 1)
        for person in members:
            for course in courses:
                if rng.random() >= DONE_SHARE:
                    continue
                moment = datetime.combine(
                    first + timedelta(days=rng.randrange(span)), time(9), tzinfo=UTC
                )
                complete_course(person, course, moment)  # the row and its ledger credit
        db.session.commit()
        course_slug, lesson_slug = db.session.execute(
            select(Course.slug, Lesson.slug)
            .join(Lesson, Lesson.course_id == Course.id)
            .join(Quiz, Quiz.lesson_id == Lesson.id)
            .where(Lesson.is_retired.is_(False), Course.is_retired.is_(False))
            .order_by(func.length(Lesson.body_html).desc())
            .limit(1)
        ).one()
        unit_id = unit.id
        db.engine.dispose()
    dashboard = f"/plans/units/{unit_id}/{year}"
    return {
        "learner home": "/",
        "manager home": "/",
        "HCTH home": "/",
        "lesson page": f"/courses/{course_slug}/{lesson_slug}",
        "dashboard, by name": dashboard,
        "dashboard, by %": dashboard + "?sort=percent",
        "dashboard, by hours": dashboard + "?sort=hours",
        "dashboard, by overdue": dashboard + "?sort=overdue",
        "unit roster, HTML": f"/reports/units/{unit_id}/roster?format=html",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5, help="seconds per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")

    with tempfile.TemporaryDirectory(prefix="lms-pages-") as tmp, ExitStack() as stack:
        url = os.environ.get("LMS_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/pages.sqlite3"
        empty_database(url, tmp)
        print(f"generating {args.people:,} people and the bench unit…", flush=True)
        generate(url, args.people)
        paths = add_bench_unit(url, args.seed)
        env = {
            **os.environ,
            "LMS_DATABASE_URL": url,
            "LMS_SECRET_KEY": "bench-secret-key-not-for-production",
        }
        Path(tmp, "hello.py").write_text(HELLO_APP, encoding="utf-8")
        app_base = serve(stack, "wsgi:app", env, args.workers, ROOT)
        hello_base = serve(stack, "hello:app", env, args.workers, Path(tmp))
        cookies = {
            "learner": sign_in(app_base, LEARNER, PASSWORD),
            "manager": sign_in(app_base, MANAGER, PASSWORD),
            "hcth": sign_in(app_base, BENCH_USER, BENCH_PASSWORD),
        }
        signed_in = {"learner home": "learner", "lesson page": "learner", "HCTH home": "hcth"}
        who = {name: signed_in.get(name, "manager") for name in paths}
        for name, path in paths.items():
            status, _page = fetch(app_base + path, cookies[who[name]])
            if status != 200:
                sys.exit(f"{name}: {path} answered {status}")
        options = {"connections": args.connections, "threads": args.threads}
        for name, path in paths.items():  # warm-up
            wrk(app_base + path, cookies[who[name]], duration=1, **options)
        wrk(hello_base + "/", "", duration=1, **options)
        ratios: dict[str, list[float]] = {name: [] for name in paths}
        # The workers' CPU milliseconds per request, beside the rates (see workers_cpu), and on
        # a PostgreSQL server of this machine, the server's (see database_cpu).
        costs: dict[str, list[float]] = {name: [] for name in ["hello", *paths]}
        server_costs: dict[str, list[float]] = {name: [] for name in ["hello", *paths]}
        local = local_postgresql(url)
        server = local and database_cpu() is not None
        if local and not server:
            print("no PostgreSQL process visible here: the server's CPU is not shown", flush=True)
        floors: list[float] = []

        def timed(base: str, path: str, cookie: str, name: str) -> float:
            before, server_before = workers_cpu(base), database_cpu() if server else None
            rate = wrk(base + path, cookie, duration=args.duration, **options)
            requests = rate * args.duration
            costs[name].append((workers_cpu(base) - before) * 1000 / requests)
            server_after = database_cpu() if server else None
            if server_before is not None and server_after is not None:
                server_costs[name].append((server_after - server_before) * 1000 / requests)
            return rate

        # Each page's run stands between two runs of the hello app, and its ratio is to the
        # geometric mean of the two: this machine's speed moves by a third or more within
        # minutes, and a floor taken once a round lay up to half a minute from the pages it
        # divided. The order of the pages is reversed every other round.
        for number in range(1, args.rounds + 1):
            floor_before = timed(hello_base, "/", "", "hello")
            floors.append(floor_before)
            line = [f"round {number}: hello {floor_before:8.1f}/s"]
            names = list(paths) if number % 2 else list(reversed(paths))
            for name in names:
                rate = timed(app_base, paths[name], cookies[who[name]], name)
                floor_after = timed(hello_base, "/", "", "hello")
                floors.append(floor_after)
                ratios[name].append(rate / math.sqrt(floor_before * floor_after))
                line.append(f"{name} {rate:.1f}/s, hello {floor_after:.1f}/s")
                floor_before = floor_after
            print(", ".join(line), flush=True)

    database = url.split(":", 1)[0]
    print(
        f"\n{database}; {args.people:,} people + a unit of {MEMBERS} × {REQUIRED} required "
        f"courses; gunicorn {args.workers} workers; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s; {args.rounds} rounds; hello floor median "
        f"{statistics.median(floors):.0f}/s"
    )
    server_column = f" {'server CPU ms':>14}" if server else ""
    print(
        f"{'page':24} {'÷ floor (median)':>18} {'target':>10}        {'CPU ms/request':>14}"
        + server_column
    )
    failed = False
    for name, values in ratios.items():
        ratio = statistics.median(values)
        target = TARGETS[name]
        ok = ratio >= target
        failed |= not ok
        shown, wanted = f"1/{1 / ratio:.0f}", f"≥ 1/{1 / target:.0f}"
        cost = statistics.median(costs[name])
        line = f"{name:24} {shown:>18} {wanted:>10}  {'PASS' if ok else 'FAIL'}  {cost:14.2f}"
        if server:
            line += f" {statistics.median(server_costs[name]):14.2f}"
        print(line)
    floor_cost = statistics.median(costs["hello"])
    line = f"{'hello (the floor)':24} {'':>18} {'':>10}        {floor_cost:14.3f}"
    if server:
        line += f" {statistics.median(server_costs['hello']):14.3f}"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
