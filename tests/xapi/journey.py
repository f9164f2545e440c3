"""A learner's scripted journey through the site: time on a lesson, a quiz failed then passed,
the course completed with its certificate, and an external activity her manager verified."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from lms.accounts.models import Person
from lms.db import db
from lms.i18n import local_today
from lms.learning.models import Certificate
from lms.plans.models import ActivityStatus, ExternalActivity
from tests.factories import make_person, make_unit
from tests.learning.content import import_folder, write_tay_course
from tests.learning.steps import (
    CHAO_HOI_RIGHT,
    answer,
    beacon,
    complete,
    finish_lesson,
    lesson_url,
)

WRONG = {"q:pay": "0", "q:noong": "false", "q:muoi": "hai"}
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 50
COURSE_EN = "Basic Tay conversation"
LESSON_EN = "Greetings"


@dataclass(frozen=True)
class Journey:
    learner: Person
    viewed: str  # client event ids the learner's pages sent
    failed_answer: str
    passed_answer: str
    completed: str
    certificate: Certificate
    activity: ExternalActivity


def import_tay_with_english_titles(root: Path) -> None:
    """The test Tày course, its course and first lesson with English titles (the second keeps
    none, so its English name falls back to one made from its slug)."""
    folder = write_tay_course(root)
    for name, english in (("course.md", COURSE_EN), ("01-chao-hoi.md", LESSON_EN)):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", f"---\ntitle_en: {english}\n", 1), "utf-8")
    import_folder(folder)


def study(client, login, root: Path) -> Journey:
    """Run the journey through the test client (real forms and the page's time beacon)."""
    unit = make_unit("CSDT", "Phòng Chính sách dân tộc")
    learner = make_person("mai", "Lò Thị Mai", unit=unit, email="mai@example.vn")
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit)
    import_tay_with_english_titles(root)
    db.session.commit()
    assert login("mai").status_code == 302

    ids = [str(uuid.uuid4()) for _ in range(4)]
    assert client.get(lesson_url("chao-hoi")).status_code == 200
    assert beacon(client, "chao-hoi", 90, event_id=ids[0]).status_code in (200, 204)
    assert answer(client, "chao-hoi", WRONG, event_id=ids[1]).status_code == 302
    assert answer(client, "chao-hoi", CHAO_HOI_RIGHT, event_id=ids[2]).status_code == 302
    assert complete(client, "chao-hoi", event_id=ids[3]).status_code == 302
    finish_lesson(client, "so-dem")
    certificate = db.session.scalars(select(Certificate)).one()

    year = local_today().year
    added = client.post(
        f"/plans/{year}/activities",
        data={
            "kind": "refresher",
            "title": "Bồi dưỡng kiến thức quốc phòng",
            "organiser": "Trường Chính trị tỉnh",
            "starts_on": f"{year}-01-01",
            "ends_on": f"{year}-01-03",
            "hours": "24",
            "planned": "q1",
            "evidence": (io.BytesIO(PNG), "giay-chung-nhan.png"),
        },
    )
    assert added.status_code == 302
    activity = db.session.scalars(select(ExternalActivity)).one()
    client.post("/logout")
    assert login("truongphong").status_code == 302
    verified = client.post(f"/plans/activities/{activity.id}/verify", data={"decision": "verify"})
    assert verified.status_code == 302
    client.post("/logout")
    db.session.expire_all()
    assert activity.status == ActivityStatus.VERIFIED
    return Journey(learner, ids[0], ids[1], ids[2], ids[3], certificate, activity)
