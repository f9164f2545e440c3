"""xAPI statements for 100,000 learning events: built and queued, then sent to a real LRS.

    .venv/bin/python bench/xapi_push.py [--events 100000] [--people 500] [--batch 500]
        [--sink ralph|local]

Not a test: run it by hand. In a throwaway SQLite database (or LMS_BENCH_DATABASE_URL, a
scratch database whose tables go first) it imports courses/, then a child process adds people
and bulk-inserts the events (lesson time, review time, quiz answers with their attempts and
outcomes, lesson completions) so the generation's memory is not counted. This process then runs
`flask xapi push`'s two steps and prints, for each, statements per second, and the process's
peak resident memory (ru_maxrss) after the app started and after each step: bounded chunks keep
the growth small whatever the number of events.

The LRS is Ralph (.venv-ralph, `make .venv-ralph/.installed`, started as the tests start it),
or with --sink local a minimal stand-in that only parses and keeps the ids (the cost of our side
alone).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from lms import create_app  # noqa: E402
from lms.accounts import services as accounts  # noqa: E402
from lms.accounts.models import Person  # noqa: E402
from lms.courses import checker, importer  # noqa: E402
from lms.courses.models import Lesson, Quiz  # noqa: E402
from lms.db import db  # noqa: E402
from lms.learning.models import EventKind, LearningEvent, QuizAttempt  # noqa: E402
from lms.xapi import services  # noqa: E402
from lms.xapi.models import XapiStatement  # noqa: E402
from tests.xapi import lrs  # noqa: E402  (Ralph started as the tests start it)

HOME = "https://hoctap.example.vn"
CHUNK = 5000


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def app_for(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "PUBLIC_URL": HOME})


def generate(url: str, events: int, people: int) -> None:
    """Migrate, import courses/, add people and the events (the child process's work)."""
    app = app_for(url)
    rng = random.Random(16)
    with app.app_context():
        upgrade()
        sources, is_collection = checker.load_folder(ROOT / "courses")
        report = checker.check_courses(sources, is_collection=is_collection)
        importer.import_courses(report, retire_missing=is_collection)
        for n in range(people):
            accounts.create_person(username=f"bench.xapi.{n}", full_name=f"Người Học {n}")
        db.session.commit()
        now = datetime.now(UTC)
        person_ids = list(db.session.scalars(select(Person.id)))
        lessons = db.session.execute(select(Lesson.id, Lesson.course_id)).all()
        quizzes = db.session.execute(
            select(Quiz.id, Quiz.lesson_id, Lesson.course_id).join(Lesson)
        ).all()
        start = now - timedelta(days=365)
        made = 0
        while made < events:
            rows: list[dict] = []
            while len(rows) < CHUNK and made + len(rows) < events:
                person = rng.choice(person_ids)
                moment = start + timedelta(seconds=rng.randrange(365 * 86400))
                roll = rng.random()
                if roll < 0.2 and events - made - len(rows) >= 2:
                    quiz_id, lesson_id, course_id = rng.choice(quizzes)
                    total = rng.randint(3, 10)
                    correct = rng.randint(0, total)
                    percent = correct * 100 // total
                    attempt = QuizAttempt(
                        person_id=person,
                        course_id=course_id,
                        lesson_id=lesson_id,
                        quiz_id=quiz_id,
                        answers={},
                        results=[],
                        correct=correct,
                        total=total,
                        percent=percent,
                        pass_mark=60,
                        is_passed=percent >= 60,
                        submitted_at=moment,
                    )
                    db.session.add(attempt)
                    db.session.flush()
                    where = {
                        "course_id": course_id,
                        "lesson_id": lesson_id,
                        "quiz_id": quiz_id,
                        "attempt_id": attempt.id,
                    }
                    outcome = EventKind.PASSED if attempt.is_passed else EventKind.FAILED
                    for kind, seconds in ((EventKind.ANSWERED, rng.randint(20, 600)), (outcome, 0)):
                        rows.append(_event(person, kind, moment, seconds, where))
                    continue
                lesson_id, course_id = rng.choice(lessons)
                kind = (
                    EventKind.VIEWED
                    if roll < 0.75
                    else EventKind.REVIEWED
                    if roll < 0.85
                    else EventKind.COMPLETED
                )
                where = {"course_id": course_id, "lesson_id": lesson_id}
                rows.append(_event(person, kind, moment, rng.randint(30, 1800), where))
            db.session.execute(insert(LearningEvent), rows)
            db.session.commit()
            made += len(rows)
        db.engine.dispose()


def _event(person: int, kind: EventKind, moment: datetime, seconds: int, where: dict) -> dict:
    return {
        "client_event_id": str(uuid.uuid4()),
        "person_id": person,
        "kind": kind,
        "seconds": seconds,
        "occurred_at": moment,
        **where,
    }


def run(url: str, args: argparse.Namespace) -> None:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, __file__, "--generate-only", "--events", str(args.events)]
        + ["--people", str(args.people), "--database-url", url],
        check=True,
    )
    print(f"generated {args.events:,} events in {time.monotonic() - started:.1f} s")
    app = app_for(url)
    with tempfile.TemporaryDirectory() as folder, app.app_context():
        if args.sink == "ralph":
            if not lrs.RALPH_PYTHON.exists():
                sys.exit("no .venv-ralph: run `make .venv-ralph/.installed`, or use --sink local")
            ralph = lrs.start_ralph(Path(folder))
            endpoint, stop = ralph.endpoint, lambda: lrs.stop(ralph)
        else:
            sink = lrs.FakeStore(keep=False)
            server, endpoint = sink.serve()
            stop = server.shutdown
        app.config.update(XAPI_ENDPOINT=endpoint, XAPI_KEY=lrs.KEY, XAPI_SECRET=lrs.SECRET)
        try:
            at_start = peak_mb()
            timed = time.monotonic()
            queued = services.enqueue_new()
            building = time.monotonic() - timed
            after_building = peak_mb()
            lrs_store = services.store()
            assert lrs_store is not None
            timed = time.monotonic()
            pushed = services.send_due(lrs_store, args.batch)
            sending = time.monotonic() - timed
            after_sending = peak_mb()
            sent = db.session.scalar(
                select(func.count(XapiStatement.id)).where(XapiStatement.status == "sent")
            )
        finally:
            stop()
    print(f"built and queued {queued:,} statements in {building:.1f} s: {queued / building:,.0f}/s")
    print(
        f"sent {pushed.sent:,} to {args.sink} in batches of {args.batch} in {sending:.1f} s: "
        f"{pushed.sent / sending:,.0f}/s (rejected {pushed.rejected}, put off {pushed.put_off}; "
        f"{sent:,} marked sent)"
    )
    print(
        f"peak RSS: {at_start:.0f} MB with the app, {after_building:.0f} MB after queueing, "
        f"{after_sending:.0f} MB after sending"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--sink", choices=("ralph", "local"), default="ralph")
    parser.add_argument("--database-url")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(args.database_url, args.events, args.people)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("LMS_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/xapi.sqlite3"
        if url.startswith("postgresql"):
            with app_for(url).app_context():
                db.drop_all()
                db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
        run(url, args)


if __name__ == "__main__":
    main()
