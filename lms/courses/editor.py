"""Courses edited in the browser: a draft of a course's files, checked and imported exactly as
a folder or a .zip is (the same checker, the same rendering and sanitising, the same importer),
each save kept as a version that can be compared, exported as the course folder, reverted to.

The course folder stays the exchange format: a draft is its files (course.md and the lessons
as text, media by path), and an exported version is that folder, zipped.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.courses import checker, importer
from lms.courses import format as fmt
from lms.courses.checker import CheckReport, FileRef, SourceCourse
from lms.courses.media import check_media
from lms.courses.models import Course, CourseMedia, CourseVersion
from lms.db import db, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _

LESSON_NAME_RE = re.compile(r"^(\d{2})-(.+)\.md$")
NEW_COURSE = """---
title: {title}
category: digital-skills
language: vi
level: beginner
hours: 1
summary: Một câu giới thiệu khóa học.
authors:
  - {author}
version: "1.0"
---

Giới thiệu khóa học.
"""
NEW_LESSON = """---
title: Bài mới
minutes: 10
---

Nội dung bài học.
"""


class EditorError(UserError):
    """An editor action refused (not a content problem: those are the checker's)."""


@dataclass
class Draft:
    """A course's files being edited: course.md, the lessons in order (file name, text), and
    its media by path (the sha256 of a file stored for the course)."""

    slug: str
    course_md: str
    lessons: list[tuple[str, str]] = field(default_factory=list)
    media: dict[str, str] = field(default_factory=dict)

    def files(self) -> dict[str, str]:
        return {fmt.COURSE_FILE: self.course_md, **dict(self.lessons)}


def new_draft(slug: str, title: str, author: str) -> Draft:
    return Draft(
        slug=slug,
        course_md=NEW_COURSE.format(title=title or "Khóa học mới", author=author),
        lessons=[("01-bai-dau-tien.md", NEW_LESSON)],
    )


def latest_version(course: Course) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )


def versions(course: Course) -> list[CourseVersion]:
    return list(
        db.session.scalars(
            select(CourseVersion)
            .where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number.desc())
        )
    )


def version(course: Course, number: int) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.number == number
        )
    )


def draft_of(course: Course, saved: CourseVersion) -> Draft:
    """The draft a version's files make, lessons in file-name order."""
    lessons = sorted((name, text) for name, text in saved.files.items() if name != fmt.COURSE_FILE)
    return Draft(course.slug, saved.files.get(fmt.COURSE_FILE, ""), lessons, dict(saved.media))


def renumber(draft: Draft) -> None:
    """Number the lessons' file names in their order (01-, 02-, ...), keeping the rest of each
    name (a lesson's slug, which learners' progress follows, does not change), and make the
    links between files follow the new names."""
    renamed = {}
    lessons = []
    for position, (name, text) in enumerate(draft.lessons, start=1):
        match = LESSON_NAME_RE.match(name)
        rest = match.group(2) if match else name.removesuffix(".md")
        new_name = f"{position:02d}-{rest}.md"
        if new_name != name:
            renamed[name] = new_name
        lessons.append((new_name, text))
    if renamed:
        link = re.compile(
            r"\]\((?:\./)?(" + "|".join(re.escape(name) for name in renamed) + r")(#[^)\s]*)?\)"
        )

        def follow(text: str) -> str:
            return link.sub(lambda m: f"]({renamed[m.group(1)]}{m.group(2) or ''})", text)

        lessons = [(name, follow(text)) for name, text in lessons]
        draft.course_md = follow(draft.course_md)
    draft.lessons = lessons


def _media_bytes(course_id: int | None, sha256: str) -> bytes:
    data = db.session.scalar(
        select(CourseMedia.data).where(
            CourseMedia.course_id == course_id, CourseMedia.sha256 == sha256
        )
    )
    return data or b""


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _stored(course_id: int | None, sha256: str) -> Callable[[], bytes]:
    return lambda: _media_bytes(course_id, sha256)


def source_of(draft: Draft, course: Course | None) -> SourceCourse:
    """The draft as a course folder for the checker."""
    files: dict[str, FileRef] = {}
    for name, text in draft.files().items():
        data = text.replace("\r\n", "\n").encode("utf-8")
        files[name] = FileRef(len(data), _constant(data))
    course_id = course.id if course else None
    # The sizes of all the draft's media in one query; their bytes are read only if checked.
    sizes = dict(
        db.session.execute(
            select(CourseMedia.sha256, CourseMedia.size).where(
                CourseMedia.course_id == course_id,
                CourseMedia.sha256.in_(list(draft.media.values())),
            )
        ).all()
    )
    for path, sha256 in draft.media.items():
        files[path] = FileRef(sizes.get(sha256, 0), _stored(course_id, sha256))
    return SourceCourse(slug=draft.slug, display=draft.slug, files=files)


def check(draft: Draft, course: Course | None) -> CheckReport:
    """Check the draft as the import checks a folder (same checker, same rendering)."""
    return checker.check_courses([source_of(draft, course)])


def save(draft: Draft, course: Course | None, *, note: str) -> tuple[CheckReport, bool]:
    """Check the draft and, without errors, import it as a folder is imported: a new version
    with this note when anything changed. Returns the report and whether it was imported.
    Nothing is committed here."""
    if course is None and db.session.scalar(select(Course.id).where(Course.slug == draft.slug)):
        raise EditorError(_("Đã có khóa học mã “%(slug)s”; hãy chọn mã khác.", slug=draft.slug))
    report = check(draft, course)
    if report.errors:
        return report, False
    importer.import_courses(report, note=note)
    return report, True


def attach(course: Course, name: str, data: bytes) -> str:
    """Store an uploaded media file for the course (checked by content and size, as an import
    checks it) and return its path in the folder, media/<name>; the draft that uses it is
    saved later. Nothing is committed here."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*\.[a-z0-9]+", name):
        raise EditorError(
            _(
                "Tên tệp “%(name)s” chỉ được gồm chữ thường không dấu, số, dấu chấm, gạch ngang "
                "và gạch dưới (ví dụ chao-hoi.mp3).",
                name=name,
            )
        )
    media_type, problem = check_media(name, data[:1024], len(data))
    if media_type is None:
        raise EditorError(_("Tệp “%(name)s”: %(problem)s", name=name, problem=problem))
    sha256 = hashlib.sha256(data).hexdigest()
    exists = db.session.scalar(
        select(CourseMedia.id).where(
            CourseMedia.course_id == course.id, CourseMedia.sha256 == sha256
        )
    )
    path = f"{fmt.MEDIA_DIR}/{name}"
    if exists is None:
        db.session.add(
            CourseMedia(
                course_id=course.id,
                path=path,
                content_type=media_type.content_type,
                sha256=sha256,
                size=len(data),
                data=data,
                created_at=utcnow(),
            )
        )
        db.session.flush()
    return sha256


def revert(course: Course, number: int) -> tuple[CheckReport, bool]:
    """Make a new version equal to version number, checked and imported as any save."""
    old = version(course, number)
    if old is None:
        raise EditorError(_("Không có phiên bản %(n)d.", n=number))
    return save(draft_of(course, old), course, note=_("Quay lại phiên bản %(n)d", n=number))


@dataclass(frozen=True)
class FileDiff:
    path: str
    lines: list[str]  # unified diff lines, without the ---/+++ header


def diff(older: CourseVersion | None, newer: CourseVersion) -> list[FileDiff]:
    """What changed from older (None: nothing) to newer, file by file, as unified diffs; media
    by path and content."""
    before = older.files if older else {}
    after = newer.files
    changes = []
    for path in sorted(set(before) | set(after)):
        lines = list(
            difflib.unified_diff(
                before.get(path, "").splitlines(),
                after.get(path, "").splitlines(),
                lineterm="",
                n=2,
            )
        )[2:]
        if lines:
            changes.append(FileDiff(path, lines))
    old_media = older.media if older else {}
    for path in sorted(set(old_media) | set(newer.media)):
        if old_media.get(path) != newer.media.get(path):
            mark = "-" if path not in newer.media else "+" if path not in old_media else "~"
            changes.append(FileDiff(path, [f"{mark} {path}"]))
    return changes


def export_zip(course: Course, saved: CourseVersion) -> bytes:
    """The version as its course folder in a .zip, which the import takes unchanged."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(saved.files.items()):
            archive.writestr(f"{course.slug}/{name}", text.encode("utf-8"))
        for path, sha256 in sorted(saved.media.items()):
            archive.writestr(
                f"{course.slug}/{path}", _media_bytes(course.id, sha256), zipfile.ZIP_STORED
            )
    return buffer.getvalue()
