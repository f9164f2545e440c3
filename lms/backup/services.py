"""Back the whole database up into one file, and restore one, on SQLite and PostgreSQL.

Course media and evidence files live in the database, so the database is the whole backup;
only the secret key (instance/secret_key or LMS_SECRET_KEY) must be kept apart.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import current_app
from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import URL, Connection

from lms.db import db
from lms.errors import UserError
from lms.i18n import agency_zone
from lms.i18n import gettext as _
from lms.reference import ReferenceStamp, write_new_stamp

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
ALEMBIC_TABLE = "alembic_version"
# Where Debian and Ubuntu put each PostgreSQL version's programs, when none is on PATH.
PG_LIB = Path("/usr/lib/postgresql")
# libpq reads these from the environment; the password never goes on a command line.
PG_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
# Empties the current schema inside the restore's own transaction, so that tables a newer
# version of the app added go too, and a failed restore leaves everything as it was.
EMPTY_SCHEMA_SQL = """
SET lock_timeout = '60s';
SET client_min_messages = warning;
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT viewname AS name FROM pg_views WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', item.name);
  END LOOP;
  FOR item IN SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.name);
  END LOOP;
  FOR item IN SELECT sequencename AS name FROM pg_sequences
      WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', item.name);
  END LOOP;
  FOR item IN SELECT t.typname AS name FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.name);
  END LOOP;
END $$;
"""


class BackupError(UserError):
    """A backup or restore that cannot go ahead; the message is shown to the user."""


@dataclass(frozen=True)
class Summary:
    """What a backup file or a restored database holds."""

    path: Path
    backend: str
    size: int
    tables: int
    rows: int


@dataclass(frozen=True)
class Restored:
    summary: Summary
    revisions: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def needs_upgrade(self) -> bool:
        return set(self.revisions) != set(self.heads)


# Shared --------------------------------------------------------------------------------------


def _backend() -> str:
    name = db.engine.url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(_("Chỉ sao lưu và khôi phục được SQLite và PostgreSQL."))
    return name


def _sqlite_file(url: URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise BackupError(
            _("Cơ sở dữ liệu SQLite “%(name)s” không phải một tệp trên đĩa.", name=database)
        )
    return Path(database).resolve()


def _row_counts(connection: Connection) -> dict[str, int]:
    """Return the number of rows in every table of the connection's schema."""
    names = inspect(connection).get_table_names()
    return {
        name: connection.scalar(select(func.count()).select_from(table(name))) or 0
        for name in names
    }


def script_directory() -> ScriptDirectory:
    """The code's migrations (alembic is imported here: only a backup's restore needs it)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(current_app.extensions["migrate"].directory))
    return ScriptDirectory.from_config(config)


def _check_revisions(revisions: list[str], src: Path) -> tuple[str, ...]:
    """Refuse a backup whose schema this code does not know; return the code's heads."""
    if not revisions:
        raise BackupError(
            _(
                "Tệp “%(path)s” không ghi phiên bản lược đồ (bảng alembic_version trống): "
                "không khôi phục.",
                path=src,
            )
        )
    from alembic.util import CommandError

    script = script_directory()
    for revision in revisions:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            raise BackupError(
                _(
                    "Bản sao lưu “%(path)s” có lược đồ phiên bản %(revision)s, mới hơn mã đang "
                    "chạy (mã chỉ biết đến %(head)s). Hãy cập nhật ứng dụng lên phiên bản đã tạo "
                    "bản sao lưu rồi khôi phục lại. Không có gì bị thay đổi.",
                    path=src,
                    revision=revision,
                    head=", ".join(script.get_heads()),
                )
            )
    return tuple(script.get_heads())


def _refuse_if_holds_data() -> None:
    with db.engine.connect() as connection:
        counts = _row_counts(connection)
    counts.pop(ALEMBIC_TABLE, None)
    filled = {name: rows for name, rows in counts.items() if rows}
    if filled:
        raise BackupError(
            _(
                "Cơ sở dữ liệu hiện tại đã có dữ liệu (%(rows)d dòng trong %(tables)d bảng). "
                "Khôi phục sẽ xóa toàn bộ dữ liệu đó và thay bằng nội dung bản sao lưu. "
                "Nếu đúng ý bạn, hãy sao lưu dữ liệu hiện tại trước (flask backup …) rồi chạy "
                "lại lệnh với --force. Không có gì bị thay đổi.",
                rows=sum(filled.values()),
                tables=len(filled),
            )
        )


def _database_summary(path: Path, backend: str, size: int) -> tuple[Summary, tuple[str, ...]]:
    with db.engine.connect() as connection:
        counts = _row_counts(connection)
        revisions = tuple(connection.scalars(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")))
    summary = Summary(path, backend, size, len(counts), sum(counts.values()))
    return summary, revisions


# Backup --------------------------------------------------------------------------------------


def default_name(backend: str) -> str:
    """Name a backup by the agency's date and time, so a folder of them sorts by age."""
    stamp = datetime.now(agency_zone()).strftime("%Y-%m-%d-%H%M%S")
    return f"lms-{stamp}.{'sqlite3' if backend == 'sqlite' else 'dump'}"


def _destination(dest: Path, backend: str) -> Path:
    dest = Path(dest).expanduser()
    if dest.is_dir():
        dest = dest / default_name(backend)
    if not dest.parent.is_dir():
        raise BackupError(
            _(
                "Thư mục “%(folder)s” không tồn tại: hãy tạo nó trước (mkdir -p) "
                "hoặc chọn nơi khác.",
                folder=dest.parent,
            )
        )
    return dest.absolute()


@contextmanager
def _partial_file(dest: Path) -> Iterator[Path]:
    """Yield a temporary file beside dest; rename it to dest only if the block succeeds."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    except OSError as error:
        raise BackupError(
            _("Không ghi được vào thư mục “%(folder)s”: %(error)s", folder=dest.parent, error=error)
        ) from None
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, dest)
    finally:
        # After a failure: the half file, and what SQLite may have left beside it.
        for end in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{end}").unlink(missing_ok=True)


def backup(dest: Path) -> Summary:
    """Write a consistent copy of the whole database to dest (a file, or a folder for it)."""
    backend = _backend()
    dest = _destination(dest, backend)
    if backend == "sqlite":
        return _backup_sqlite(_sqlite_file(db.engine.url), dest)
    return _backup_postgres(db.engine.url, dest)


def _backup_sqlite(source: Path, dest: Path) -> Summary:
    if not source.is_file():
        raise BackupError(_("Không tìm thấy tệp cơ sở dữ liệu “%(path)s”.", path=source))
    if dest.exists() and dest.resolve() == source:
        raise BackupError(_("Nơi ghi “%(path)s” chính là tệp cơ sở dữ liệu đang dùng.", path=dest))
    with _partial_file(dest) as partial:
        reader = sqlite3.connect(source, timeout=30)
        writer = sqlite3.connect(partial)
        try:
            # The online backup API: a consistent copy while the app goes on writing.
            reader.backup(writer)
            # One self-contained file: no -wal beside it when it is opened later.
            writer.execute("PRAGMA journal_mode=DELETE")
            names = [
                name
                for (name,) in writer.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            rows = sum(
                writer.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
            )
        except sqlite3.Error as error:
            raise BackupError(_("Không sao lưu được: %(error)s", error=error)) from None
        finally:
            writer.close()
            reader.close()
    return Summary(dest, "sqlite", dest.stat().st_size, len(names), rows)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))


def find_tool(name: str) -> str:
    """Find a PostgreSQL program on PATH, else in the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(PG_LIB.glob("*/bin"), key=_version_key, reverse=True):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        _(
            "Không tìm thấy chương trình %(name)s của PostgreSQL. Hãy cài gói postgresql-client "
            "(cùng phiên bản với máy chủ hoặc mới hơn).",
            name=name,
        )
    )


def _pg_environment(url: URL) -> dict[str, str]:
    """Return the environment that points libpq programs at url's database.

    The inherited PG* variables stay (PGSSLMODE, PGPASSFILE, PGSERVICE…): the app's driver reads
    them too, so pg_dump connects the way the app does; what the URL says overrides them.
    """
    env = dict(os.environ)
    for key, variable in PG_QUERY_ENV.items():
        value = url.query.get(key)
        if isinstance(value, tuple):
            value = value[0]
        if value:
            env[variable] = str(value)
    fields = {
        "PGHOST": url.host,
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    env.update({name: str(value) for name, value in fields.items() if value})
    return env


def _tool_failed(tool: str, message: str) -> BackupError:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return BackupError(
        _("%(tool)s báo lỗi: %(error)s", tool=tool, error="\n".join(lines[-10:]) or "?")
    )


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(command, env=env, capture_output=True, check=False)
    except OSError as error:
        raise BackupError(
            _("Không chạy được %(tool)s: %(error)s", tool=command[0], error=error)
        ) from None
    if done.returncode != 0:
        raise _tool_failed(Path(command[0]).name, done.stderr.decode("utf-8", "replace"))
    return done


def _backup_postgres(url: URL, dest: Path) -> Summary:
    pg_dump = find_tool("pg_dump")
    env = _pg_environment(url)
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads the same snapshot as the row counts printed for it.
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            counts = _row_counts(connection)
            with _partial_file(dest) as partial:
                command = [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
                _run([*command, f"--file={partial}"], env)
                with open(partial, "rb") as written:
                    if written.read(len(PG_MAGIC)) != PG_MAGIC:
                        raise BackupError(_("pg_dump không ghi ra bản sao lưu dạng custom."))
    return Summary(dest, "postgresql", dest.stat().st_size, len(counts), sum(counts.values()))


# Restore -------------------------------------------------------------------------------------

BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _kind_of(src: Path) -> str | None:
    with open(src, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def restore(src: Path, *, force: bool = False) -> Restored:
    """Replace the whole database with the backup at src; refuse one that does not fit."""
    backend = _backend()
    src = Path(src).expanduser().absolute()
    if not src.is_file():
        raise BackupError(_("Không tìm thấy tệp sao lưu “%(path)s”.", path=src))
    kind = _kind_of(src)
    if kind is None:
        raise BackupError(
            _(
                "Tệp “%(path)s” không phải bản sao lưu của ứng dụng (không phải tệp SQLite, "
                "cũng không phải bản pg_dump dạng custom). Không có gì bị thay đổi.",
                path=src,
            )
        )
    if kind != backend:
        raise BackupError(
            _(
                "Tệp “%(path)s” là bản sao lưu %(kind)s, nhưng ứng dụng đang dùng %(backend)s: "
                "không khôi phục được. Không có gì bị thay đổi.",
                path=src,
                kind=BACKEND_LABELS[kind],
                backend=BACKEND_LABELS[backend],
            )
        )
    if backend == "sqlite":
        revisions = _sqlite_backup_revisions(src)
    else:
        revisions = _postgres_backup_revisions(src, _pg_environment(db.engine.url))
    heads = _check_revisions(revisions, src)
    if not force:
        _refuse_if_holds_data()
    # Nothing of this process may hold a connection (or a lock) while the data is replaced.
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        _restore_sqlite(src, _sqlite_file(db.engine.url))
    else:
        _restore_postgres(src, db.engine.url)
    db.engine.dispose()
    # The backup's stamp may be one that servers still running read after it was taken: the
    # restored data get a new one, so nothing kept is taken for theirs (lms.reference).
    with db.engine.begin() as connection:
        if inspect(connection).has_table(ReferenceStamp.__tablename__):
            write_new_stamp(connection)
    db.engine.dispose()
    summary, restored = _database_summary(src, backend, src.stat().st_size)
    return Restored(summary, restored, heads)


def _broken(src: Path, detail: object) -> BackupError:
    return BackupError(
        _(
            "Tệp sao lưu “%(path)s” bị hỏng hoặc không đầy đủ (%(detail)s). "
            "Không có gì bị thay đổi.",
            path=src,
            detail=detail,
        )
    )


def _not_ours(src: Path) -> BackupError:
    return BackupError(
        _(
            "Tệp “%(path)s” không có bảng alembic_version: không phải bản sao lưu của ứng dụng "
            "này. Không có gì bị thay đổi.",
            path=src,
        )
    )


def _sqlite_backup_revisions(src: Path) -> list[str]:
    """Check a SQLite backup is whole and the app's; return its schema revisions."""
    with open(src, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100:
        raise _broken(src, _("tệp quá ngắn"))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when its counter matches the change counter.
    if header[92:96] == header[24:28] and src.stat().st_size < page_size * pages:
        raise _broken(
            src,
            _(
                "%(size)d byte, cần %(expected)d",
                size=src.stat().st_size,
                expected=page_size * pages,
            ),
        )
    try:
        reader = sqlite3.connect(f"file:{quote(str(src))}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise _broken(src, error) from None
    try:
        check = reader.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _broken(src, check)
        found = reader.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (ALEMBIC_TABLE,)
        ).fetchone()
        if found is None:
            raise _not_ours(src)
        return [row[0] for row in reader.execute(f"SELECT version_num FROM {ALEMBIC_TABLE}")]
    except sqlite3.Error as error:
        raise _broken(src, error) from None
    finally:
        reader.close()


def _postgres_backup_revisions(src: Path, env: dict[str, str]) -> list[str]:
    """Check a pg_dump archive can be read and is the app's; return its schema revisions."""
    pg_restore = find_tool("pg_restore")
    try:
        listing = _run([pg_restore, "--list", str(src)], env).stdout.decode("utf-8", "replace")
    except BackupError as error:
        raise _broken(src, error) from None
    if not re.search(rf"\bTABLE DATA \S+ {ALEMBIC_TABLE}\b", listing):
        raise _not_ours(src)
    try:
        script = _run(
            [pg_restore, "--data-only", f"--table={ALEMBIC_TABLE}", "--file=-", str(src)], env
        ).stdout.decode("utf-8", "replace")
    except BackupError as error:
        raise _broken(src, error) from None
    revisions: list[str] = []
    copying = False
    for line in script.splitlines():
        if line.startswith("COPY ") and ALEMBIC_TABLE in line:
            copying = True
        elif copying and line == "\\.":
            break
        elif copying and line.strip():
            revisions.append(line.strip())
    return revisions


def _restore_sqlite(src: Path, target: Path) -> None:
    reader = sqlite3.connect(f"file:{quote(str(src))}?mode=ro", uri=True)
    writer = sqlite3.connect(target, timeout=30)
    try:
        # One write transaction on the target: a failure part-way leaves it as it was.
        reader.backup(writer)
    except sqlite3.Error as error:
        raise BackupError(
            _(
                "Khôi phục không thành công; cơ sở dữ liệu không bị thay đổi. Lỗi: %(error)s",
                error=error,
            )
        ) from None
    finally:
        writer.close()
        reader.close()


def _restore_postgres(src: Path, url: URL) -> None:
    """Empty the schema and load the archive in one psql transaction, committed only if whole."""
    pg_restore = find_tool("pg_restore")
    psql = str(Path(pg_restore).with_name("psql"))
    if not Path(psql).is_file():
        psql = find_tool("psql")
    env = _pg_environment(url)
    with tempfile.TemporaryFile() as reader_errors, tempfile.TemporaryFile() as loader_output:
        reader = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(src)],
            stdout=subprocess.PIPE,
            stderr=reader_errors,
            env=env,
        )
        loader = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE,
            stdout=loader_output,
            stderr=subprocess.STDOUT,
            env=env,
        )
        killed = False
        source, sink = reader.stdout, loader.stdin
        assert source is not None and sink is not None  # both opened with PIPE
        try:
            sink.write(b"BEGIN;\n" + EMPTY_SCHEMA_SQL.encode())
            shutil.copyfileobj(source, sink, 1024 * 1024)
            reader.wait()
            # Without COMMIT psql ends the session and the server rolls it all back.
            if reader.returncode == 0:
                sink.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error: its output says which
        finally:
            if reader.poll() is None:
                reader.kill()
                killed = True
            reader.wait()
            source.close()
            with suppress(BrokenPipeError):
                sink.close()
            loader.wait()
        if reader.returncode != 0 and not killed:
            reader_errors.seek(0)
            raise _broken(
                src, _tool_failed("pg_restore", reader_errors.read().decode("utf-8", "replace"))
            )
        if loader.returncode != 0 or killed:
            loader_output.seek(0)
            raise _restore_failed("psql", loader_output.read())


def _restore_failed(tool: str, output: bytes) -> BackupError:
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return BackupError(
        _(
            "Khôi phục không thành công; cơ sở dữ liệu không bị thay đổi. %(tool)s báo: "
            "%(error)s (Nếu ứng dụng đang chạy, hãy dừng nó trong lúc khôi phục.)",
            tool=tool,
            error="\n".join(lines[-10:]) or "?",
        )
    )
