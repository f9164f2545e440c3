"""Courses edited in the browser: every save checked and imported as a folder is, kept as a
version; versions compared, exported as the course folder (which imports unchanged) and
reverted to; refused saves change nothing and say what, by file and line."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.courses import archive, checker
from lms.courses import editor as course_editor
from lms.courses.models import Course, CourseMedia, CourseVersion, Lesson
from lms.db import db
from tests.courses.conftest import EXAMPLE, snapshot

EDIT = "/admin/courses/mau-tieng-tay/edit"


@pytest.fixture
def imported(app, runner):
    result = runner.invoke(args=["courses", "import", str(EXAMPLE.parent)])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Course)).one()


def edit_form(page: str) -> dict[str, list[str]]:
    """The editor page's fields as the browser would send them."""
    fields: dict[str, list[str]] = {"course_md": [], "lesson_name": [], "lesson_text": []}
    fields["course_md"] = [
        re.search(r'name="course_md"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    ]
    fields["lesson_name"] = re.findall(r'name="lesson_name" value="([^"]*)"', page)
    fields["lesson_text"] = re.findall(r'name="lesson_text"[^>]*>(.*?)</textarea>', page, re.S)
    fields["media_path"] = re.findall(r'name="media_path" value="([^"]*)"', page)
    fields["media_sha"] = re.findall(r'name="media_sha" value="([^"]*)"', page)
    import html

    return {key: [html.unescape(value) for value in values] for key, values in fields.items()}


def post(client, url: str, fields: dict[str, list[str]], **more: str):
    data = [(key, value) for key, values in fields.items() for value in values]
    data += list(more.items())
    return client.post(url, data=MultiDict(data))


# Versions from imports -------------------------------------------------------------------------


def test_an_import_keeps_a_version_and_an_unchanged_one_adds_none(app, runner, imported):
    kept = db.session.scalars(select(CourseVersion)).all()
    assert [version.number for version in kept] == [1]
    assert set(kept[0].files) == {"course.md", "01-chao-hoi.md", "02-so-dem.md", "03-nghe-them.md"}
    assert kept[0].files["02-so-dem.md"] == (EXAMPLE / "02-so-dem.md").read_text("utf-8")
    assert "media/so-dem/slam.ogg" in kept[0].media
    runner.invoke(args=["courses", "import", str(EXAMPLE.parent)])
    assert db.session.scalar(select(db.func.count()).select_from(CourseVersion)) == 1


# The editor's pages ---------------------------------------------------------------------------


def test_a_lesson_edited_and_saved_is_imported_as_a_new_version(client, editor, imported):
    fields = edit_form(client.get(EDIT).text)
    index = fields["lesson_name"].index("01-chao-hoi.md")
    fields["lesson_text"][index] = fields["lesson_text"][index].replace(
        "## ", "## Lời chào mới\n\nNgười Tày chào: *Pây lăng?*\n\n## ", 1
    )

    response = post(client, EDIT, fields, note="Thêm lời chào", action="save")

    assert response.status_code == 302
    versions = db.session.scalars(select(CourseVersion).order_by(CourseVersion.number)).all()
    assert [(version.number, version.note) for version in versions][-1] == (2, "Thêm lời chào")
    assert versions[-1].author_id == editor.id
    lesson = db.session.scalars(select(Lesson).where(Lesson.slug == "chao-hoi")).one()
    assert "Lời chào mới" in lesson.body_html
    page = client.get("/admin/courses/mau-tieng-tay/versions").text
    assert "Thêm lời chào" in page and "Vi Văn Biên" in page


def test_a_save_with_errors_changes_nothing_and_says_where(client, editor, imported):
    before = snapshot()
    fields = edit_form(client.get(EDIT).text)
    index = fields["lesson_name"].index("02-so-dem.md")
    fields["lesson_text"][index] = fields["lesson_text"][index].replace(
        "audio: media/so-dem/slam.ogg", "audio: media/khong-co.ogg", 1
    )

    response = post(client, EDIT, fields, action="save")

    assert response.status_code == 400
    assert "Chưa lưu: có 1 lỗi" in response.text
    line = fields["lesson_text"][index].splitlines().index("    audio: media/khong-co.ogg") + 1
    assert f"Dòng {line} (lỗi): Không tìm thấy tệp media “media/khong-co.ogg”." in response.text
    assert "media/khong-co.ogg" in response.text  # the text as typed is kept
    assert snapshot() == before
    assert db.session.scalar(select(db.func.count()).select_from(CourseVersion)) == 1


def test_preview_renders_as_an_import_does_and_saves_nothing(client, editor, imported):
    fields = edit_form(client.get(EDIT).text)
    index = fields["lesson_name"].index("01-chao-hoi.md")
    fields["lesson_text"][index] += "\n\nChữ **đậm** <script>alert(1)</script>\n"

    whole = post(client, EDIT, fields, action="preview")
    live = post(client, "/admin/courses/mau-tieng-tay/preview", fields, file="01-chao-hoi.md")

    for page in (whole.text, live.text):
        assert "<strong>đậm</strong>" in page
        assert "<script>alert(1)" not in page
    assert db.session.scalar(select(db.func.count()).select_from(CourseVersion)) == 1


def test_lessons_are_reordered_added_and_removed_keeping_their_slugs(client, editor, imported):
    fields = edit_form(client.get(EDIT).text)
    moved = post(client, EDIT, fields, action="up:1")
    assert edit_form(moved.text)["lesson_name"] == [
        "01-so-dem.md",
        "02-chao-hoi.md",
        "03-nghe-them.md",
    ]
    # Links between files follow the new names.
    assert "](01-so-dem.md)" in edit_form(moved.text)["lesson_text"][1]
    assert "](02-chao-hoi.md)" in edit_form(moved.text)["course_md"][0]
    removed = post(client, EDIT, edit_form(moved.text), action="remove:2")
    added = post(client, EDIT, edit_form(removed.text), action="add_lesson")
    assert edit_form(added.text)["lesson_name"] == [
        "01-so-dem.md",
        "02-chao-hoi.md",
        "03-bai-moi.md",
    ]
    saved = post(client, EDIT, edit_form(added.text), action="save")
    assert saved.status_code == 302
    lessons = {
        lesson.slug: (lesson.position, lesson.is_retired)
        for lesson in db.session.scalars(select(Lesson))
    }
    assert lessons == {
        "so-dem": (1, False),
        "chao-hoi": (2, False),
        "bai-moi": (3, False),
        "nghe-them": (3, True),
    }


def test_media_are_attached_by_content_and_used_on_save(client, editor, imported):
    fields = edit_form(client.get(EDIT).text)
    png = (EXAMPLE / "media" / "ban-phim.png").read_bytes()
    data = [(key, value) for key, values in fields.items() for value in values]
    attached = client.post(
        EDIT,
        data=MultiDict(
            [*data, ("action", "attach"), ("media_file", (io.BytesIO(png), "hinh-moi.png"))]
        ),
        content_type="multipart/form-data",
    )
    assert attached.status_code == 200
    assert "Đã đính kèm media/hinh-moi.png" in attached.text
    refused = client.post(
        EDIT,
        data=MultiDict(
            [*data, ("action", "attach"), ("media_file", (io.BytesIO(png), "am-thanh.mp3"))]
        ),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "nội dung là PNG" in refused.text

    fields = edit_form(attached.text)
    index = fields["lesson_name"].index("03-nghe-them.md")
    fields["lesson_text"][index] += "\n![Hình mới](media/hinh-moi.png)\n"
    assert post(client, EDIT, fields, action="save").status_code == 302
    version = db.session.scalars(
        select(CourseVersion).order_by(CourseVersion.number.desc())
    ).first()
    assert "media/hinh-moi.png" in version.media


def test_versions_are_compared_reverted_and_exported_as_the_folder(client, editor, imported):
    fields = edit_form(client.get(EDIT).text)
    index = fields["lesson_name"].index("01-chao-hoi.md")
    original = fields["lesson_text"][index]
    fields["lesson_text"][index] = original.replace("title: Chào hỏi", "title: Chào hỏi nhau")
    assert post(client, EDIT, fields, action="save").status_code == 302

    diff = client.get("/admin/courses/mau-tieng-tay/versions/2/diff").text
    assert "-title: Chào hỏi" in diff and "+title: Chào hỏi nhau" in diff

    reverted = client.post("/admin/courses/mau-tieng-tay/versions/1/revert")
    assert reverted.status_code == 302
    versions = db.session.scalars(select(CourseVersion).order_by(CourseVersion.number)).all()
    assert versions[-1].number == 3 and versions[-1].files == versions[0].files
    assert versions[-1].note == "Quay lại phiên bản 1"
    lesson = db.session.scalars(select(Lesson).where(Lesson.slug == "chao-hoi")).one()
    assert lesson.title == "Chào hỏi"

    exported = client.get("/admin/courses/mau-tieng-tay/versions/2/export.zip")
    assert exported.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert "mau-tieng-tay/course.md" in names and "mau-tieng-tay/media/so-dem/slam.ogg" in names
    # The folder imports unchanged: it is version 2's content.
    report = checker.check_courses(archive.read_courses(exported.data))
    assert report.errors == []
    assert report.courses[0].texts == versions[1].files


def test_a_new_course_is_created_from_a_template(client, editor, imported):
    refused = client.post("/admin/courses/new", data={"slug": "Tin Học", "title": "Tin học"})
    assert refused.status_code == 400 and "Mã khóa học chỉ dùng chữ thường" in refused.text
    taken = client.post("/admin/courses/new", data={"slug": "mau-tieng-tay", "title": "X"})
    assert "Đã có khóa học mã “mau-tieng-tay”" in taken.text
    created = client.post("/admin/courses/new", data={"slug": "tin-hoc", "title": "Tin học"})
    assert created.status_code == 302
    course = db.session.scalars(select(Course).where(Course.slug == "tin-hoc")).one()
    assert course.title == "Tin học"
    assert [version.number for version in course_editor.versions(course)] == [1]


def test_learners_cannot_edit(client, login, imported):
    from tests.factories import make_person

    make_person("hocvien")
    db.session.commit()
    login("hocvien")
    assert client.get(EDIT).status_code == 403
    assert client.post("/admin/courses/mau-tieng-tay/versions/1/revert").status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(CourseVersion)) == 1


def test_stored_media_of_the_course_stay_after_a_version_drops_them(client, editor, imported):
    count = db.session.scalar(select(db.func.count()).select_from(CourseMedia))
    fields = edit_form(client.get(EDIT).text)
    assert post(client, EDIT, fields, action="detach:media/ban-phim.png").status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(CourseMedia)) == count
