"""Time the whole-organisation roster: CSV and XLSX exports, the SQL floor, the first page.

    .venv/bin/python bench/generate_org.py            # once: instance/bench-org.sqlite3, 100k
    .venv/bin/python bench/roster_export.py [--database-url URL] [--from 2024-01-01]
        [--to 2028-12-31] [--rounds 10]
    .venv/bin/python bench/roster_export.py --people 2000    # a small throwaway database

Measures, for the roster of every unit over one period:

(a) `flask reports roster --format csv` in a child process: wall time and the child's peak RSS;
(b) the same for `--format xlsx`;
(c) the floor: the `sqlite3` command-line tool writing the same joined rows (person, unit name at
    the time, plan years approved, hours, completions per category) as CSV;
(d) `GET /reports/roster` for the period as an HCTH user through the test client: the median of
    --rounds requests after one warm-up;
(e) with --criteria, the CSV again, judged against an award-criteria set made for the run and
    deleted after it (the floor has no criteria: the ratio is shown, not held to a target).

Then prints the figures against the targets (CSV at most 2x the floor, XLSX at most 10x, peak
memory under 200 MB, first page under 200 ms) and exits 1 when any target fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from bench.generate_org import BENCH_PASSWORD, BENCH_USER, DEFAULT_URL  # noqa: E402

CSV_FACTOR = 2.0
XLSX_FACTOR = 10.0
MEMORY_MB = 200.0
PAGE_MS = 200.0

# The roster's rows in plain SQL: one row per membership overlapping the period, with the unit's
# name on the last day of that membership in the period, and per-year figures summed over the
# years the membership overlaps. It leaves out what the SQL cannot say simply (required items
# assigned through the unit tree, the yearly target and the percentage), so it is a floor.
FLOOR_SQL = """
WITH m AS (
  SELECT person_id, unit_id,
         max(valid_from, '{first}') AS since,
         min(coalesce(valid_until, '{last}'), '{last}') AS until
  FROM membership
  WHERE valid_from <= '{last}' AND (valid_until IS NULL OR valid_until >= '{first}')
),
my AS (
  SELECT m.*, CAST(substr(since, 1, 4) AS INTEGER) AS y1,
         CAST(substr(until, 1, 4) AS INTEGER) AS y2
  FROM m
),
latest AS (
  SELECT plan_id, max(number) AS number FROM plan_version GROUP BY plan_id
),
approved AS (
  SELECT my.person_id, my.unit_id, my.since, count(*) AS years
  FROM my
  JOIN study_plan sp ON sp.person_id = my.person_id AND sp.year BETWEEN my.y1 AND my.y2
  JOIN latest ON latest.plan_id = sp.id
  JOIN plan_version pv ON pv.plan_id = sp.id AND pv.number = latest.number
  WHERE pv.status = 'approved'
  GROUP BY my.person_id, my.unit_id, my.since
),
done AS (
  SELECT cp.person_id, CAST(strftime('%Y', cp.completed_at, '+7 hours') AS INTEGER) AS year,
         c.category, cp.hours_credited
  FROM course_progress cp JOIN course c ON c.id = cp.course_id
  WHERE cp.completed_at >= '{start_utc}' AND cp.completed_at < '{end_utc}'
),
courses AS (
  SELECT my.person_id, my.unit_id, my.since,
         sum(done.hours_credited) AS tiet,
         sum(done.category = 'digital-skills') AS digital,
         sum(done.category = 'foreign-language') AS foreign_language,
         sum(done.category = 'ethnic-language') AS ethnic
  FROM my JOIN done ON done.person_id = my.person_id AND done.year BETWEEN my.y1 AND my.y2
  GROUP BY my.person_id, my.unit_id, my.since
),
external AS (
  SELECT my.person_id, my.unit_id, my.since, sum(ea.hours) AS hours
  FROM my
  JOIN external_activity ea ON ea.person_id = my.person_id AND ea.year BETWEEN my.y1 AND my.y2
  WHERE ea.status = 'verified'
  GROUP BY my.person_id, my.unit_id, my.since
)
SELECT row_number() OVER (ORDER BY my.unit_id, p.sort_key, p.id, my.since) AS stt,
       p.full_name, p.date_of_birth, p.position, uv.name AS unit_name,
       coalesce(approved.years, 0) || '/' || (my.y2 - my.y1 + 1) AS plan_years,
       coalesce(courses.tiet, 0) AS course_tiet, coalesce(external.hours, 0) AS external_hours,
       coalesce(courses.digital, 0) AS digital,
       coalesce(courses.foreign_language, 0) AS foreign_language,
       coalesce(courses.ethnic, 0) AS ethnic
FROM my
JOIN person p ON p.id = my.person_id
JOIN unit_version uv ON uv.unit_id = my.unit_id AND uv.valid_from <= my.until
  AND (uv.valid_until IS NULL OR uv.valid_until >= my.until)
LEFT JOIN approved USING (person_id, unit_id, since)
LEFT JOIN courses USING (person_id, unit_id, since)
LEFT JOIN external USING (person_id, unit_id, since)
ORDER BY stt;
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--people",
        type=int,
        help="generate a throwaway database of this many people first (quick runs)",
    )
    parser.add_argument("--from", dest="first", default="2024-01-01")
    parser.add_argument("--to", dest="last", default="2028-12-31")
    parser.add_argument("--rounds", type=int, default=10, help="page requests to time")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of floor-then-export for each format"
    )
    parser.add_argument("--skip", default="", help="comma-separated: csv,xlsx,floor,page")
    parser.add_argument(
        "--criteria",
        action="store_true",
        help="also time the CSV judged against an award-criteria set (made for the run, "
        "then deleted): five criteria, one of them a four-indicator points scheme",
    )
    return parser.parse_args()


def period_set(url: str, first: date, last: date) -> int | None:
    """The criteria set made for exactly this period, which the roster would apply by default."""
    from lms import create_app
    from lms.awards.queries import set_for_period

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        return set_for_period(first, last)


def bench_criteria_set(url: str, first: date, last: date, *, remove: int | None = None) -> int:
    """Make the criteria set the --criteria run judges everyone against; or remove it."""
    from decimal import Decimal

    from lms import create_app
    from lms.awards import services
    from lms.awards.criteria import CriteriaSpec, CriterionSpec, IndicatorSpec
    from lms.awards.models import CriteriaSet
    from lms.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context():
        if remove is not None:
            services.delete_set(db.session.get(CriteriaSet, remove))
            db.session.commit()
            return remove
        scheme = (
            IndicatorSpec(None, "Giờ học", Decimal(40), Decimal(5), "hours"),
            IndicatorSpec(None, "Nội dung bắt buộc", Decimal(30), Decimal(5), "required"),
            IndicatorSpec(None, "Kế hoạch", Decimal(20), Decimal(0), "plan"),
            IndicatorSpec(None, "Khóa học", Decimal(10), Decimal(0), "courses", target=3),
        )
        spec = CriteriaSpec(
            None,
            f"Bench {first.isoformat()}–{last.isoformat()}",
            first,
            last,
            (
                CriterionSpec("plan_approved"),
                CriterionSpec("required_done"),
                CriterionSpec("hours", percent=100),
                CriterionSpec("courses", count=1, category="digital-skills"),
                CriterionSpec("points", threshold=Decimal(80), indicators=scheme),
            ),
        )
        made = services.save_set(None, spec)
        db.session.commit()
        return made.id


def run_child(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """Run a command; return its wall time (s), CPU time (s), own peak RSS (MB) and output."""
    began = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    # wait4 reports the resources of this child alone, not the largest child so far.
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - began
    output = child.stdout.read().decode("utf-8", "replace")
    child.stdout.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({child.returncode}):\n{output}")
    # ru_maxrss is in KiB on Linux.
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def export(
    fmt: str, url: str, first: date, last: date, out_dir: Path, label: str = "", extra=()
) -> tuple[float, float, float]:
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_SECRET_KEY="bench", FLASK_APP="wsgi:app")
    # As a server runs: with the compiled modules cached (the startup round writes them), not
    # compiling every module again in each timed command as PYTHONDONTWRITEBYTECODE would.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    output = out_dir / f"roster.{fmt}"
    command = [
        str(Path(sys.executable).parent / "flask"),
        "reports",
        "roster",
        "--from",
        first.strftime("%d/%m/%Y"),
        "--to",
        last.strftime("%d/%m/%Y"),
        "--format",
        fmt,
        "--output",
        str(output),
        *extra,
    ]
    elapsed, cpu, peak, text = run_child(command, env)
    size = output.stat().st_size / 1024 / 1024
    print(
        f"  {label or fmt}: {elapsed:.2f} s (CPU {cpu:.2f} s), peak RSS {peak:.0f} MB, "
        f"file {size:.1f} MB; {text.strip().splitlines()[-1]}"
    )
    return elapsed, cpu, peak


def floor(url: str, first: date, last: date, out_dir: Path) -> tuple[float | None, float | None]:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        print("  floor: only measured on SQLite (the sqlite3 tool)")
        return None, None
    tool = shutil.which("sqlite3")
    if tool is None:
        print("  floor: no sqlite3 command-line tool (apt-get install sqlite3)")
        return None, None
    # The local year's bounds in UTC, as stored (Việt Nam is UTC+7 all year).
    start_utc = datetime(first.year, 1, 1) - timedelta(hours=7)
    end_utc = datetime(last.year + 1, 1, 1) - timedelta(hours=7)
    sql = FLOOR_SQL.format(
        first=first.isoformat(),
        last=last.isoformat(),
        start_utc=start_utc.isoformat(" "),
        end_utc=end_utc.isoformat(" "),
    )
    output = out_dir / "floor.csv"
    began = time.perf_counter()
    with open(output, "wb") as stream:
        child = subprocess.Popen(
            [tool, "-csv", "-header", "-readonly", parsed.database, sql], stdout=stream
        )
        _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("sqlite3 failed on the floor query")
    with open(output, "rb") as stream:
        rows = sum(1 for _ in stream) - 1
    cpu = usage.ru_utime + usage.ru_stime
    print(f"  floor: {elapsed:.2f} s (CPU {cpu:.2f} s), {rows:,} rows")
    return elapsed, cpu


def first_page(url: str, first: date, last: date, rounds: int) -> float:
    from lms import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    client = app.test_client()
    response = client.post("/login", data={"username": BENCH_USER, "password": BENCH_PASSWORD})
    if response.status_code != 302:
        sys.exit(f"could not sign in as {BENCH_USER} ({response.status_code})")
    path = f"/reports/roster?from={first.isoformat()}&to={last.isoformat()}"
    response = client.get(path)  # warm-up: templates, caches
    if response.status_code != 200:
        sys.exit(f"GET {path}: {response.status_code}")
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    median = statistics.median(samples)
    print(f"  page: GET {path}: median {median:.0f} ms over {rounds} (min {min(samples):.0f} ms)")
    return median


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def main() -> int:
    args = parse_args()
    first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp:
        out_dir = Path(tmp)
        url = args.database_url
        if args.people:
            url = f"sqlite:///{out_dir / 'org.sqlite3'}"
            generated = subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "generate_org.py"),
                    "--people",
                    str(args.people),
                    "--database-url",
                    url,
                ],
                capture_output=True,
                text=True,
            )
            if generated.returncode != 0:
                sys.exit(f"generate_org.py failed:\n{generated.stdout}{generated.stderr}")
        print(f"roster {first.isoformat()} to {last.isoformat()} of {url}")
        # What any export pays before its first row: the interpreter, the app, an empty roster.
        base_time, _cpu, base_peak = export(
            "csv", url, date(2000, 1, 1), date(2000, 12, 31), out_dir, "startup (empty roster)"
        )
        existing = period_set(url, first, last)
        if existing:
            sys.exit(
                f"criteria set {existing} is made for exactly this period: every export would be "
                "judged against it. Measure another period, or remove the set first."
            )
        kinds = [kind for kind in ("csv", "xlsx") if kind not in skip]
        if args.criteria:
            kinds.append("criteria")
        # Each export is timed right after the floor, in rounds: on a shared machine the speed
        # of the CPU drifts over minutes, and an export and its floor measured side by side
        # drift together. The verdict is on the median of the rounds' ratios.
        samples: dict[str, list[tuple]] = {kind: [] for kind in kinds}
        floors: list[float] = []
        for round_number in range(1, args.repeat + 1):
            print(f"round {round_number}/{args.repeat}")
            for kind in kinds:
                # The criteria set exists only for its own pair (made before the floor, so
                # that the floor and the export still run side by side): it is the period's
                # own set, and the other exports, made without one, must not see it.
                set_id = bench_criteria_set(url, first, last) if kind == "criteria" else None
                try:
                    floor_time = floor_cpu = None
                    if "floor" not in skip:
                        floor_time, floor_cpu = floor(url, first, last, out_dir)
                        if floor_time is not None:
                            floors.append(floor_time)
                    if set_id is None:
                        elapsed, cpu, peak = export(kind, url, first, last, out_dir)
                    else:
                        elapsed, cpu, peak = export(
                            "csv", url, first, last, out_dir, "csv, criteria set",
                            ("--criteria", str(set_id)),
                        )  # fmt: skip
                finally:
                    if set_id is not None:
                        bench_criteria_set(url, first, last, remove=set_id)
                samples[kind].append((elapsed, cpu, peak, floor_time, floor_cpu))
        page_ms = first_page(url, first, last, args.rounds) if "page" not in skip else None

    def median_time(kind):
        found = samples.get(kind)
        return statistics.median(t for t, *_ in found) if found else None

    def peak(kind):
        found = samples.get(kind)
        return max(p for _t, _c, p, _f, _fc in found) if found else None

    def ratio(kind, cpu=False):
        found = [
            (c / fc if cpu else t / f) for t, c, _p, f, fc in samples.get(kind, []) if f and fc
        ]
        return statistics.median(found) if found else None

    def shown_ratio(kind):
        value = ratio(kind)
        return "" if value is None else f"{value:.1f}x (CPU {ratio(kind, cpu=True):.1f}x)"

    def within(value, limit):
        return None if value is None else value < limit

    def times_floor(kind, factor):
        value = ratio(kind)
        return None if value is None else value <= factor

    def seconds(value):
        return "—" if value is None else f"{value:.2f} s"

    def megabytes(value):
        return "—" if value is None else f"{value:.0f} MB"

    checks = [
        ("CSV export time", seconds(median_time("csv")), shown_ratio("csv"),
         f"<= {CSV_FACTOR:g}x floor", times_floor("csv", CSV_FACTOR)),
        ("XLSX export time", seconds(median_time("xlsx")), shown_ratio("xlsx"),
         f"<= {XLSX_FACTOR:g}x floor", times_floor("xlsx", XLSX_FACTOR)),
        ("CSV peak memory", megabytes(peak("csv")), "", f"< {MEMORY_MB:g} MB",
         within(peak("csv"), MEMORY_MB)),
        ("XLSX peak memory", megabytes(peak("xlsx")), "", f"< {MEMORY_MB:g} MB",
         within(peak("xlsx"), MEMORY_MB)),
        ("CSV, criteria set", seconds(median_time("criteria")), shown_ratio("criteria"), "",
         None),
        ("  its peak memory", megabytes(peak("criteria")), "", "", None),
        ("floor (sqlite3 CSV)", seconds(statistics.median(floors) if floors else None), "", "",
         None),
        ("startup, empty roster", seconds(base_time), megabytes(base_peak), "", None),
        ("first page, median", "—" if page_ms is None else f"{page_ms:.0f} ms", "",
         f"< {PAGE_MS:g} ms", within(page_ms, PAGE_MS)),
    ]  # fmt: skip
    print()
    print(f"medians of {args.repeat} round(s); each ratio is to the floor timed just before")
    print(f"{'measure':22} {'value':>10} {'vs floor':>20}  {'target':18} verdict")
    for label, value, note, target, ok in checks:
        shown = verdict(ok) if target else ""
        print(f"{label:22} {value:>10} {note:>20}  {target:18} {shown}")
    failed = any(ok is False for *_rest, ok in checks)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
