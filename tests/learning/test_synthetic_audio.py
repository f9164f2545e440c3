"""A course whose recordings are a speech synthesiser's says so wherever they play."""

from __future__ import annotations

from lms.db import db
from tests.factories import make_person
from tests.learning.content import TAY, import_folder, make_tay_course, write_tay_course

NOTE = "Âm thanh của khóa học này là giọng đọc tổng hợp"


def test_a_synthetic_course_says_so_on_every_lesson(app, client, login, tmp_path):
    course = make_tay_course(tmp_path / "courses")
    make_person("mai", "Lò Thị Mai")
    db.session.commit()
    login("mai")
    assert course.synthetic_audio is False
    assert NOTE not in client.get(f"/courses/{TAY}/so-dem").text

    folder = write_tay_course(tmp_path / "courses")
    text = (folder / "course.md").read_text("utf-8")
    (folder / "course.md").write_text(
        text.replace('version: "1.0"\n', 'version: "1.0"\nsynthetic_audio: true\n'), "utf-8"
    )
    import_folder(folder)

    db.session.refresh(course)
    assert course.synthetic_audio is True
    assert NOTE in client.get(f"/courses/{TAY}/so-dem").text
