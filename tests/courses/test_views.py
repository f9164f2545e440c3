"""The editor pages (list, upload, previews) and the media route."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.courses.models import Course, CourseMedia
from lms.db import db
from lms.roles import Role
from tests.courses.conftest import BROKEN, EXAMPLE, folder_zip, snapshot
from tests.factories import make_person, make_unit

MANAGE = "/admin/courses/"


def upload(client, data: bytes, name: str = "mau-tieng-tay.zip", **form):
    return client.post(
        MANAGE,
        data={"archive": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def imported(app, runner):
    result = runner.invoke(args=["courses", "import", str(EXAMPLE.parent)])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Course)).one()


# The list page and the upload ---------------------------------------------------------------


def test_the_page_lists_active_and_retired_courses(client, editor, imported):
    retired = Course(
        slug="khoa-cu",
        title="Khóa cũ",
        category="digital-skills",
        language="vi",
        level="beginner",
        hours=2,
        summary="x",
        authors=["A"],
        sources=[],
        version="0.9",
        intro_html="",
        is_retired=True,
    )
    db.session.add(retired)
    db.session.commit()

    page = text(client.get(MANAGE))

    assert "<h1>Nội dung khóa học</h1>" in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    assert len(rows) == 2
    assert "Tiếng Tày mẫu" in rows[0] and "Khóa cũ" in rows[1]  # active first
    cells = re.findall(r"<td>(.*?)</td>", rows[0], re.S)
    assert cells[:4] == ["Tiếng dân tộc", "Tiếng Tày", "1.10", "3"]
    assert "Đang dùng" in cells[4]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", cells[5])
    assert "Ngừng dùng" in rows[1]
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page
    # Nothing inline (the CSP allows neither); scripts come as files (the app's worker).
    assert "style=" not in page and not re.search(r"<script(?![^>]*\ssrc=)", page)


def test_the_list_takes_the_same_queries_for_one_course_or_many(
    client, editor, imported, count_queries
):
    one = count_queries(lambda: client.get(MANAGE))
    for number in range(5):
        db.session.add(
            Course(
                slug=f"khoa-{number}",
                title=f"Khóa {number}",
                category="digital-skills",
                language="vi",
                level="beginner",
                hours=1,
                summary="x",
                authors=["A"],
                sources=[],
                version="1",
                intro_html="",
            )
        )
    db.session.commit()
    assert count_queries(lambda: client.get(MANAGE)) == one


def test_uploading_a_zipped_course_imports_it(client, editor):
    response = upload(client, folder_zip(EXAMPLE))

    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert (
        "Đã nhập tệp “mau-tieng-tay.zip”. Khóa học: thêm 1, thay đổi 0, ngừng dùng 0, không đổi 0. "
        "Bài học: thêm 3, thay đổi 0, ngừng dùng 0, không đổi 0. Tệp media mới: 4."
    ) in page
    course = db.session.scalars(select(Course)).one()
    assert len(course.lessons) == 3
    event_ = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "course", AuditEvent.entity_id == course.id
        )
    ).one()
    assert (event_.action, event_.actor_id) == ("course.import", editor.id)


def test_uploading_the_same_course_again_changes_nothing(client, editor):
    upload(client, folder_zip(EXAMPLE))
    before = snapshot()

    response = upload(client, folder_zip(EXAMPLE))

    assert response.status_code == 302
    assert "Khóa học: thêm 0, thay đổi 0, ngừng dùng 0, không đổi 1." in text(client.get(MANAGE))
    assert snapshot() == before


def test_a_broken_course_is_listed_line_by_line_and_nothing_is_saved(client, editor):
    before = snapshot()

    response = upload(client, folder_zip(BROKEN / "bad-quiz"), "bad-quiz.zip")

    page = text(response)
    assert response.status_code == 400
    assert "Tệp “bad-quiz.zip” có 1 lỗi nên chưa nhập gì." in page
    assert (
        "<li><code>bad-quiz/01-bai-mot.md:15: lỗi: Đáp án “Internet” không trùng với lựa chọn "
        "nào trong “choices”.</code></li>"
    ) in page
    assert snapshot() == before


def test_an_unsafe_archive_is_refused_and_nothing_is_saved(client, editor):
    import zipfile

    before = snapshot()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in EXAMPLE.rglob("*"):
            if path.is_file():
                archive.write(path, f"mau-tieng-tay/{path.relative_to(EXAMPLE).as_posix()}")
        archive.writestr("../../ngoai.md", "x")

    response = upload(client, buffer.getvalue())

    page = text(response)
    assert response.status_code == 400
    assert "Không nhận tệp “mau-tieng-tay.zip”: gói .zip không an toàn hoặc bị hỏng." in page
    assert (
        "<code>../../ngoai.md: Đường dẫn tuyệt đối hoặc trỏ ra ngoài thư mục khóa học; không "
        "nhận.</code>"
    ) in page
    assert snapshot() == before


def test_check_only_saves_nothing(client, editor):
    before = snapshot()

    response = upload(client, folder_zip(EXAMPLE), check_only="1")

    assert response.status_code == 200
    assert (
        "Tệp “mau-tieng-tay.zip” không có lỗi (chỉ kiểm tra, chưa lưu gì). Nếu nhập: Khóa học: "
        "thêm 1"
    ) in text(response)
    assert snapshot() == before


def test_a_checked_archive_is_imported_without_choosing_it_again(client, editor):
    checked = text(upload(client, folder_zip(EXAMPLE), name="tiếng tày.zip", check_only="1"))
    assert "Đã đính kèm: tiếng tày.zip" in checked
    token = re.search(r'name="archive_pending" value="([^"]+)"', checked)[1]
    imported = client.post(MANAGE, data={"archive_pending": token}, follow_redirects=True)
    assert "Đã nhập tệp “tiếng tày.zip”" in text(imported)
    assert db.session.query(Course).count() == 1
    again = client.post(MANAGE, data={"archive_pending": token})  # used once
    assert again.status_code == 400
    broken = text(upload(client, folder_zip(BROKEN), check_only="1"))
    assert "Đã đính kèm" not in broken  # a list of problems: the fixed archive is chosen


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "Hãy chọn tệp .zip chứa thư mục khóa học."),
        (b"not a zip", "Tệp tải lên không phải tệp .zip."),
    ],
)
def test_missing_or_wrong_files(client, editor, data, message):
    if data is None:
        response = client.post(MANAGE, data={}, content_type="multipart/form-data")
    else:
        response = upload(client, data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.query(Course).count() == 0


def test_uploading_one_course_leaves_the_others_alone(client, editor, imported, tmp_path):
    import shutil

    other = tmp_path / "khoa-khac"
    shutil.copytree(EXAMPLE, other)
    upload(client, folder_zip(other))

    db.session.expire_all()
    assert (
        db.session.scalars(select(Course.is_retired).where(Course.slug == "mau-tieng-tay")).one()
        is False
    )
    assert db.session.query(Course).count() == 2


# Previews ------------------------------------------------------------------------------------


def test_course_preview_lists_lessons(client, editor, imported):
    page = text(client.get("/admin/courses/mau-tieng-tay/"))
    assert "<h1>Tiếng Tày mẫu</h1>" in page
    assert "<dd>1,5</dd>" in page
    assert 'href="/admin/courses/mau-tieng-tay/so-dem"' in page
    assert "<p>Khóa học <strong>mẫu</strong>" in page


def test_lesson_preview_shows_the_rendered_lesson_and_the_answers_to_editors(
    client, editor, imported
):
    page = text(client.get("/admin/courses/mau-tieng-tay/chao-hoi"))
    assert "<h1>Chào hỏi</h1>" in page
    assert '<div class="callout callout-tip" role="note">' in page
    assert "<strong>Đáp án:</strong> Đi</p>" in page
    assert "<strong>Đáp án:</strong> Đúng</p>" in page
    assert "style=" not in page


def test_unknown_courses_and_lessons_are_not_found(client, editor, imported):
    assert client.get("/admin/courses/khong-co/").status_code == 404
    assert client.get("/admin/courses/mau-tieng-tay/khong-co").status_code == 404


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["learner", "manager", "hcth"])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", MANAGE),
        ("POST", MANAGE),
        ("GET", "/admin/courses/mau-tieng-tay/"),
        ("GET", "/admin/courses/mau-tieng-tay/chao-hoi"),
    ],
)
def test_editor_pages_are_for_content_editors_only(client, login, imported, role, method, url):
    if role == "manager":
        make_person("nguoidung", manages=make_unit())
    else:
        make_person("nguoidung", roles=(Role.HCTH,) if role == "hcth" else ())
    db.session.commit()
    login("nguoidung")

    response = client.open(url, method=method)

    assert response.status_code == 403


@pytest.mark.parametrize("url", [MANAGE, "/admin/courses/mau-tieng-tay/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, imported, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_admins_may_edit_content(client, login, imported):
    make_person("quantri", roles=(Role.ADMIN,))
    db.session.commit()
    login("quantri")
    assert client.get(MANAGE).status_code == 200


def test_the_navigation_shows_content_to_editors_only(client, login, editor):
    assert f'href="{MANAGE}"' in text(client.get("/"))
    client.post("/logout")
    make_person("hocvien")
    db.session.commit()
    login("hocvien")
    assert f'href="{MANAGE}"' not in text(client.get("/"))


# Media ---------------------------------------------------------------------------------------


@pytest.fixture
def learner(app, login):
    make_person("hocvien")
    db.session.commit()
    login("hocvien")


def media_url(path: str) -> tuple[str, bytes]:
    row = db.session.scalars(select(CourseMedia).where(CourseMedia.path == path)).one()
    extension = {"audio/mpeg": "mp3", "audio/ogg": "ogg", "image/png": "png"}[row.content_type]
    return f"/media/mau-tieng-tay/{row.sha256}.{extension}", (EXAMPLE / path).read_bytes()


def test_media_are_served_to_signed_in_people_with_long_caching(client, imported, learner):
    url, data = media_url("media/chao.mp3")

    response = client.get(url)

    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "audio/mpeg"
    assert response.headers["ETag"] == f'"{url.split("/")[-1].split(".")[0]}"'
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_media_answer_range_requests_for_seeking_in_audio(client, imported, learner):
    url, data = media_url("media/so-dem/slam.ogg")

    response = client.get(url, headers={"Range": "bytes=100-199"})

    assert response.status_code == 206
    assert response.data == data[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"


def test_media_are_not_sent_again_to_a_browser_that_has_them(
    client, imported, learner, sql_statements
):
    url, _ = media_url("media/ban-phim.png")
    etag = url.split("/")[-1].split(".")[0]

    responses = []
    statements = sql_statements(
        lambda: responses.append(client.get(url, headers={"If-None-Match": f'"{etag}"'}))
    )
    response = responses[0]

    assert response.status_code == 304
    assert response.data == b""
    assert not any("course_media.data" in statement for statement in statements)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda url: url.replace(".mp3", ".png"),
        lambda url: url.replace("/mau-tieng-tay/", "/khoa-khac/"),
        lambda url: url.replace(url.split("/")[-1][:8], "00000000"),
        lambda url: url.replace(".mp3", ".svg"),
        lambda url: url.rsplit("/", 1)[0] + "/..%2Fcourse.md.mp3",
    ],
)
def test_unknown_media_are_not_found(client, imported, learner, mangle):
    url, _ = media_url("media/chao.mp3")
    assert client.get(mangle(url)).status_code == 404


def test_anonymous_visitors_get_no_media(client, imported):
    url, _ = media_url("media/chao.mp3")
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
