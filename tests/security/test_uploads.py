"""Hostile uploads through the real pages: each refused with a Vietnamese message, nothing kept."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from sqlalchemy import select

from lms.db import db
from lms.i18n import local_today
from lms.plans.models import EvidenceFile, ExternalActivity
from tests.security.conftest import table_counts

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
GIF_JS = b"GIF89a/*\x01\x00\x01\x00\x00\xff\xff\xff*/=alert(document.domain);//;"
JPEG_HTML = JPEG + b"<html><script>alert(1)</script></html>" + b"\xff\xd9"
PDF_HTML = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n"
PNG_SVG = PNG + b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def zip_of(entries: dict[str, bytes], *, symlink: str | None = None, level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


COURSE_MD = "---\ntitle: Khóa giả\ncategory: digital\nlanguage: vi\nhours: 1\n---\nNội dung\n"
ESCAPING = {
    "dot-dot": zip_of({"khoa/course.md": COURSE_MD.encode(), "../x.md": b"x"}),
    "absolute": zip_of({"khoa/course.md": COURSE_MD.encode(), "/etc/x.md": b"x"}),
    "windows drive": zip_of({"khoa/course.md": COURSE_MD.encode(), "C:\\x.md": b"x"}),
    "backslash dot-dot": zip_of({"khoa/course.md": COURSE_MD.encode(), "khoa\\..\\..\\x": b"x"}),
    "symlink": zip_of({"khoa/course.md": COURSE_MD.encode()}, symlink="khoa/media/passwd"),
    "bomb": zip_of({"khoa/course.md": COURSE_MD.encode(), "khoa/01-a.md": b"\x00" * 5_000_000}),
}


def _flashed_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("name", ESCAPING)
def test_hostile_course_archives_are_refused(app, as_superuser, name):
    before = table_counts()
    response = as_superuser.post(
        "/admin/courses/",
        data={"archive": (io.BytesIO(ESCAPING[name]), "khoa.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "gói .zip không an toàn hoặc bị hỏng" in _flashed_text(response)
    assert table_counts() == before


def test_an_archive_of_too_many_entries_is_refused(app, as_superuser, monkeypatch):
    from lms.courses import archive

    monkeypatch.setattr(archive, "MAX_FILES", 50)
    entries = {"khoa/course.md": COURSE_MD.encode()}
    entries.update({f"khoa/media/{n}.txt": b"x" for n in range(60)})
    before = table_counts()
    response = as_superuser.post(
        "/admin/courses/",
        data={"archive": (io.BytesIO(zip_of(entries)), "khoa.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "quá 50 tệp" in _flashed_text(response)
    assert table_counts() == before


@pytest.mark.parametrize(
    "data",
    [PNG, HTML, b"", GIF_JS, b"PK\x03\x04broken"],
    ids=["png", "html", "empty", "gif-js", "broken-zip"],
)
def test_files_that_are_not_zips_are_refused_as_courses(app, as_superuser, data):
    before = table_counts()
    response = as_superuser.post(
        "/admin/courses/",
        data={"archive": (io.BytesIO(data), "khoa.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = _flashed_text(response)
    assert "Không nhận tệp" in page or "Hãy chọn tệp .zip" in page
    assert table_counts() == before


@pytest.mark.parametrize(
    "data, name",
    [
        (PNG, "ds.xlsx"),
        (PNG, "ds.csv"),
        (HTML, "ds.xlsx"),
        (b"", "ds.xlsx"),
        (GIF_JS, "ds.csv"),
        (zip_of({"../x": b"x"}), "ds.xlsx"),
        (zip_of({"xl/workbook.xml": b"\x00" * 2_000_000, "[Content_Types].xml": b""}), "ds.xlsx"),
    ],
    ids=["png-xlsx", "png-csv", "html-xlsx", "empty", "gif-js", "zip-escape", "xlsx-bomb"],
)
def test_hostile_staff_lists_are_refused(app, as_superuser, data, name):
    before = table_counts()
    response = as_superuser.post(
        "/admin/staff-import/",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = _flashed_text(response)
    assert "chưa nhập dòng nào" in page or "Hãy chọn tệp" in page
    assert table_counts() == before


def _year() -> int:
    return local_today().year


def _add_activity(client, evidence: tuple[bytes, str] | None):
    year = _year()
    data = {
        "kind": "refresher",
        "title": "Bồi dưỡng kiến thức quốc phòng",
        "organiser": "Trường Chính trị tỉnh",
        "starts_on": f"{year}-01-05",
        "ends_on": f"{year}-01-07",
        "hours": "24",
        "planned": "q1",
    }
    if evidence is not None:
        data["evidence"] = (io.BytesIO(evidence[0]), evidence[1])
    return client.post(
        f"/plans/{year}/activities",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


BAD_EVIDENCE = {
    "png-named-pdf": (b"GIF89a" + b"\x00" * 40, "chung-chi.pdf"),
    "html-named-pdf": (HTML, "chung-chi.pdf"),
    "empty": (b" ", "chung-chi.pdf"),
    "gif-js-polyglot": (GIF_JS, "anh.gif"),
    "jpeg-html-polyglot": (JPEG_HTML, "anh.jpg"),
    "pdf-html-polyglot": (PDF_HTML, "chung-chi.pdf"),
    "png-svg-polyglot": (PNG_SVG, "anh.png"),
    "zip-named-pdf": (zip_of({"a.txt": b"a"}), "chung-chi.pdf"),
}


@pytest.mark.parametrize("name", BAD_EVIDENCE)
def test_bad_evidence_is_refused_with_the_activity(app, as_superuser, name):
    as_superuser.get(f"/plans/{_year()}")  # opens the year's plan
    before = table_counts()
    page = _add_activity(as_superuser, BAD_EVIDENCE[name]).get_data(as_text=True)
    assert "Tệp" in page and ("không phải PDF" in page or "trống" in page or "mã HTML" in page)
    assert table_counts() == before


@pytest.mark.parametrize("name", BAD_EVIDENCE)
def test_bad_evidence_is_refused_on_an_existing_activity(app, as_superuser, name):
    as_superuser.get(f"/plans/{_year()}")
    _add_activity(as_superuser, None)
    activity = db.session.scalars(select(ExternalActivity)).one()
    before = table_counts()
    data, filename = BAD_EVIDENCE[name]
    page = as_superuser.post(
        f"/plans/activities/{activity.id}/evidence",
        data={"evidence": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "không phải PDF" in page or "trống" in page or "mã HTML" in page
    assert table_counts() == before


@pytest.mark.parametrize(
    "data, content_type",
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_accepted_evidence_is_served_as_a_safe_attachment(app, as_superuser, data, content_type):
    as_superuser.get(f"/plans/{_year()}")
    page = _add_activity(as_superuser, (data, "<script>x</script>.html"))
    assert "Đã thêm hoạt động ngoài nền tảng" in page.get_data(as_text=True)
    evidence = db.session.scalars(select(EvidenceFile)).one()
    response = as_superuser.get(f"/plans/evidence/{evidence.token}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "<" not in disposition and ".html" not in disposition


def test_an_oversized_request_gets_a_vietnamese_413_and_stores_nothing(app, as_superuser):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    as_superuser.get(f"/plans/{_year()}")
    before = table_counts()
    big = b"%PDF-1.4\n" + b"0" * (128 * 1024)
    for url, field in [
        ("/admin/courses/", "archive"),
        ("/admin/staff-import/", "file"),
        (f"/plans/{_year()}/activities", "evidence"),
    ]:
        response = as_superuser.post(
            url,
            data={field: (io.BytesIO(big), "lon.pdf"), "title": "x"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 413, url
        page = response.get_data(as_text=True)
        assert "Tệp quá lớn" in page and "vượt quá dung lượng cho phép" in page
    assert table_counts() == before
