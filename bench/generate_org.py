"""Generate a whole organisation of generated people over five years, for report benchmarks.

    .venv/bin/python bench/generate_org.py [--people 100000] [--first-year 2024] [--years 5]
        [--database-url sqlite:///instance/bench-org.sqlite3] [--replace]

Migrates the target database, imports courses/ (and adds a few generated courses in the three
categories), then writes with bulk Core inserts, in batches of people: the unit tree (agency,
divisions, sub-units; the agency and one division renamed, one division merged into another),
memberships (some people move, some join late, some leave), a plan per person and year with
versions (mostly approved) and items, course completions, external activities with hours,
unit assignments (required courses), the default yearly rules, and initiatives when the awards
feature has them. It also adds an HCTH account `bench-hcth` (password `bench-password`) for
the roster page. Prints the row counts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, inspect, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from lms import create_app  # noqa: E402
from lms.accounts.models import Person, PersonPosition, RoleGrant  # noqa: E402
from lms.auth import services as auth  # noqa: E402
from lms.courses import checker, importer  # noqa: E402
from lms.courses.models import Course  # noqa: E402
from lms.db import db  # noqa: E402
from lms.i18n import local_day  # noqa: E402
from lms.learning.models import CourseProgress  # noqa: E402
from lms.org.models import Membership, Unit, UnitVersion  # noqa: E402
from lms.plans import rules as plan_rules  # noqa: E402
from lms.plans.models import (  # noqa: E402
    ExternalActivity,
    PlanItem,
    PlanStatus,
    PlanVersion,
    StudyPlan,
)
from lms.progress.ledger import activity_day  # noqa: E402
from lms.progress.models import (  # noqa: E402
    Credit,
    TargetRule,
    UnitAssignment,
)
from lms.roles import Role  # noqa: E402
from lms.text import fold, person_sort_key, split_name  # noqa: E402

try:  # The awards feature is being built: initiatives are generated once its table exists.
    from lms.awards.models import Initiative, InitiativeAuthor  # noqa: E402
except ImportError:
    Initiative = InitiativeAuthor = None

DEFAULT_URL = f"sqlite:///{ROOT / 'instance' / 'bench-org.sqlite3'}"
BATCH = 5_000
BENCH_USER = "bench-hcth"
BENCH_PASSWORD = "bench-password"
ORIGIN = date(2020, 1, 1)  # units and most memberships exist before the campaign

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Lý",
    "Nông",
    "Lò",
    "Vi",
    "Lương",
    "Ma",
    "Triệu",
    "Hà",
    "Lục",
    "Hứa",
    "Sầm",
    "Chu",
    "Giáp",
    "Thân",
    "La",
    "Đinh",
    "Mông",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Thu",
    "Hữu",
    "Thanh",
    "Ngọc",
    "Quang",
    "Xuân",
    "Kim",
    "Bảo",
    "Diệu",
    "Khánh",
]
GIVEN = [
    "An",
    "Anh",
    "Bình",
    "Chiến",
    "Cường",
    "Dũng",
    "Đào",
    "Giang",
    "Hà",
    "Hải",
    "Hằng",
    "Hoa",
    "Hùng",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phong",
    "Phúc",
    "Quản",
    "Quế",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Thủy",
    "Toàn",
    "Trang",
    "Tú",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
    "Ánh",
    "Ưng",
    "Ơn",
    "Slam",
    "Nọong",
]
POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Phó Trưởng phòng", "Trưởng phòng", "Cán sự"]
ETHNICITIES = ["Kinh", "Tày", "Nùng", "Sán Dìu", "Hoa", "Sán Chay", "Dao", "Mông"]
DIVISIONS = [
    ("HCTH", "Phòng Hành chính - Tổng hợp"),
    ("CSDT", "Phòng Chính sách dân tộc"),
    ("KHTC", "Phòng Kế hoạch - Tài chính"),
    ("TTRA", "Thanh tra"),
    ("TGIAO", "Phòng Tôn giáo"),
    ("TTUYEN", "Phòng Tuyên truyền và Địa bàn"),
    ("DTSD", "Phòng Dân tộc huyện Sơn Động"),
    ("DTLN", "Phòng Dân tộc huyện Lục Ngạn"),
    ("DTLNAM", "Phòng Dân tộc huyện Lục Nam"),
    ("DTYT", "Phòng Dân tộc huyện Yên Thế"),
] + [(f"DV{n:02d}", f"Đơn vị trực thuộc số {n}") for n in range(11, 21)]
SUB_UNITS = 4
EXTRA_COURSES = {
    "digital-skills": ["Khai thác dữ liệu số", "An toàn thông tin cơ bản", "Chữ ký số"],
    "foreign-language": ["Tiếng Anh văn phòng", "Tiếng Trung giao tiếp", "Tiếng Anh nâng cao"],
    "ethnic-language": ["Tiếng Nùng nhập môn", "Tiếng Dao cơ bản", "Chữ Tày cổ"],
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--first-year", type=int, default=2024)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--replace", action="store_true", help="delete an existing SQLite file")
    parser.add_argument("--seed", type=int, default=2024, help="same seed, same organisation")
    return parser.parse_args()


def prepare_sqlite_file(url: str, replace: bool) -> None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return
    path = Path(parsed.database)
    if path.exists():
        if not replace:
            sys.exit(f"{path} exists; pass --replace to generate it again.")
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)


class Ids:
    """Hand out primary keys ourselves, so batches never read ids back."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def start(self, table, connection) -> None:
        self.next[table.name] = (connection.scalar(select(func.max(table.c.id))) or 0) + 1

    def take(self, table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


class Writer:
    """Collect rows per table and insert them with executemany in batches."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.pending: dict = {}
        self.counts: dict[str, int] = {}

    def add(self, table, row: dict) -> None:
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) >= BATCH:
            # Everything, parents first: a child row may not reach the database before its parent.
            self.flush()

    def flush_table(self, table) -> None:
        rows = self.pending.get(table)
        if not rows:
            return
        # One executemany per shape of row: every row of a statement needs the same keys.
        shapes: dict[tuple[str, ...], list[dict]] = {}
        for row in rows:
            shapes.setdefault(tuple(row), []).append(row)
        for same in shapes.values():
            self.connection.execute(insert(table), same)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        rows.clear()

    def flush(self) -> None:
        # Parents before children: the order the metadata sorts tables in.
        for table in db.metadata.sorted_tables:
            self.flush_table(table)


def import_courses() -> None:
    sources, is_collection = checker.load_folder(ROOT / "courses")
    report = checker.check_courses(sources, is_collection=is_collection)
    if report.errors:
        sys.exit("courses/ has errors; run `flask courses check`.")
    importer.import_courses(report, retire_missing=False)
    now = datetime.now(UTC)
    existing = set(db.session.scalars(select(Course.slug)))
    rows = [
        dict(
            slug=f"bench-{category}-{n}",
            title=title,
            category=category,
            language="vi",
            level="beginner",
            hours=Decimal(4 * (n + 1)),
            summary="",
            authors=[],
            sources=[],
            version="1",
            intro_html="",
            created_at=now,
            imported_at=now,
        )
        for category, titles in EXTRA_COURSES.items()
        for n, title in enumerate(titles)
        if f"bench-{category}-{n}" not in existing
    ]
    if rows:
        db.session.execute(insert(Course), rows)
    db.session.commit()


class Organisation:
    """The unit tree: which units exist, with names and parents over time."""

    def __init__(self, first_year: int) -> None:
        self.reform = date(2025, 7, 1)  # provinces merged, districts abolished
        self.rename = date(2025, 3, 1)
        self.agency = 0
        self.divisions: list[int] = []
        self.leaves: list[int] = []  # sub-units people are placed in
        self.merged = self.successor = 0
        self.merged_leaves: list[int] = []
        self.units: dict[int, str] = {}

    def build(self, writer: Writer, ids: Ids) -> None:
        unit, version = Unit.__table__, UnitVersion.__table__

        def add_unit(code, kind, valid_until=None, successor_id=None):
            uid = ids.take(unit)
            writer.add(
                unit,
                dict(
                    id=uid,
                    code=code,
                    kind=kind,
                    valid_from=ORIGIN,
                    valid_until=valid_until,
                    successor_id=successor_id,
                ),
            )
            self.units[uid] = code
            return uid

        def add_version(uid, name, parent_id, start, until=None):
            writer.add(
                version,
                dict(
                    id=ids.take(version),
                    unit_id=uid,
                    name=name,
                    parent_id=parent_id,
                    valid_from=start,
                    valid_until=until,
                ),
            )

        day_before = self.reform - timedelta(days=1)
        self.agency = add_unit("SDTTG", "agency")
        add_version(self.agency, "Ban Dân tộc tỉnh Bắc Giang", None, ORIGIN, day_before)
        add_version(self.agency, "Sở Dân tộc và Tôn giáo", None, self.reform)
        codes = [code for code, _name in DIVISIONS]
        self.successor_code, merged_code = "DTLNAM", "DTYT"
        for code, name in DIVISIONS:
            kind = "district_office" if code.startswith("DT") else "division"
            is_merged = code == merged_code
            uid = add_unit(code, kind, valid_until=day_before if is_merged else None)
            self.divisions.append(uid)
            if code == "CSDT":
                add_version(uid, name, self.agency, ORIGIN, self.rename - timedelta(days=1))
                add_version(uid, "Phòng Chính sách", self.agency, self.rename)
            elif is_merged:
                add_version(uid, name, self.agency, ORIGIN, day_before)
                self.merged = uid
            else:
                add_version(uid, name, self.agency, ORIGIN)
            if code == self.successor_code:
                self.successor = uid
        writer.flush()
        # The merged office names its successor, which was created after it.
        writer.connection.execute(
            unit.update().where(unit.c.id == self.merged).values(successor_id=self.successor)
        )
        for division, code in zip(self.divisions, codes, strict=True):
            for n in range(1, SUB_UNITS + 1):
                uid = add_unit(f"{code}-{n}", "other")
                name = f"Tổ {n} - {code}"
                self.leaves.append(uid)
                if division == self.merged:
                    # Its teams live on under the successor, with the same names.
                    add_version(uid, name, division, ORIGIN, day_before)
                    add_version(uid, name, self.successor, self.reform)
                    self.merged_leaves.append(uid)
                else:
                    add_version(uid, name, division, ORIGIN)
        writer.flush()


def random_moment(rng: random.Random, first: date, last: date) -> datetime:
    """A moment between two local days, in UTC, during office hours in Việt Nam."""
    days = (last - first).days
    day = first + timedelta(days=rng.randint(0, max(days, 0)))
    return datetime(
        day.year, day.month, day.day, rng.randint(1, 10), rng.randint(0, 59), tzinfo=UTC
    )


def generate(args: argparse.Namespace) -> dict[str, int]:
    rng = random.Random(args.seed)
    years = list(range(args.first_year, args.first_year + args.years))
    period_first, period_last = date(years[0], 1, 1), date(years[-1], 12, 31)
    today = date.today()
    # Nothing is completed, verified or decided after today.
    last_event_day = min(today, period_last)

    import_courses()
    course_rows = db.session.execute(select(Course.id, Course.category, Course.hours)).all()
    plan_rules.seed_default_rules()
    hcth_password = auth.hash_password(BENCH_PASSWORD)
    db.session.commit()

    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA synchronous = OFF"))
    tables = [
        Unit,
        UnitVersion,
        Person,
        Membership,
        StudyPlan,
        PlanVersion,
        PlanItem,
        CourseProgress,
        ExternalActivity,
        Credit,
        PersonPosition,
        UnitAssignment,
        RoleGrant,
    ]
    with_initiatives = Initiative is not None and inspect(connection).has_table("initiative")
    if with_initiatives:
        tables.append(Initiative)
    ids = Ids()
    for model in tables:
        ids.start(model.__table__, connection)
    writer = Writer(connection)
    org = Organisation(args.first_year)
    org.build(writer, ids)

    # Required courses: one per division and year, due in the autumn; a recommended one too.
    assignment = UnitAssignment.__table__
    for year in years:
        for division in org.divisions:
            for kind, due in (("required", date(year, 9, 30)), ("recommended", date(year, 11, 30))):
                course_id = rng.choice(course_rows).id
                writer.add(
                    assignment,
                    dict(
                        id=ids.take(assignment),
                        unit_id=division,
                        course_id=course_id,
                        year=year,
                        kind=kind,
                        include_subunits=True,
                        due_on=due,
                        created_at=datetime(year, 1, 15, 2, tzinfo=UTC),
                    ),
                )

    names: dict[str, tuple[str, str, str, str]] = {}
    person, membership = Person.__table__, Membership.__table__
    plan, version, item = StudyPlan.__table__, PlanVersion.__table__, PlanItem.__table__
    progress, activity = CourseProgress.__table__, ExternalActivity.__table__
    credit = Credit.__table__
    position_table = PersonPosition.__table__
    created = datetime(years[0] - 1, 12, 1, tzinfo=UTC)
    statuses = [PlanStatus.APPROVED] * 80 + [PlanStatus.SUBMITTED] * 8
    statuses += [PlanStatus.RETURNED] * 5 + [PlanStatus.DRAFT] * 7
    live_leaves = [uid for uid in org.leaves if uid not in org.merged_leaves] + org.merged_leaves
    started = time.perf_counter()

    for n in range(args.people):
        full_name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        if full_name not in names:
            family_and_middle, given = split_name(full_name)
            names[full_name] = (
                given,
                family_and_middle,
                person_sort_key(full_name),
                fold(full_name),
            )
        given, family_and_middle, sort_key, search_name = names[full_name]
        person_id = ids.take(person)

        # Membership: most from before the campaign; some join late, move once, or leave.
        roll = rng.random()
        joined = ORIGIN if roll > 0.1 else random_moment(rng, period_first, last_event_day).date()
        unit_id = rng.choice(live_leaves)
        spans: list[tuple[int, date, date | None]] = []
        left = None
        if rng.random() < 0.05 and joined < last_event_day - timedelta(days=60):
            moved = random_moment(rng, max(joined, period_first), last_event_day).date()
            if moved > joined:
                spans.append((unit_id, joined, moved - timedelta(days=1)))
                unit_id, joined = rng.choice(live_leaves), moved
        if rng.random() < 0.03 and joined < last_event_day - timedelta(days=30):
            left = random_moment(rng, joined + timedelta(days=1), last_event_day).date()
        spans.append((unit_id, joined, left))
        if n % 200 == 0:
            # People directly in the merged office move to its successor on the reform day.
            spans = [
                (org.merged, ORIGIN, org.reform - timedelta(days=1)),
                (org.successor, org.reform, None),
            ]
            joined, left = ORIGIN, None
        position = rng.choice(POSITIONS)
        writer.add(
            person,
            dict(
                id=person_id,
                username=f"cb{n:06d}",
                full_name=full_name,
                given_name=given,
                family_and_middle=family_and_middle,
                sort_key=sort_key,
                search_name=search_name,
                date_of_birth=date(rng.randint(1965, 2001), rng.randint(1, 12), rng.randint(1, 28)),
                gender=rng.choice(["male", "female"]),
                ethnicity=rng.choice(ETHNICITIES),
                position=position,
                employment_kind="cong_chuc" if rng.random() < 0.85 else "vien_chuc",
                must_change_password=False,
                is_active=left is None,
                is_demo=False,
                created_at=created,
                updated_at=created,
            ),
        )
        # The position held since joining, as the platform records it (lms.accounts).
        writer.add(
            position_table,
            dict(
                id=ids.take(position_table),
                person_id=person_id,
                position=position,
                valid_from=spans[0][1],
                recorded_at=created,
            ),
        )
        for uid, start, until in spans:
            writer.add(
                membership,
                dict(
                    id=ids.take(membership),
                    person_id=person_id,
                    unit_id=uid,
                    valid_from=start,
                    valid_until=until,
                ),
            )

        member_years = [
            y
            for y in years
            if date(y, 12, 31) >= max(joined, ORIGIN) and (left is None or left.year >= y)
        ]
        # Completions: each course at most once, on a day the person was a member.
        first_day = max(joined, period_first)
        last_day = min(left or last_event_day, last_event_day)
        if first_day <= last_day:
            for course in rng.sample(course_rows, rng.randint(0, 6)):
                moment = random_moment(rng, first_day, last_day)
                progress_id = ids.take(progress)
                writer.add(
                    progress,
                    dict(
                        id=progress_id,
                        person_id=person_id,
                        course_id=course.id,
                        started_at=moment - timedelta(days=rng.randint(1, 60)),
                        last_activity_at=moment,
                        completed_at=moment,
                        hours_credited=course.hours,
                    ),
                )
                # The ledger entry the platform writes with every completion (lms.progress).
                writer.add(
                    credit,
                    dict(
                        id=ids.take(credit),
                        person_id=person_id,
                        day=local_day(moment),
                        source="course",
                        course_progress_id=progress_id,
                        course_id=course.id,
                        amount=course.hours,
                        unit="tiet",
                        created_at=moment,
                    ),
                )
        for year in member_years:
            if year > today.year + 1:
                continue
            activity_ids = []
            if date(year, 1, 1) <= last_day and rng.random() < 0.6:
                starts = random_moment(rng, date(year, 1, 1), min(date(year, 12, 31), last_day))
                state = rng.choice(["verified"] * 8 + ["pending", "rejected"])
                activity_id = ids.take(activity)
                activity_ids.append(activity_id)
                hours = Decimal(rng.choice([8, 12, 16, 24, 40]))
                ends_on = starts.date() + timedelta(days=2)
                writer.add(
                    activity,
                    dict(
                        id=activity_id,
                        person_id=person_id,
                        year=year,
                        kind=rng.choice(["training", "refresher", "workshop"]),
                        title="Lớp bồi dưỡng kiến thức quản lý nhà nước",
                        organiser="Trường Chính trị tỉnh",
                        starts_on=starts.date(),
                        ends_on=ends_on,
                        hours=hours,
                        status=state,
                        decided_at=None if state == "pending" else starts,
                        created_at=starts,
                    ),
                )
                if state == "verified":
                    writer.add(
                        credit,
                        dict(
                            id=ids.take(credit),
                            person_id=person_id,
                            day=activity_day(year, ends_on),
                            source="activity",
                            activity_id=activity_id,
                            amount=hours,
                            unit="hour",
                            created_at=starts,
                        ),
                    )
            if rng.random() > 0.92:
                continue  # no plan this year
            plan_id = ids.take(plan)
            plan_day = datetime(year, 1, rng.randint(2, 28), 3, tzinfo=UTC)
            writer.add(
                plan,
                dict(id=plan_id, person_id=person_id, year=year, revision=1, created_at=plan_day),
            )
            final = PlanStatus.DRAFT if year > today.year else rng.choice(statuses)
            count = 1 if final == PlanStatus.DRAFT else rng.choice([1, 1, 1, 2, 3])
            for number in range(1, count + 1):
                status = final if number == count else PlanStatus.RETURNED
                version_id = ids.take(version)
                writer.add(
                    version,
                    dict(
                        id=version_id,
                        plan_id=plan_id,
                        number=number,
                        status=status,
                        created_at=plan_day,
                        submitted_at=None if status == PlanStatus.DRAFT else plan_day,
                        decided_at=plan_day if status in ("approved", "returned") else None,
                    ),
                )
                for course in rng.sample(course_rows, 2):
                    writer.add(
                        item,
                        dict(
                            id=ids.take(item),
                            version_id=version_id,
                            course_id=course.id,
                            planned_quarter=rng.randint(1, 4),
                            expected_hours=course.hours,
                        ),
                    )
                for activity_id in activity_ids:
                    writer.add(
                        item,
                        dict(
                            id=ids.take(item),
                            version_id=version_id,
                            activity_id=activity_id,
                            planned_month=rng.randint(1, 12),
                            expected_hours=Decimal(8),
                        ),
                    )
        if with_initiatives and member_years and rng.random() < 0.03:
            add_initiative(writer, ids, rng, person_id, spans[-1][0], member_years, today)
        if (n + 1) % 20_000 == 0:
            elapsed = time.perf_counter() - started
            print(f"  {n + 1:,} people in {elapsed:.0f} s", flush=True)

    hcth_id = ids.take(person)
    writer.add(
        person,
        dict(
            id=hcth_id,
            username=BENCH_USER,
            full_name="Lương Thị Tổng Hợp",
            given_name="Hợp",
            family_and_middle="Lương Thị Tổng",
            sort_key=person_sort_key("Lương Thị Tổng Hợp"),
            search_name=fold("Lương Thị Tổng Hợp"),
            password_hash=hcth_password,
            employment_kind="cong_chuc",
            must_change_password=False,
            is_active=True,
            is_demo=False,
            created_at=created,
            updated_at=created,
        ),
    )
    writer.flush()
    writer.add(
        RoleGrant.__table__,
        dict(
            id=ids.take(RoleGrant.__table__),
            person_id=hcth_id,
            role=Role.HCTH,
            granted_at=created,
            valid_from=created.date(),  # grants have their days in force (3c5d7e9f1a20)
        ),
    )
    writer.flush()
    if connection.dialect.name == "postgresql":
        for model in tables:
            name = model.__table__.name
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                )
            )
    db.session.commit()
    if with_initiatives:
        tables.append(InitiativeAuthor)
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in [Course, TargetRule, *tables]
    }


def add_initiative(
    writer: Writer, ids: Ids, rng: random.Random, person_id: int, unit_id: int, years, today
) -> None:
    """An approved initiative of one person (sometimes recognised by the agency)."""
    table = Initiative.__table__
    year = rng.choice([y for y in years if y <= today.year] or years)
    decided = datetime(year, 11, 20, 3, tzinfo=UTC)
    initiative_id = ids.take(table)
    recognised = rng.random() < 0.3
    writer.add(
        table,
        dict(
            id=initiative_id,
            title=f"Sáng kiến số hóa hồ sơ {initiative_id}",
            summary="Giải pháp rút ngắn thời gian xử lý hồ sơ.",
            evidence=f"Quyết định công nhận số {initiative_id}/QĐ-SDTTG",
            unit_id=unit_id,
            year=year,
            recognition_level="agency" if recognised else None,
            recognised_on=date(year, 12, 15) if recognised else None,
            status="approved",
            decided_at=decided,
            decision_note="",
            created_at=decided - timedelta(days=30),
        ),
    )
    writer.add(
        InitiativeAuthor.__table__,
        dict(initiative_id=initiative_id, person_id=person_id, position=1),
    )


def main() -> int:
    args = parse_args()
    prepare_sqlite_file(args.database_url, args.replace)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench"})
    began = time.perf_counter()
    with app.app_context():
        upgrade()
        if db.session.scalar(select(func.count()).select_from(Person)):
            sys.exit("The database already has people; generate into an empty one.")
        counts = generate(args)
        db.session.remove()
        db.engine.dispose()
    elapsed = time.perf_counter() - began
    for name, count in counts.items():
        print(f"{name:20} {count:>10,}")
    print(f"generated {args.people:,} people in {elapsed:.0f} s into {args.database_url}")
    if "initiative" not in counts:
        print("initiatives: none (no lms.awards.models.Initiative or no initiative table yet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
