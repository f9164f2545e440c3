"""The SQLite database holds password hashes, evidence and personal data: its owner's alone."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from lms import create_app
from lms.db import db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The common umask 022, under which files are created readable by everyone."""
    saved = os.umask(0o022)
    yield
    os.umask(saved)


def sqlite_app(path: Path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )


def test_a_new_sqlite_database_and_its_wal_files_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "lms.sqlite3"
    app = sqlite_app(path)
    assert mode(path) == 0o600
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE note (body TEXT)"))
            connection.execute(text("INSERT INTO note VALUES ('mật khẩu')"))
            # While a connection is open in WAL mode, its -wal and -shm files exist.
            assert mode(Path(f"{path}-wal")) == 0o600
            assert mode(Path(f"{path}-shm")) == 0o600
        db.engine.dispose()
    assert mode(path) == 0o600


def test_an_existing_database_readable_by_others_is_tightened_with_a_warning(
    tmp_path, open_umask, caplog
):
    path = tmp_path / "lms.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    wal = Path(f"{path}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o664)
    with caplog.at_level(logging.WARNING):
        app = sqlite_app(path)
    assert (mode(path), mode(wal)) == (0o600, 0o600)
    assert str(path) in caplog.text and "0644" in caplog.text
    with app.app_context():
        db.engine.dispose()
