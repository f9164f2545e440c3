"""A request's writes stand or fall together, savepoints included, on every database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lms import create_app
from lms.access import public
from lms.accounts.models import Person
from lms.audit.models import AccessLogEntry
from lms.auth import services as auth_services
from lms.auth.models import UserSession
from lms.auth.services import AuthError
from lms.config import engine_options
from lms.db import commit_only, db, insert_and_commit, plain_read, utcnow
from lms.org.models import Unit
from lms.org.services import OrgError
from lms.plans.values import PlanError
from lms.web import saving
from tests.factories import make_person, make_unit


def count_units() -> int:
    return db.session.scalar(select(func.count(Unit.id)))


def test_a_savepoint_taken_first_does_not_commit_on_its_own(app):
    before = count_units()
    with db.session.begin_nested():
        make_unit("SP1", "Đơn vị trong savepoint")
    make_unit("SP2", "Đơn vị sau savepoint")
    # The worker dies before the request commits: nothing of it may remain.
    db.session.rollback()
    db.session.remove()
    assert count_units() == before


# The request boundary (lms.web.saving and the app's backstop for UserError) -----------------


def _flashed(app) -> list[tuple[str, str]]:
    from flask import get_flashed_messages

    return get_flashed_messages(with_categories=True)


def test_saving_commits_the_work_and_says_so(app):
    before = count_units()
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.") as saved:
            make_unit("OK1", "Đơn vị được lưu")
        assert saved.ok and saved.error is None
        assert _flashed(app) == [("success", "Đã lưu.")]
    db.session.remove()
    assert count_units() == before + 1


def test_a_refusal_mid_change_keeps_nothing_and_says_why(app):
    before = count_units()
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.") as saved:
            make_unit("HALF", "Đơn vị làm dở")
            raise OrgError("Ngày giải thể phải sau ngày thành lập.", field="on")
        assert not saved
        assert saved.error.field == "on"
        assert _flashed(app) == [("error", "Ngày giải thể phải sau ngày thành lập.")]
    db.session.remove()
    assert count_units() == before


def test_a_refusal_can_be_left_for_the_form_to_show_by_its_field(app):
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.", show=False) as saved:
            raise PlanError("Số giờ phải lớn hơn 0.", field="hours")
        assert saved.error.message == "Số giờ phải lớn hơn 0."
        assert _flashed(app) == []


def test_a_conflicting_commit_is_explained_when_the_view_expects_one(app):
    make_unit("DUP", "Đơn vị có sẵn")
    db.session.commit()
    before = count_units()
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.", conflict="Người khác vừa thay đổi; hãy thử lại.") as saved:
            db.session.add(Unit(code="DUP"))
        assert not saved
        assert _flashed(app) == [("error", "Người khác vừa thay đổi; hãy thử lại.")]
    db.session.remove()
    assert count_units() == before


def test_a_user_error_no_view_caught_keeps_nothing_and_answers_400(test_settings):
    app = create_app(dict(test_settings))

    @app.post("/test-refused")
    @public
    def refused():
        make_unit("ESC", "Đơn vị của yêu cầu bị từ chối")
        raise AuthError("Mật khẩu hiện tại không đúng.")

    with app.app_context():
        before = count_units()
        response = app.test_client().post("/test-refused")
        assert response.status_code == 400
        assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
        db.session.remove()
        assert count_units() == before
        db.session.remove()
        db.engine.dispose()  # psycopg warns (an error here) about a connection left open


# Bookkeeping commits outside the boundary (lms.db.commit_only) ------------------------------


def _stale_session(app) -> tuple[int, str]:
    person = make_person("nguoi.dung")
    token = auth_services.start_session(person, "test")
    db.session.flush()
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=30)))
    db.session.commit()
    return person.id, token


def test_the_user_loader_stamps_last_seen_on_its_own(app):
    person_id, token = _stale_session(app)
    with app.test_request_context("/"):
        assert auth_services.person_for_session(person_id, token) is not None
    db.session.remove()
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert seen > utcnow() - timedelta(minutes=1)


def test_the_user_loader_never_commits_half_done_work(app):
    person_id, token = _stale_session(app)
    before = count_units()
    with app.test_request_context("/"):
        make_unit("LOAD", "Đơn vị chưa xong")  # flushed, not committed
        assert auth_services.person_for_session(person_id, token) is not None
    db.session.rollback()
    db.session.remove()
    assert count_units() == before


def test_commit_only_refuses_when_other_work_is_pending(app):
    make_unit("KEEP", "Đơn vị có sẵn")
    db.session.commit()
    unit = db.session.scalar(select(Unit).where(Unit.code == "KEEP"))
    unit_id = unit.id
    db.session.add(Unit(code="OTHER"))
    unit.code = "KEPT"
    assert not commit_only(unit)
    db.session.rollback()
    unit.code = "KEPT"
    assert commit_only(unit)
    db.session.remove()
    assert db.session.scalar(select(Unit.code).where(Unit.id == unit_id)) == "KEPT"
    assert count_units() == 1


# On PostgreSQL a transaction opens at the first statement that needs one (lms.db) ------------
#
# The shared test app keeps one app context open around its requests; an app of its own gives
# each request its own context, ended as in production.


def _in_a_savepoint(statement) -> None:
    with db.session.begin_nested():
        db.session.execute(statement)


_WRITES = {
    "an UPDATE": lambda unit_id: db.session.execute(
        update(Unit).where(Unit.id == unit_id).values(code="CHANGED")
    ),
    "a WITH that updates": lambda unit_id: db.session.execute(
        text(
            "WITH chosen AS (SELECT :unit_id AS id) "
            "UPDATE unit SET code = 'CHANGED' WHERE id IN (SELECT id FROM chosen)"
        ),
        {"unit_id": unit_id},
    ),
    "a WITH that updates, in lower case": lambda unit_id: db.session.execute(
        text(
            "WITH chosen AS (SELECT :unit_id AS id) "
            "update unit set code = 'CHANGED' where id in (select id from chosen)"
        ),
        {"unit_id": unit_id},
    ),
    "a flushed change": lambda unit_id: (
        setattr(db.session.get(Unit, unit_id), "code", "CHANGED"),
        db.session.flush(),
    ),
    "a change not yet flushed": lambda unit_id: setattr(
        db.session.get(Unit, unit_id), "code", "CHANGED"
    ),
    "an UPDATE in a savepoint": lambda unit_id: _in_a_savepoint(
        update(Unit).where(Unit.id == unit_id).values(code="CHANGED")
    ),
    # The transaction a lock opened (on PostgreSQL) is a write's once it writes.
    "an UPDATE after a read that locks": lambda unit_id: (
        db.session.scalar(select(Unit.code).where(Unit.id == unit_id).with_for_update()),
        db.session.execute(update(Unit).where(Unit.id == unit_id).values(code="CHANGED")),
    ),
}


def _transaction_status() -> str:
    """The driver's own word on the request's connection: in a transaction or idle."""
    raw = db.session.connection().connection.driver_connection
    if db.engine.dialect.driver == "psycopg":
        return raw.info.transaction_status.name
    return "INTRANS" if raw.in_transaction else "IDLE"


def _stream_units(_unit_id: int) -> None:
    rows = db.session.execute(select(Unit.id).execution_options(yield_per=10))
    next(rows.partitions(), None)


def _log_views(count: int):
    def log(_unit_id: int) -> None:
        viewer_id = db.session.scalar(select(func.min(Person.id)))  # a read first, as a page's
        entry = {"viewer_id": viewer_id, "person_id": None, "what": "test", "scope": "Đơn vị"}
        assert insert_and_commit(_ACCESS_LOG, [{**entry, "at": utcnow()}] * count)

    return log


# As the access log writes its rows: a Core insert into its table (an entity's insert may
# write more than one table, and always begins a transaction).
_ACCESS_LOG = insert(AccessLogEntry.__table__)
_STATEMENTS = {
    "a read": lambda unit_id: db.session.scalar(select(Unit.code).where(Unit.id == unit_id)),
    "a read that locks": lambda unit_id: db.session.scalar(
        select(Unit.code).where(Unit.id == unit_id).with_for_update()
    ),
    "a read through a server-side cursor": _stream_units,
    "an UPDATE": _WRITES["an UPDATE"],
    "a WITH that updates, in lower case": _WRITES["a WITH that updates, in lower case"],
    "a savepoint": lambda _unit_id: db.session.begin_nested(),
    "a log entry saved": _log_views(1),
    "two log entries saved": _log_views(2),
}


def _app_of_its_own(settings: dict):
    own = create_app(dict(settings))

    @own.get("/test-read/<int:unit_id>")
    @public
    def read_only(unit_id: int):
        return db.session.scalar(select(Unit.code).where(Unit.id == unit_id)) or ""

    @own.get("/test-write/<int:unit_id>/<how>")
    @public
    def write_without_commit(unit_id: int, how: str):
        db.session.scalar(select(Unit.code).where(Unit.id == unit_id))
        _WRITES[how](unit_id)
        return "left unsaved"

    @own.get("/test-transaction/<int:unit_id>/<how>")
    @public
    def transaction_after(unit_id: int, how: str):
        """What the database connection is in after a statement of the kind how names."""
        _STATEMENTS[how](unit_id)
        return _transaction_status()

    @own.get("/test-connection-lost/<how>")
    @public
    def connection_lost(how: str):
        # As a page that catches a database error and still answers (the footer does), or
        # whose connection the server ends without SQLAlchemy knowing (a restart).
        db.session.scalar(select(func.count(Unit.id)))
        if how == "ended by the server, holding a lock":
            db.session.scalar(select(Unit.id).limit(1).with_for_update())
        if how == "invalidated":
            db.session.connection().invalidate()
        else:
            backend = db.session.scalar(text("SELECT pg_backend_pid()"))
            with db.engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
                # Gone (its last message sent), not only told to go: a restart's backends are
                # gone before the server answers again.
                gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
                deadline = time.monotonic() + 10
                while other.scalar(text(gone), {"pid": backend}) and time.monotonic() < deadline:
                    time.sleep(0.01)
        return "answered"

    return own


@pytest.fixture(scope="module")
def own_app(test_settings):
    own = _app_of_its_own(test_settings)
    yield own
    with own.app_context():
        db.engine.dispose()  # psycopg warns (an error here) about a connection left open


@pytest.fixture
def endings(own_app):
    """The ends of transactions on own_app's database, as they happen."""
    with own_app.app_context():
        engine = db.engine
    seen: list[str] = []

    def committed(_connection):
        seen.append("commit")

    def rolled_back(_connection):
        seen.append("rollback")

    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)
    yield seen
    event.remove(engine, "commit", committed)
    event.remove(engine, "rollback", rolled_back)


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.mark.parametrize(
    ("statement", "read"),
    [
        ("SELECT unit.code FROM unit WHERE unit.id = %(id)s", True),
        ("WITH chosen AS (SELECT 1 AS id) SELECT id FROM chosen", True),
        ("SELECT substring(code FROM 1 FOR 3) FROM unit", True),  # FOR, but no lock
        ("SELECT unit.code FROM unit WHERE unit.id = %(id)s FOR UPDATE", False),
        ("SELECT unit.code FROM unit FOR NO KEY UPDATE NOWAIT", False),
        ("SELECT unit.code FROM unit\nFOR SHARE", False),
        ("SELECT unit.code FROM unit FOR KEY SHARE SKIP LOCKED", False),
        ("SELECT unit.code FROM unit fOr UpDaTe", False),
        ("WITH chosen AS (SELECT 1 AS id) UPDATE unit SET code = 'X'", False),
        ("WITH gone AS (delete from unit RETURNING id) SELECT count(*) FROM gone", False),
        ("INSERT INTO access_log (what) VALUES ('x')", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("SET LOCAL lock_timeout = '1s'", False),
        ("select 1", False),  # not as SQLAlchemy writes it: taken for more than a read
    ],
)
def test_what_counts_as_a_plain_read(statement, read):
    assert plain_read(statement) is read


# What the connection is in after each kind of statement, on PostgreSQL: a read opens none.
# (The access log's rows end their transaction: whether one was opened for them is
# `test_a_log_entry_alone_is_saved_without_begin_and_two_within_one_transaction`'s to see.)
_AFTER = {
    "a read": "IDLE",
    "a read that locks": "INTRANS",
    "a read through a server-side cursor": "INTRANS",
    "an UPDATE": "INTRANS",
    "a WITH that updates, in lower case": "INTRANS",
    "a savepoint": "INTRANS",
}


@pytest.mark.parametrize("how", list(_AFTER))
def test_a_transaction_opens_at_the_first_statement_that_needs_one_on_postgresql(app, own_app, how):
    if not _on_postgresql():
        pytest.skip("psycopg's autocommit; SQLite's driver begins its own transactions")
    make_person("txn.viewer")
    unit_id = make_unit("TXN", "Đơn vị giao dịch").id
    db.session.commit()
    answer = own_app.test_client().get(f"/test-transaction/{unit_id}/{how}")
    assert answer.get_data(as_text=True) == _AFTER[how]
    # Nothing the view left open stays open: the next request starts idle.
    read = own_app.test_client().get(f"/test-transaction/{unit_id}/a read")
    assert read.get_data(as_text=True) == "IDLE"


def test_a_lock_taken_by_a_request_holds_until_its_transaction_ends(app, own_app):
    """SELECT ... FOR UPDATE as a request's first statement: another connection waiting for
    the row must wait (here: give up at once, NOWAIT) until the request's transaction ends."""
    if not _on_postgresql():
        pytest.skip("row locks are PostgreSQL's")
    unit_id = make_unit("LOCK", "Đơn vị bị khóa").id
    db.session.commit()
    with own_app.app_context():
        db.session.scalar(select(Unit.code).where(Unit.id == unit_id).with_for_update())
        with db.engine.connect() as other:
            with pytest.raises(OperationalError):
                other.execute(
                    select(Unit.code).where(Unit.id == unit_id).with_for_update(nowait=True)
                )
            other.rollback()
            db.session.rollback()
            assert (
                other.scalar(
                    select(Unit.code).where(Unit.id == unit_id).with_for_update(nowait=True)
                )
                == "LOCK"
            )
            other.rollback()
        db.session.remove()


def test_a_connection_asked_for_autocommit_gets_no_transaction(app, own_app):
    """AUTOCOMMIT asked of a connection means it (VACUUM runs in no transaction); the app's
    own engine only begins transactions when needed."""
    if not _on_postgresql():
        pytest.skip("VACUUM and psycopg's autocommit are PostgreSQL's")
    with own_app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM unit"))


def test_a_log_entry_alone_is_saved_without_begin_and_two_within_one_transaction(app, own_app):
    """The access log's INSERT skips BEGIN and COMMIT only for one row: two rows go into one
    transaction, all saved or none (here the second names no one, and neither is saved)."""
    if not _on_postgresql():
        pytest.skip("psycopg's autocommit")
    viewer = make_person("alone.viewer")
    db.session.commit()
    entry = {"viewer_id": viewer.id, "person_id": None, "what": "test", "scope": "Đơn vị"}
    seen: list[str] = []

    def during_insert(_connection, cursor, statement, *_args):  # after lms.db's listener
        if statement.startswith("INSERT INTO access_log"):
            seen.append(cursor.connection.info.transaction_status.name)

    with own_app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", during_insert)
        try:
            before = db.session.scalar(select(func.count(AccessLogEntry.id)))
            assert insert_and_commit(_ACCESS_LOG, [{**entry, "at": utcnow()}])
            assert insert_and_commit(_ACCESS_LOG, [{**entry, "at": utcnow()}] * 2)
            # An entity's insert may write several tables: it never goes alone.
            assert insert_and_commit(insert(AccessLogEntry), [{**entry, "at": utcnow()}])
            with pytest.raises(IntegrityError):
                insert_and_commit(
                    _ACCESS_LOG,
                    [{**entry, "at": utcnow()}, {**entry, "viewer_id": -1, "at": utcnow()}],
                )
            db.session.rollback()
            assert seen == ["IDLE", "INTRANS", "INTRANS", "INTRANS"]
            assert db.session.scalar(select(func.count(AccessLogEntry.id))) == before + 4
        finally:
            event.remove(engine, "before_cursor_execute", during_insert)
            db.session.remove()


def test_the_pool_never_lends_a_connection_inside_a_transaction(app):
    """Even a pool told not to roll back at check-in: the next user of the connection does not
    join (and commit) what the last one left open."""
    if not _on_postgresql():
        pytest.skip("psycopg's autocommit")
    import psycopg  # a PostgreSQL test: not imported where the suite runs on SQLite

    url = db.engine.url.render_as_string(hide_password=False)
    options = {**engine_options(url), "pool_reset_on_return": None, "pool_size": 1}
    careless = create_engine(url, **options)
    try:
        for left in ("open", "failed"):
            raw = careless.raw_connection()
            raw.driver_connection.execute("BEGIN")
            if left == "failed":
                with pytest.raises(psycopg.errors.DivisionByZero):
                    raw.driver_connection.execute("SELECT 1 / 0")
            raw.close()  # back to the pool, still in its transaction
            with careless.connect() as connection:
                status = connection.connection.driver_connection.info.transaction_status
                assert status.name == "IDLE", left
    finally:
        careless.dispose()


def test_log_entries_saved_on_their_own_are_all_saved(app, own_app):
    before = db.session.scalar(select(func.count(AccessLogEntry.id)))
    db.session.remove()
    make_person("log.viewer")
    unit_id = make_unit("LOG", "Đơn vị ghi nhật ký").id
    db.session.commit()
    client = own_app.test_client()
    for how in ("a log entry saved", "two log entries saved"):
        assert client.get(f"/test-transaction/{unit_id}/{how}").status_code == 200
    db.session.remove()
    assert db.session.scalar(select(func.count(AccessLogEntry.id))) == before + 3


@pytest.mark.parametrize("how", list(_WRITES))
def test_a_request_that_wrote_without_committing_keeps_nothing(app, own_app, endings, how):
    unit_id = make_unit("KEEP", "Đơn vị giữ nguyên").id
    db.session.commit()
    assert own_app.test_client().get(f"/test-write/{unit_id}/{how}").status_code == 200
    assert endings == ["rollback"]
    if how.startswith("a WITH") and not _on_postgresql():
        return  # Python's sqlite3 begins no transaction before a WITH: its update is saved at once
    db.session.remove()
    assert db.session.scalar(select(Unit.code).where(Unit.id == unit_id)) == "KEEP"


@pytest.mark.parametrize(
    "how", ["invalidated", "ended by the server", "ended by the server, holding a lock"]
)
def test_a_lost_connection_at_the_end_of_a_request_leaves_nothing_behind(app, own_app, how):
    if how.startswith("ended by the server") and not _on_postgresql():
        pytest.skip("a SQLite database does not go away under its connection")
    client = own_app.test_client()
    # The end of the request does not raise, and the next request has a working connection
    # (the pool's ping finds the ended one).
    assert client.get(f"/test-connection-lost/{how}").get_data(as_text=True) == "answered"
    assert client.get("/test-read/1").status_code == 200


@pytest.mark.parametrize("setting", [None, "0"])
def test_reads_stay_prepared_from_one_request_to_the_next_on_postgresql(
    app, test_settings, monkeypatch, setting
):
    """LMS_DATABASE_PREPARED: unset, psycopg prepares what a connection runs often and the
    requests keep it; 0, nothing is prepared (for a pooler that cannot follow)."""
    if not _on_postgresql():
        pytest.skip("psycopg prepares statements; SQLite's driver keeps its own cache")
    if setting is None:
        monkeypatch.delenv("LMS_DATABASE_PREPARED", raising=False)
    else:
        monkeypatch.setenv("LMS_DATABASE_PREPARED", setting)
    own = _app_of_its_own(test_settings)  # its settings read from the environment
    unit_id = make_unit("PREP", "Đơn vị đọc nhiều lần").id
    db.session.commit()
    client = own.test_client()
    try:
        for _ in range(6):  # psycopg prepares a statement the fifth time a connection runs it
            assert client.get(f"/test-read/{unit_id}").get_data(as_text=True) == "PREP"
        # Requests that opened a transaction only to read end it without a ROLLBACK, which
        # would make psycopg forget what it prepared.
        for how in ("a read through a server-side cursor", "a read that locks"):
            assert client.get(f"/test-transaction/{unit_id}/{how}").status_code == 200
        with own.app_context():  # the pool's one connection, the requests' own
            prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements"))
            assert any("FROM unit" in statement for statement in prepared) is (setting is None)
            db.session.remove()
    finally:
        with own.app_context():
            db.engine.dispose()
