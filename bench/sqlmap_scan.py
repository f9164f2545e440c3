"""Run sqlmap against the search and filter pages of a local demo server; summarise findings.

Usage:  make sqlmap-scan ARGS="[--level 2] [--risk 1] [--keep] [--only PATH]"
   or:  .venv/bin/python bench/sqlmap_scan.py [...] after `pip install -e ".[sqlmap]"`

It creates a throwaway SQLite database with the demo organisation and the courses, starts
gunicorn on a free port, signs in through the real form as `hcth` and as `admin`, then runs
`sqlmap --batch --flush-session` on each target with that session's cookie (only the query
parameters are tested, never the cookie). sqlmap's output goes to a temporary folder. The
script exits 1 when sqlmap reports an injectable parameter or the server answered 500.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "HocTap@2024"


@dataclass(frozen=True)
class Target:
    who: str  # the demo account whose cookie is sent
    path: str  # with a plausible value for every parameter
    params: tuple[str, ...]  # the parameters sqlmap tests
    extra: tuple[str, ...] = ()  # more sqlmap options


def targets(unit_id: int, year: int) -> list[Target]:
    day = f"01/01/{year}"
    last = f"31/12/{year}"
    return [
        Target("hcth", "/courses/?q=tay&bo_dau=1", ("q", "bo_dau")),
        Target(
            "hcth",
            f"/reports/roster?q=an&unit={unit_id}&from={day}&to={last}&page=1",
            ("q", "unit", "from", "to", "page"),
        ),
        Target("hcth", f"/reports/roster?period={year}&format=html", ("period", "format")),
        Target(
            "hcth",
            f"/plans/units/{unit_id}/{year}?status=submitted&q=an&sort=name&desc=1&page=1",
            ("status", "q", "sort", "desc", "page"),
        ),
        Target(
            "admin",
            f"/admin/people/?q=an&unit={unit_id}&status=active&page=1",
            ("q", "unit", "status", "page"),
        ),
        Target("admin", f"/admin/units/?closed=1&who=hcth&day={day}", ("closed", "who", "day")),
        Target("admin", f"/admin/units/{unit_id}/members?q=an&page=1", ("q", "page")),
        Target(
            "admin",
            "/admin/audit/?entity_type=person&entity_id=1&page=1",
            ("entity_type", "entity_id", "page"),
        ),
        # An unknown code answers 404 by design; sqlmap would stop at the first one.
        Target("admin", "/verify?code=ABCD-1234", ("code",), ("--ignore-code", "404")),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def sign_in(base: str, username: str) -> str:
    """Sign in through the real form (with its CSRF token); return the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
    opener.open(f"{base}/login", data=form.encode()).read()
    cookie = next((c.value for c in jar if c.name == "session"), None)
    check = opener.open(f"{base}/account/password")
    if cookie is None or "/login" in check.geturl():
        raise SystemExit(f"could not sign in as {username}")
    return cookie


def run_sqlmap(base: str, target: Target, cookie: str, out: Path, args) -> dict:
    command = [
        str(BIN / "sqlmap"),
        "-u",
        base + target.path,
        "--cookie",
        f"session={cookie}",
        "-p",
        ",".join(target.params),
        "--batch",
        "--flush-session",
        "--level",
        str(args.level),
        "--risk",
        str(args.risk),
        "--time-sec",
        "2",
        "--output-dir",
        str(out),
        "--disable-coloring",
        *target.extra,
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    text = result.stdout + result.stderr
    (out / f"{re.sub(r'[^a-z0-9]+', '_', target.path)[:60]}.log").write_text(text)
    injectable = sorted(set(re.findall(r"Parameter: (\S+) \((?:GET|URI)\)", text)))
    errors = re.findall(r"HTTP error codes detected during run:\s*(.*)", text)
    return {
        "target": target,
        "seconds": round(time.monotonic() - started),
        "injectable": injectable,
        "not_injectable": "do not appear to be injectable" in text,
        "http_errors": errors[0] if errors else "",
        "server_errors": "500 (Internal Server Error)" in text,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, default=2)
    parser.add_argument("--risk", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per target")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--only", default="", help="scan only targets whose path has this text")
    args = parser.parse_args()
    if not (BIN / "sqlmap").exists():
        # sqlmap is its own extra, installed neither by `make run` nor by `make test`.
        print(
            f"no sqlmap in {BIN}: run `make sqlmap-scan`, or install the extra with\n"
            "  .venv/bin/pip install --require-hashes -r requirements/sqlmap.txt",
            file=sys.stderr,
        )
        return 2

    work = Path(tempfile.mkdtemp(prefix="lms-sqlmap-"))
    database = work / "lms.sqlite3"
    env = dict(
        os.environ,
        LMS_DATABASE_URL=f"sqlite:///{database}",
        LMS_SECRET_KEY=secrets.token_hex(32),
        LMS_DEMO="1",
        # sqlmap sends thousands of requests; none is a sign-in, but keep the throttle out of it.
        LMS_LOGIN_MAX_FAILURES_ADDRESS="1000",
    )
    flask(env, "db", "upgrade")
    flask(env, "courses", "import", "courses")
    flask(env, "demo", "seed")
    with sqlite3.connect(database) as connection:
        unit_id = connection.execute(
            "SELECT unit_id FROM unit_version WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()[0]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=(work / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    results = []
    try:
        wait_until_up(base, server)
        cookies = {who: sign_in(base, who) for who in ("hcth", "admin")}
        for target in targets(unit_id, date.today().year):
            if args.only not in target.path:
                continue
            print(f"-- sqlmap {target.path} as {target.who} ...", flush=True)
            results.append(run_sqlmap(base, target, cookies[target.who], work, args))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"\nsqlmap level {args.level}, risk {args.risk}; logs in {work}")
    print("| endpoint | as | parameters | result | HTTP errors | time |")
    print("|---|---|---|---|---|---|")
    failed = False
    for found in results:
        target = found["target"]
        if found["injectable"]:
            verdict = "INJECTABLE: " + ", ".join(found["injectable"])
        elif found["not_injectable"]:
            verdict = "not injectable"
        else:
            verdict = "inconclusive (see log)"
        failed |= bool(found["injectable"]) or found["server_errors"]
        print(
            f"| {target.path.split('?')[0]} | {target.who} | {', '.join(target.params)} "
            f"| {verdict} | {found['http_errors'] or 'none'} | {found['seconds']} s |"
        )
    tracebacks = (work / "server.log").read_text().count("Traceback")
    print(f"server tracebacks: {tracebacks}")
    if not args.keep and not failed and not tracebacks:
        shutil.rmtree(work)
        print("(logs removed; rerun with --keep to keep them)")
    return 1 if failed or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
