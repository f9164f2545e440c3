"""`flask backup` and `flask restore`: every row comes back; a wrong file changes nothing."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import make_url

from lms.backup import services
from lms.backup.services import BackupError
from lms.db import db
from tests.backup.conftest import source_rows, table_names
from tests.factories import make_person, make_unit


def script_heads() -> list[str]:
    return services.script_directory().get_heads()


def is_sqlite() -> bool:
    return db.engine.url.get_backend_name() == "sqlite"


def backup_to(runner, dest: Path) -> Path:
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert dest.is_file()
    return dest


def backup_name() -> str:
    return "lms.sqlite3" if is_sqlite() else "lms.dump"


@pytest.fixture
def some_rows(app):
    """A unit and two people: enough data to see a change, quick to make."""
    unit = make_unit("BK", "Phòng Sao lưu")
    make_person("an.ha", "Hà Văn An", unit=unit)
    make_person("binh", "Lương Thị Bình", unit=unit)
    db.session.commit()
    return source_rows()


# The round trip ------------------------------------------------------------------------------


def test_restore_into_a_fresh_database_brings_back_every_row(filled, runner, fresh, tmp_path):
    dest = tmp_path / backup_name()

    result = runner.invoke(args=["backup", str(dest)])

    assert result.exit_code == 0, result.output
    total = sum(len(rows) for rows in filled.values())
    assert "Đã sao lưu cơ sở dữ liệu" in result.output
    assert f"{total} dòng" in result.output
    assert "instance/secret_key" in result.output and "LMS_SECRET_KEY" in result.output
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600  # personal data: owner only

    restored = fresh.invoke("restore", str(dest))

    assert restored.exit_code == 0, restored.output
    assert f"{total} dòng" in restored.output
    assert "khớp với mã" in restored.output
    assert fresh.rows() == filled
    assert fresh.tables() == table_names(db.engine)
    # Sequences came back too: the restored database takes new rows.
    with fresh.app.app_context():
        make_person("nguoi.moi", "Người Mới", unit=make_unit("MOI", "Phòng Mới"))
        db.session.commit()


def test_a_sqlite_backup_is_one_self_contained_file(app, runner, some_rows, tmp_path):
    if not is_sqlite():
        pytest.skip("the file layout of a SQLite backup")
    dest = backup_to(runner, tmp_path / "lms.sqlite3")

    assert sorted(os.listdir(tmp_path)) == ["lms.sqlite3"]
    with sqlite3.connect(dest) as reader:
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert reader.execute("SELECT count(*) FROM person").fetchone()[0] == 2


def test_a_folder_as_dest_gets_a_dated_file(app, runner, some_rows, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path)])

    assert result.exit_code == 0, result.output
    [written] = os.listdir(tmp_path)
    assert written.startswith("lms-") and written in result.output
    assert written.endswith(".sqlite3" if is_sqlite() else ".dump")


# Over existing data --------------------------------------------------------------------------


def test_restore_over_data_is_refused_without_force_and_changes_nothing(
    app, runner, some_rows, tmp_path
):
    dest = backup_to(runner, tmp_path / backup_name())
    make_person("chi", "Nông Thị Chi")
    db.session.commit()
    before = source_rows()

    result = runner.invoke(args=["restore", str(dest)])

    assert result.exit_code == 1
    assert "đã có dữ liệu" in result.stderr and "--force" in result.stderr
    assert "xóa toàn bộ dữ liệu" in result.stderr
    assert source_rows() == before


def test_restore_with_force_puts_the_backup_back(app, runner, some_rows, tmp_path):
    from lms.reference import current_stamp

    backed_up = current_stamp()
    db.session.rollback()
    dest = backup_to(runner, tmp_path / backup_name())
    make_person("chi", "Nông Thị Chi")
    db.session.commit()

    result = runner.invoke(args=["restore", str(dest), "--force"])

    assert result.exit_code == 0, result.output
    assert source_rows() == some_rows
    # A new reference stamp: what a running server kept under the backup's is not taken for
    # the restored data (lms.reference).
    assert backed_up is not None and current_stamp() not in (None, backed_up)


# Files that are not a backup of the right kind -----------------------------------------------


def text_file(path: Path, _runner) -> Path:
    path.write_text("Đây không phải bản sao lưu.\n", encoding="utf-8")
    return path


def xlsx_file(path: Path, _runner) -> Path:
    workbook = Workbook()
    workbook.active.append(["Họ và tên", "Đơn vị"])
    workbook.save(path)
    return path


def empty_file(path: Path, _runner) -> Path:
    path.write_bytes(b"")
    return path


def truncated_backup(path: Path, runner) -> Path:
    whole = backup_to(runner, path.with_name("whole-" + backup_name()))
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def backup_of_the_other_kind(path: Path, _runner) -> Path:
    if is_sqlite():
        path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 200)
    else:
        with sqlite3.connect(path) as writer:
            writer.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        writer.close()
    return path


def sqlite_of_another_app(path: Path, _runner) -> Path:
    with sqlite3.connect(path) as writer:
        writer.execute("CREATE TABLE notes (body TEXT)")
    writer.close()
    return path


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (text_file, "không phải bản sao lưu của ứng dụng"),
        (xlsx_file, "không phải bản sao lưu của ứng dụng"),
        (empty_file, "không phải bản sao lưu của ứng dụng"),
        (truncated_backup, "bị hỏng hoặc không đầy đủ"),
        (backup_of_the_other_kind, "nhưng ứng dụng đang dùng"),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_changes(
    app, runner, some_rows, tmp_path, make_file, message
):
    wrong = make_file(tmp_path / "wrong.bin", runner)

    result = runner.invoke(args=["restore", str(wrong), "--force"])

    assert result.exit_code == 1
    assert message in result.stderr
    assert "Không có gì bị thay đổi" in result.stderr
    assert source_rows() == some_rows


def test_a_sqlite_file_of_another_app_is_refused(app, runner, some_rows, tmp_path):
    if not is_sqlite():
        pytest.skip("a SQLite file is refused earlier, as the wrong kind, on PostgreSQL")
    wrong = sqlite_of_another_app(tmp_path / "notes.sqlite3", runner)

    result = runner.invoke(args=["restore", str(wrong), "--force"])

    assert result.exit_code == 1
    assert "không có bảng alembic_version" in result.stderr
    assert source_rows() == some_rows


def test_a_missing_file_is_named(app, runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "khong-co.dump")])

    assert result.exit_code == 1
    assert "Không tìm thấy tệp sao lưu" in result.stderr


# Schema versions -----------------------------------------------------------------------------


def backup_with_revision(runner, path: Path, revision: str) -> Path:
    """Back up the test database as if its schema were at revision."""
    [head] = script_heads()
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    try:
        return backup_to(runner, path)
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": head})


def test_a_backup_newer_than_the_code_is_refused(app, runner, some_rows, tmp_path):
    newer = backup_with_revision(runner, tmp_path / backup_name(), "f0f0f0f0f0f0")

    result = runner.invoke(args=["restore", str(newer), "--force"])

    assert result.exit_code == 1
    assert "f0f0f0f0f0f0" in result.stderr and "mới hơn mã" in result.stderr
    assert source_rows() == some_rows


def test_an_older_backup_is_restored_with_a_call_to_upgrade(app, runner, some_rows, tmp_path):
    [head] = script_heads()
    older = services.script_directory().get_revision(head).down_revision
    dest = backup_with_revision(runner, tmp_path / backup_name(), older)

    result = runner.invoke(args=["restore", str(dest), "--force"])

    try:
        assert result.exit_code == 0, result.output
        assert "flask db upgrade" in result.output and older in result.output
        assert source_rows()["alembic_version"] == [(older,)]
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": head})


# Where the backup goes -----------------------------------------------------------------------


def test_a_dest_in_a_missing_folder_is_named_and_nothing_is_written(app, runner, tmp_path):
    dest = tmp_path / "chua-tao" / backup_name()

    result = runner.invoke(args=["backup", str(dest)])

    assert result.exit_code == 1
    assert f"Thư mục “{dest.parent}” không tồn tại" in result.stderr
    assert not dest.parent.exists()


class BrokenConnection(sqlite3.Connection):
    """Copies one page, then fails as a full disk would."""

    def backup(self, target, **_options):
        def fail(_status, _remaining, _total):
            raise sqlite3.OperationalError("database or disk is full")

        super().backup(target, pages=1, progress=fail)


def fake_pg_dump(folder: Path) -> Path:
    """A pg_dump that writes half an archive, then fails; it records what it was given."""
    script = folder / "pg_dump"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{folder}/argv"\n'
        f'env > "{folder}/env"\n'
        'for arg in "$@"; do case "$arg" in --file=*) out="${arg#--file=}";; esac; done\n'
        'printf "PGDMP half an archive" > "$out"\n'
        'echo "pg_dump: error: connection to server lost" >&2\n'
        "exit 1\n"
    )
    script.chmod(0o755)
    return script


def test_a_failed_backup_leaves_no_half_file(app, runner, some_rows, tmp_path, monkeypatch):
    tools = tmp_path / "tools"
    tools.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    if is_sqlite():
        connect = sqlite3.connect
        monkeypatch.setattr(
            services.sqlite3, "connect", lambda *a, **k: connect(*a, factory=BrokenConnection, **k)
        )
        said = "disk is full"
    else:
        monkeypatch.setattr(services, "find_tool", lambda _name: str(fake_pg_dump(tools)))
        said = "connection to server lost"

    result = runner.invoke(args=["backup", str(out / backup_name())])

    assert result.exit_code == 1
    assert said in result.stderr
    assert os.listdir(out) == []
    if not is_sqlite():
        password = make_url(db.engine.url).password
        if password:
            arguments = (tools / "argv").read_text().splitlines()
            assert not any(password == a or f":{password}@" in a for a in arguments)
            assert f"PGPASSWORD={password}" in (tools / "env").read_text()


def test_a_failed_backup_keeps_the_previous_file_of_that_name(
    app, runner, some_rows, tmp_path, monkeypatch
):
    dest = backup_to(runner, tmp_path / backup_name())
    earlier = dest.read_bytes()
    connect = sqlite3.connect
    monkeypatch.setattr(
        services.sqlite3, "connect", lambda *a, **k: connect(*a, factory=BrokenConnection, **k)
    )
    tools = tmp_path / "tools"
    tools.mkdir()
    monkeypatch.setattr(services, "find_tool", lambda _name: str(fake_pg_dump(tools)))

    result = runner.invoke(args=["backup", str(dest)])

    assert result.exit_code == 1
    assert dest.read_bytes() == earlier
    assert sorted(os.listdir(tmp_path)) == sorted([dest.name, "tools"])


# Finding the PostgreSQL programs and passing the connection ----------------------------------


def test_the_newest_installed_postgresql_is_used_when_none_is_on_path(tmp_path, monkeypatch):
    for version in ("9.6", "13", "15", "16"):
        folder = tmp_path / "lib" / version / "bin"
        folder.mkdir(parents=True)
        if version != "16":  # a version folder without the program is passed over
            (folder / "pg_dump").write_text("#!/bin/sh\n")
            (folder / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(services, "PG_LIB", tmp_path / "lib")

    assert services.find_tool("pg_dump") == str(tmp_path / "lib" / "15" / "bin" / "pg_dump")
    with pytest.raises(BackupError, match="postgresql-client"):
        services.find_tool("pg_restore")


def test_the_connection_goes_to_the_programs_through_the_environment(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "stale")
    url = make_url("postgresql+psycopg://lms:b%C3%AD-m%E1%BA%ADt@db.local:5433/lms?sslmode=require")

    env = services._pg_environment(url)

    assert env["PGPASSWORD"] == "bí-mật"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.local",
        "5433",
        "lms",
        "lms",
    )
    assert env["PGSSLMODE"] == "require"


def test_settings_the_url_does_not_give_come_from_the_environment_as_for_the_app(monkeypatch):
    monkeypatch.setenv("PGSSLROOTCERT", "/etc/lms/ca.pem")
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    env = services._pg_environment(make_url("postgresql+psycopg://lms@db.local/lms"))
    assert (env["PGSSLROOTCERT"], env["PGSSLMODE"]) == ("/etc/lms/ca.pem", "verify-full")
