"""Time the manager's plan dashboard for a unit of 2,000 people on generated data.

    .venv/bin/python bench/plans_dashboard.py [--people 2000] [--rounds 15] [--target-ms 150]

Builds a throwaway SQLite database (or LMS_BENCH_DATABASE_URL), migrates it, generates a unit
with sub-units, members (some moved mid-year), plans in every state, course completions,
verified external hours and assignments, then requests the dashboard through the test client
as the unit's head and prints the median server time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from lms import create_app  # noqa: E402
from lms.accounts.models import Person, RoleGrant  # noqa: E402
from lms.auth import services as auth  # noqa: E402
from lms.courses.models import Course  # noqa: E402
from lms.db import db  # noqa: E402
from lms.learning.models import CourseProgress  # noqa: E402
from lms.org.models import Membership, Unit, UnitVersion  # noqa: E402
from lms.plans import rules  # noqa: E402
from lms.plans.models import ExternalActivity, PlanStatus, PlanVersion, StudyPlan
from lms.progress.models import UnitAssignment
from lms.roles import Role  # noqa: E402
from lms.text import fold, person_sort_key  # noqa: E402

YEAR = 2026
FAMILY = ["Nguyễn", "Trần", "Lê", "Hoàng", "Nông", "Lò", "Vi", "Lương", "Ma", "Triệu"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hữu"]
GIVEN = ["An", "Bình", "Chiến", "Dũng", "Đào", "Hoa", "Hùng", "Lan", "Mai", "Quản", "Sơn", "Tú"]


def generate(people: int) -> tuple[int, str]:
    rng = random.Random(2026)
    start = date(2020, 1, 1)
    root = Unit(code="SO", kind="agency", valid_from=start)
    division = Unit(code="PHONG", kind="division", valid_from=start)
    teams = [Unit(code=f"TO{n}", kind="other", valid_from=start) for n in range(4)]
    other = Unit(code="KHAC", kind="division", valid_from=start)
    db.session.add_all([root, division, other, *teams])
    db.session.flush()
    db.session.add_all(
        [UnitVersion(unit_id=root.id, name="Sở Dân tộc và Tôn giáo", valid_from=start)]
        + [
            UnitVersion(
                unit_id=division.id, name="Phòng Chính sách", parent_id=root.id, valid_from=start
            )
        ]
        + [UnitVersion(unit_id=other.id, name="Phòng khác", parent_id=root.id, valid_from=start)]
        + [
            UnitVersion(unit_id=t.id, name=f"Tổ {n}", parent_id=division.id, valid_from=start)
            for n, t in enumerate(teams)
        ]
    )
    courses = [
        Course(
            slug=f"k{n}",
            title=f"Khóa {n}",
            category="c",
            language="vi",
            level="l",
            hours=Decimal(rng.choice([4, 8, 12])),
            summary="",
            authors=[],
            sources=[],
            version="1",
            intro_html="",
        )
        for n in range(12)
    ]
    db.session.add_all(courses)
    rows = []
    for n in range(people + 1):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {n}"
        rows.append(
            dict(
                username=f"u{n}",
                full_name=name,
                given_name=name.split()[-2],
                family_and_middle=" ".join(name.split()[:2]),
                sort_key=person_sort_key(name),
                search_name=fold(name),
                employment_kind="cong_chuc",
            )
        )
    db.session.execute(insert(Person), rows)
    ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    head_id, member_ids = ids[0], ids[1:]
    head = db.session.get(Person, head_id)
    head.password_hash = auth.hash_password("bench-password")
    db.session.add(
        RoleGrant(person_id=head_id, role=Role.MANAGER, unit_id=division.id, valid_from=start)
    )
    memberships = [dict(person_id=head_id, unit_id=division.id, valid_from=start)]
    for i, person_id in enumerate(member_ids):
        unit = rng.choice([division, *teams])
        if i % 20 == 0:  # moved in June from another division
            memberships.append(
                dict(
                    person_id=person_id,
                    unit_id=other.id,
                    valid_from=start,
                    valid_until=date(YEAR, 5, 31),
                )
            )
            memberships.append(
                dict(person_id=person_id, unit_id=unit.id, valid_from=date(YEAR, 6, 1))
            )
        else:
            memberships.append(dict(person_id=person_id, unit_id=unit.id, valid_from=start))
    db.session.execute(insert(Membership), memberships)
    db.session.flush()
    for course in courses[:3]:
        db.session.add(
            UnitAssignment(
                unit_id=division.id,
                course_id=course.id,
                year=YEAR,
                kind="required",
                include_subunits=True,
                due_on=date(YEAR, rng.randint(2, 11), 28),
            )
        )
    completions, plans = [], []
    for person_id in member_ids:
        for course in rng.sample(courses, rng.randint(0, 5)):
            moment = datetime(YEAR, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(-30, 330))
            completions.append(
                dict(
                    person_id=person_id,
                    course_id=course.id,
                    started_at=moment,
                    last_activity_at=moment,
                    completed_at=moment,
                    hours_credited=course.hours,
                )
            )
        if rng.random() < 0.8:
            plans.append(dict(person_id=person_id, year=YEAR, revision=rng.randint(1, 5)))
    db.session.execute(insert(CourseProgress), completions)
    db.session.execute(insert(StudyPlan), plans)
    plan_ids = list(db.session.scalars(select(StudyPlan.id)))
    versions = []
    for plan_id in plan_ids:
        for number in range(1, rng.randint(1, 3) + 1):
            versions.append(
                dict(plan_id=plan_id, number=number, status=rng.choice(list(PlanStatus)))
            )
    db.session.execute(insert(PlanVersion), versions)
    db.session.execute(
        insert(ExternalActivity),
        [
            dict(
                person_id=person_id,
                year=YEAR,
                kind="training",
                title="Lớp bồi dưỡng",
                organiser="Trường Chính trị",
                starts_on=date(YEAR, 5, 1),
                ends_on=date(YEAR, 5, 3),
                hours=Decimal(16),
                status=rng.choice(["pending", "verified", "rejected"]),
            )
            for person_id in member_ids[::3]
        ],
    )
    rules.seed_default_rules()
    db.session.commit()
    return division.id, "u0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--target-ms", type=float, default=150.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("LMS_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            }
        )
        with app.app_context():
            upgrade()
            unit_id, username = generate(args.people)
            db.session.remove()
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "bench-password"})
        timings = {}
        for label, query in [
            ("name", ""),
            ("percent", "?sort=percent&desc=1"),
            ("search", "?q=nguyen+van&status=submitted"),
        ]:
            path = f"/plans/units/{unit_id}/{YEAR}{query}"
            assert client.get(path).status_code == 200  # warm-up
            samples = []
            for _ in range(args.rounds):
                began = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
            timings[label] = statistics.median(samples)
            print(f"{label:8} {path}: median {timings[label]:.1f} ms over {args.rounds} requests")
        worst = max(timings.values())
        verdict = "PASS" if worst <= args.target_ms else "FAIL"
        print(
            f"{args.people} people; slowest median {worst:.1f} ms "
            f"(target {args.target_ms:.0f} ms): {verdict}"
        )
        return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
