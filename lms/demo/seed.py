"""The demo organisation: Ban Dân tộc tỉnh Bắc Giang, its people, and its 2025 reorganisation.

Everything is built through the real services, so the audit log tells the same story a real
administrator's work would, with no signed-in actor: the system did it. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from werkzeug.security import check_password_hash

from lms.accounts import services as people
from lms.accounts.models import EmploymentKind, Gender, Person
from lms.agency import services as agency_services
from lms.auth import services as auth
from lms.citizens import services as citizens
from lms.citizens.models import Commune
from lms.db import db
from lms.org import services as org
from lms.org.models import Unit, UnitKind
from lms.plans import rules
from lms.roles import Role
from lms.text import fold

# The one password of every demo account; README and `make run` show it. Demo accounts sign
# in only while DEMO_MODE is on, so it never opens a production install.
DEMO_PASSWORD = "HocTap@2024"

FOUNDED = date(2008, 8, 1)
ROSTER_START = date(2024, 1, 1)
MID_2024_MOVE = date(2024, 7, 1)
# Bộ Dân tộc và Tôn giáo was created on 1 March 2025; the provincial Ban followed.
MINISTRY_REFORM = date(2025, 3, 1)
# Bắc Giang and Bắc Ninh merged, and districts were abolished, on 1 July 2025.
PROVINCE_MERGER = date(2025, 7, 1)

AGENCY = "BDT"
HCTH = "HCTH"
POLICY = "CSDT"
OUTREACH = "TTDB"
INSPECTION = "TTRA"
RELIGION = "TONGIAO"
GRASSROOTS = "CTDTCS"
SON_DONG, LUC_NGAN, LUC_NAM, YEN_THE = "PDT-SD", "PDT-LNG", "PDT-LN", "PDT-YT"
DISTRICT_OFFICES = (SON_DONG, LUC_NGAN, LUC_NAM, YEN_THE)

AGENCY_NAME_2008 = "Ban Dân tộc tỉnh Bắc Giang"
AGENCY_NAME_2025_03 = "Sở Dân tộc và Tôn giáo tỉnh Bắc Giang"
AGENCY_NAME_2025_07 = "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh"
# What the agency's documents print since the merger (Nghị định 30/2020 letterhead, signers).
AGENCY_PROFILE = {
    "agency_name": "Sở Dân tộc và Tôn giáo",
    "parent_body": "UBND tỉnh Bắc Ninh",
    "place": "Bắc Ninh",
    "preparer_title": "Người lập biểu",
    "preparer_name": "Trần Thị Thu Hương",
    "head_title": "Giám đốc",
    "head_name": "Nguyễn Văn Thắng",
}


@dataclass(frozen=True)
class UnitSeed:
    code: str
    name: str
    kind: UnitKind
    parent: str | None = AGENCY
    valid_from: date = FOUNDED


# District ethnic-affairs offices were district bodies; under the agency here for the demo.
UNITS_2008 = (
    UnitSeed(AGENCY, AGENCY_NAME_2008, UnitKind.AGENCY, parent=None),
    UnitSeed(HCTH, "Phòng Hành chính - Tổng hợp", UnitKind.DIVISION),
    UnitSeed(POLICY, "Phòng Chính sách dân tộc", UnitKind.DIVISION),
    UnitSeed(OUTREACH, "Phòng Tuyên truyền và Địa bàn", UnitKind.DIVISION),
    UnitSeed(INSPECTION, "Thanh tra Ban", UnitKind.DIVISION),
    UnitSeed(SON_DONG, "Phòng Dân tộc huyện Sơn Động", UnitKind.DISTRICT_OFFICE),
    UnitSeed(LUC_NGAN, "Phòng Dân tộc huyện Lục Ngạn", UnitKind.DISTRICT_OFFICE),
    UnitSeed(LUC_NAM, "Phòng Dân tộc huyện Lục Nam", UnitKind.DISTRICT_OFFICE),
    UnitSeed(YEN_THE, "Phòng Dân tộc huyện Yên Thế", UnitKind.DISTRICT_OFFICE),
)
# Religious affairs came over to the renamed Sở with its staff.
RELIGION_UNIT = UnitSeed(RELIGION, "Phòng Tôn giáo", UnitKind.DIVISION, valid_from=MINISTRY_REFORM)
# The four district offices end with the districts and merge into one division.
GRASSROOTS_UNIT = UnitSeed(
    GRASSROOTS, "Phòng Công tác dân tộc cơ sở", UnitKind.DIVISION, valid_from=PROVINCE_MERGER
)

# Every unit the seed makes; `flask demo purge` removes those that only demo data uses.
SEEDED_UNIT_CODES = tuple(u.code for u in (*UNITS_2008, RELIGION_UNIT, GRASSROOTS_UNIT))


@dataclass(frozen=True)
class PersonSeed:
    full_name: str
    ethnicity: str
    gender: Gender
    born: date
    position: str
    unit: str
    employment_kind: EmploymentKind = EmploymentKind.CONG_CHUC
    username: str | None = None
    since: date = ROSTER_START
    moved_to: str | None = None  # unit code from MID_2024_MOVE

    @property
    def login(self) -> str:
        return self.username or ascii_username(self.full_name)


M, F = Gender.MALE, Gender.FEMALE
NLD = EmploymentKind.NGUOI_LAO_DONG

PEOPLE_2024 = (
    # Leadership, members of the agency itself; positions are today's titles.
    PersonSeed("Nguyễn Văn Thắng", "Kinh", M, date(1968, 4, 12), "Giám đốc", AGENCY),
    PersonSeed("Hoàng Văn Lợi", "Tày", M, date(1972, 9, 3), "Phó Giám đốc", AGENCY),
    # Phòng Hành chính - Tổng hợp: drives the campaign, compiles and reports results.
    PersonSeed("Trần Thị Thu Hương", "Kinh", F, date(1975, 1, 20), "Trưởng phòng", HCTH),
    PersonSeed("Lương Văn Tuấn", "Nùng", M, date(1983, 6, 8), "Phó Trưởng phòng", HCTH),
    PersonSeed(
        "Nguyễn Thị Lan Anh",
        "Kinh",
        F,
        date(1988, 11, 2),
        "Chuyên viên chính",
        HCTH,
        username="hcth",
    ),
    PersonSeed("Đỗ Minh Quân", "Kinh", M, date(1990, 3, 15), "Chuyên viên", HCTH, username="admin"),
    PersonSeed("Vi Thị Hạnh", "Nùng", F, date(1985, 7, 27), "Kế toán", HCTH),
    PersonSeed("Ngô Thị Thảo", "Kinh", F, date(1992, 12, 5), "Văn thư", HCTH),
    PersonSeed("Trương Văn Hùng", "Sán Dìu", M, date(1979, 2, 14), "Lái xe", HCTH, NLD),
    # Phòng Chính sách dân tộc.
    PersonSeed(
        "Hà Văn Khánh",
        "Nùng",
        M,
        date(1974, 10, 9),
        "Trưởng phòng",
        POLICY,
        username="truongphong",
    ),
    PersonSeed("Lê Thị Phương", "Kinh", F, date(1981, 5, 30), "Phó Trưởng phòng", POLICY),
    PersonSeed(
        "Nông Thị Hồng Nhung",
        "Tày",
        F,
        date(1994, 8, 18),
        "Chuyên viên",
        POLICY,
        username="hocvien",
    ),
    PersonSeed("Triệu Văn Sinh", "Dao", M, date(1989, 4, 1), "Chuyên viên", POLICY),
    # Phòng Tuyên truyền và Địa bàn; one of its people moved to Chính sách in mid-2024.
    PersonSeed("Phạm Văn Hải", "Kinh", M, date(1977, 9, 22), "Trưởng phòng", OUTREACH),
    PersonSeed("Hoàng Minh Đức", "Tày", M, date(1987, 1, 11), "Phó Trưởng phòng", OUTREACH),
    PersonSeed(
        "Diệp Thị Yến",
        "Sán Dìu",
        F,
        date(1991, 6, 25),
        "Chuyên viên",
        OUTREACH,
        username="bientap",
    ),
    PersonSeed(
        "Bàn Thị Mây",
        "Dao",
        F,
        date(1993, 3, 7),
        "Chuyên viên",
        OUTREACH,
        username="congtacvien",
    ),
    PersonSeed(
        "Lăng Văn Quyết",
        "Tày",
        M,
        date(1986, 12, 19),
        "Chuyên viên chính",
        OUTREACH,
        moved_to=POLICY,
    ),
    # Thanh tra Ban.
    PersonSeed("Vũ Đức Long", "Kinh", M, date(1973, 8, 16), "Chánh Thanh tra", INSPECTION),
    PersonSeed("Lâm Thị Hoa", "Sán Dìu", F, date(1984, 2, 28), "Thanh tra viên", INSPECTION),
    # District ethnic-affairs offices.
    PersonSeed("Đặng Văn Minh", "Dao", M, date(1980, 5, 5), "Trưởng phòng", SON_DONG),
    PersonSeed("Hoàng Thị Liên", "Tày", F, date(1988, 9, 9), "Chuyên viên", SON_DONG),
    PersonSeed("La Thị Huệ", "Sán Chay", F, date(1990, 10, 13), "Chuyên viên", SON_DONG),
    PersonSeed("Vi Văn Thạch", "Nùng", M, date(1976, 3, 24), "Trưởng phòng", LUC_NGAN),
    PersonSeed("Nguyễn Văn Hậu", "Kinh", M, date(1985, 11, 30), "Phó Trưởng phòng", LUC_NGAN),
    PersonSeed("Triệu Thị Hằng", "Nùng", F, date(1992, 7, 4), "Chuyên viên", LUC_NGAN),
    PersonSeed("Trương Thị Nga", "Sán Dìu", F, date(1982, 4, 17), "Trưởng phòng", LUC_NAM),
    PersonSeed("Bàn Văn Quý", "Dao", M, date(1991, 1, 29), "Chuyên viên", LUC_NAM),
    PersonSeed("Ma Văn Tiến", "Tày", M, date(1983, 12, 1), "Trưởng phòng", YEN_THE),
    PersonSeed("Diệp Văn Cương", "Sán Dìu", M, date(1989, 6, 12), "Chuyên viên", YEN_THE),
)
PEOPLE_2025 = (
    PersonSeed(
        "Thân Văn Hòa",
        "Kinh",
        M,
        date(1984, 10, 20),
        "Trưởng phòng",
        RELIGION,
        since=MINISTRY_REFORM,
    ),
    PersonSeed(
        "Lương Thị Ngọc",
        "Nùng",
        F,
        date(1995, 5, 3),
        "Chuyên viên",
        RELIGION,
        since=MINISTRY_REFORM,
    ),
)
PEOPLE = PEOPLE_2024 + PEOPLE_2025


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    manages: str | None = None  # unit code, for a manager


DEMO_ACCOUNTS = (
    DemoAccount("hocvien", Role.LEARNER),
    DemoAccount("truongphong", Role.MANAGER, manages=POLICY),
    DemoAccount("hcth", Role.HCTH),
    DemoAccount("bientap", Role.EDITOR),
    DemoAccount("admin", Role.ADMIN),
    DemoAccount("congtacvien", Role.CONTRIBUTOR),
    DemoAccount("nguoidan", Role.CITIZEN),
)
# The communes and wards a demo citizen chooses from: a sample, not the province's list (load
# that with `flask citizens communes FILE`).
DEMO_COMMUNES = """code,name
DEMO-01,Phường Bắc Giang
DEMO-02,Phường Kinh Bắc
DEMO-03,Xã Sơn Động
DEMO-04,Xã Lục Ngạn
DEMO-05,Xã Yên Thế
"""
DEMO_CITIZEN = ("Hoàng Thị Mai", "nguoidan", "DEMO-03")


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as `make run` lists it."""

    username: str
    full_name: str
    role: Role
    unit_name: str | None
    has_demo_password: bool


@dataclass(frozen=True)
class SeedSummary:
    units: int
    people: int


def ascii_username(full_name: str) -> str:
    """Return the login name offices make from a full name: "Nguyễn Văn An" -> "nguyenvanan"."""
    return "".join(char for char in fold(full_name) if char.isascii() and char.isalnum())


def database_is_empty() -> bool:
    """Say whether no person and no unit exist yet, so the demo may be seeded."""
    return not db.session.scalar(
        select(exists().where(Person.id.isnot(None)) | exists().where(Unit.id.isnot(None)))
    )


def _create_unit(seed: UnitSeed, units: dict[str, Unit]) -> Unit:
    unit = org.create_unit(
        code=seed.code,
        name=seed.name,
        kind=seed.kind,
        parent=units[seed.parent] if seed.parent else None,
        valid_from=seed.valid_from,
    )
    units[seed.code] = unit
    return unit


def _create_person(seed: PersonSeed, units: dict[str, Unit]) -> Person:
    person = people.create_person(
        username=seed.login,
        full_name=seed.full_name,
        date_of_birth=seed.born,
        gender=seed.gender,
        ethnicity=seed.ethnicity,
        position=seed.position,
        position_since=seed.since,
        employment_kind=seed.employment_kind,
    )
    # Not an editable field on purpose: only the seed makes demo people.
    person.is_demo = True
    org.assign_to_unit(person, units[seed.unit], seed.since)
    return person


def seed_demo_organisation() -> SeedSummary:
    """Create the demo organisation with its history, people and demo accounts (no commit)."""
    units: dict[str, Unit] = {}
    persons: dict[str, Person] = {}
    for unit_seed in UNITS_2008:
        _create_unit(unit_seed, units)
    for person_seed in PEOPLE_2024:
        persons[person_seed.login] = _create_person(person_seed, units)
    for person_seed in PEOPLE_2024:
        if person_seed.moved_to:
            mover = persons[person_seed.login]
            org.assign_to_unit(mover, units[person_seed.moved_to], MID_2024_MOVE)

    agency = units[AGENCY]
    org.rename_unit(agency, AGENCY_NAME_2025_03, MINISTRY_REFORM)
    org.rename_unit(units[INSPECTION], "Thanh tra Sở", MINISTRY_REFORM)
    _create_unit(RELIGION_UNIT, units)
    for person_seed in PEOPLE_2025:
        persons[person_seed.login] = _create_person(person_seed, units)

    grassroots = _create_unit(GRASSROOTS_UNIT, units)
    for code in DISTRICT_OFFICES:
        org.merge_unit(units[code], grassroots, PROVINCE_MERGER)
    org.rename_unit(agency, AGENCY_NAME_2025_07, PROVINCE_MERGER)

    citizens.import_communes(DEMO_COMMUNES)
    db.session.flush()
    full_name, username, commune_code = DEMO_CITIZEN
    commune = db.session.scalar(select(Commune).where(Commune.code == commune_code))
    assert commune is not None  # just imported
    persons[username] = citizens.make_citizen(full_name, username, DEMO_PASSWORD, commune)
    persons[username].is_demo = True
    for account in DEMO_ACCOUNTS:
        person = persons[account.username]
        # Everyone is a learner (or, registered on their own, a citizen) without a grant.
        if account.role not in (Role.LEARNER, Role.CITIZEN):
            unit = units[account.manages] if account.manages else None
            # Held since the campaign's rosters begin: a head reaches only their grant's days.
            people.grant_role(person, account.role, unit, valid_from=ROSTER_START)
        auth.check_password_policy(DEMO_PASSWORD, username=person.username)
        auth.set_password(person, DEMO_PASSWORD)
    # The yearly target is data like any other: the demo starts from the common reading.
    rules.seed_default_rules()
    agency_services.save_profile(AGENCY_PROFILE, actor_id=None)
    db.session.flush()
    return SeedSummary(units=len(units), people=len(persons))


def demo_logins(*, verify_passwords: bool = True) -> list[DemoLogin]:
    """Return the demo accounts that exist, in the order `make run` lists them.

    Checking each password costs a slow hash, so a caller that has just set them may skip it.
    """
    usernames = [account.username for account in DEMO_ACCOUNTS]
    found = {
        person.username: person
        for person in db.session.scalars(
            select(Person).where(Person.username.in_(usernames), Person.is_demo.is_(True))
        )
    }
    logins = []
    for account in DEMO_ACCOUNTS:
        person = found.get(account.username)
        if person is None:
            continue
        unit_name = None
        if account.manages:
            unit = org.unit_by_code(account.manages)
            unit_name = unit.latest_version.name if unit else None
        logins.append(
            DemoLogin(
                username=person.username,
                full_name=person.full_name,
                role=account.role,
                unit_name=unit_name,
                has_demo_password=bool(
                    person.password_hash
                    and (
                        not verify_passwords
                        or check_password_hash(person.password_hash, DEMO_PASSWORD)
                    )
                ),
            )
        )
    return logins
