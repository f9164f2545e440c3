"""Light pages on weak connections: what a first visit (empty cache) transfers, as the browser
itself counts it (compressed, headers included), media aside: a lesson ≤ 60 KB, a certificate
≤ 150 KB (its fonts included), the public catalogue ≤ 80 KB."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page

from lms.db import db
from lms.learning import services as learning
from tests.browser.conftest import sign_in
from tests.factories import make_person
from tests.learning.content import import_folder, make_other_courses

pytestmark = pytest.mark.browser

COURSES = Path(__file__).resolve().parents[2] / "courses"
KB = 1024


def transferred(page: Page, path: str) -> tuple[int, list[str]]:
    """Bytes the browser received loading path with an empty cache, media aside; and what."""
    client = page.context.new_cdp_session(page)
    client.send("Network.enable")
    client.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    client.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    client.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(path, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    counted = {
        request: size
        for request, size in sizes.items()
        if "/media/" not in urls.get(request, "") and "/recordings/" not in urls.get(request, "")
    }
    client.detach()
    return sum(counted.values()), [f"{urls.get(r)}: {s}" for r, s in counted.items()]


@pytest.fixture
def world(app, tmp_path):
    for slug in ("tieng-tay-nhap-mon", "tieng-nung-nhap-mon"):
        import_folder(COURSES / slug)
    make_other_courses(tmp_path / "courses")
    learner = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    return learner


def test_pages_stay_within_their_byte_budgets(page: Page, world, app):
    lessons = [
        (lesson.course.slug, lesson.slug, len(lesson.body_html))
        for lesson in db.session.scalars(db.select(learning.Lesson))
    ]
    course, heaviest, _size = max(lessons, key=lambda item: item[2])
    # A course done, for its certificate.
    digital = db.session.scalar(
        db.select(learning.Lesson).join(learning.Course).where(learning.Course.slug == "ky-nang-so")
    )
    outcome = learning.complete_lesson(world, digital, event_id=str(uuid.uuid4()), seconds=3600)
    db.session.commit()
    certificate = outcome.certificate.id

    catalogue, what = transferred(page, "/courses/")
    assert catalogue <= 80 * KB, what
    sign_in(page, "mai")
    every_course, what = transferred(page, "/courses/")
    assert every_course <= 80 * KB, what
    lesson, what = transferred(page, f"/courses/{course}/{heaviest}")
    assert lesson <= 60 * KB, what
    printed, what = transferred(page, f"/certificates/{certificate}")
    assert printed <= 150 * KB, what
    assert any(".woff2" in line for line in what)  # the certificate's own font came
    print(f"catalogue {catalogue}/{every_course} B, lesson {lesson} B, certificate {printed} B")
