"""Fixtures for course content: the example course, copies to change, and database snapshots."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.courses.models import Course, CourseMedia, Lesson, Quiz
from lms.db import db
from lms.roles import Role
from tests.factories import make_person

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
EXAMPLE = GOOD / "mau-tieng-tay"
BROKEN = FIXTURES / "broken"


@pytest.fixture
def collection(tmp_path) -> Path:
    """A writable copy of the folder holding the example course."""
    target = tmp_path / "courses"
    shutil.copytree(GOOD, target)
    return target


def snapshot() -> dict[str, list[tuple]]:
    """Return every stored course row, column by column, to compare before and after."""
    db.session.expire_all()
    tables = {}
    for model in (Course, Lesson, Quiz, CourseMedia, AuditEvent):
        columns = list(model.__table__.columns)
        rows = db.session.execute(select(*columns).order_by(model.id)).all()
        tables[model.__tablename__] = [tuple(row) for row in rows]
    return tables


def zip_bytes(
    files: dict[str, bytes | str], *, infos: list[tuple[zipfile.ZipInfo, bytes]] = ()
) -> bytes:
    """Build a .zip in memory from names and contents (and raw ZipInfo entries)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
        for info, content in infos:
            archive.writestr(info, content)
    return buffer.getvalue()


def folder_zip(folder: Path, prefix: str | None = None) -> bytes:
    """Zip a course folder the way "compress folder" does: entries under the folder's name."""
    prefix = prefix or folder.name
    files = {
        f"{prefix}/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    return zip_bytes(files)


@pytest.fixture
def editor(app, login):
    person = make_person("bientap", "Vi Văn Biên", roles=(Role.EDITOR,))
    db.session.commit()
    login("bientap")
    return person
