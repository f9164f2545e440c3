"""A course assigned to a unit of 2,000 people: its notices and their e-mails queued, timed
(issue 14's figure: under 2 s on SQLite).

Not a test: run it by hand (`make` does not).

    .venv/bin/python bench/notices.py [--people 2000] [--rounds 3]
    .venv/bin/python bench/notices.py --database-url postgresql+psycopg://user:pw@127.0.0.1/scratch

It makes a unit of that many members, each with an e-mail address, sets an SMTP server (none
is contacted: queueing is what is timed; `flask mail send` sends later), and times
`assign_course` with its commit: the assignment, one notice per member and one queued e-mail
each. It prints the seconds of each round and exits 1 when the median is not under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.scratch import scratch_url  # noqa: E402
from lms import create_app  # noqa: E402
from lms.accounts.models import Person  # noqa: E402
from lms.courses.models import Course  # noqa: E402
from lms.db import db, utcnow  # noqa: E402
from lms.org.models import Membership, Unit, UnitKind  # noqa: E402
from lms.outbox.models import OutgoingMail  # noqa: E402
from lms.plans import assignments  # noqa: E402
from lms.plans.models import Notification  # noqa: E402

TARGET_SECONDS = 2.0


def make_unit(people: int) -> Unit:
    unit = Unit(code="BENCH", kind=UnitKind.DIVISION, valid_from=date(2020, 1, 1))
    db.session.add(unit)
    db.session.flush()
    now = utcnow()
    db.session.execute(
        insert(Person),
        [
            {
                "username": f"nguoi{n}",
                "full_name": f"Người Thứ {n}",
                "given_name": str(n),
                "family_and_middle": "Người Thứ",
                "sort_key": f"{n:06d}",
                "search_name": f"nguoi thu {n}",
                "email": f"nguoi{n}@example.vn",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(people)
        ],
    )
    ids = db.session.scalars(select(Person.id)).all()
    db.session.execute(
        insert(Membership),
        [{"person_id": pid, "unit_id": unit.id, "valid_from": date(2020, 1, 1)} for pid in ids],
    )
    db.session.commit()
    return unit


def course(number: int) -> Course:
    found = Course(
        slug=f"khoa-{number}",
        title=f"Khóa học {number}",
        category="digital-skills",
        language="vi",
        level="beginner",
        hours=4,
        summary="",
        authors=[],
        sources=[],
        version="1",
        intro_html="",
    )
    db.session.add(found)
    db.session.commit()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(args.database_url, tmp, "notices")
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SMTP_HOST": "smtp.invalid"}
        )
        with app.app_context():
            db.create_all()
            unit = make_unit(args.people)
            times = []
            for number in range(args.rounds):
                chosen = course(number)
                begin = time.perf_counter()
                assignments.assign_course(
                    unit=unit,
                    course_id=chosen.id,
                    year=date.today().year,
                    kind="required",
                    due_on=date(date.today().year, 12, 31),
                    include_subunits=True,
                    actor_id=None,
                )
                db.session.commit()
                times.append(time.perf_counter() - begin)
            notices = db.session.scalar(select(func.count()).select_from(Notification))
            mails = db.session.scalar(select(func.count()).select_from(OutgoingMail))
    median = statistics.median(times)
    print(f"{args.people:,} people, {args.rounds} assignments ({url.split(':')[0]}):")
    print("  seconds each: " + ", ".join(f"{t:.2f}" for t in times))
    print(
        f"  median {median:.2f} s (target < {TARGET_SECONDS} s); "
        f"{notices:,} notices, {mails:,} e-mails queued"
    )
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
