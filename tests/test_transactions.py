"""A request's writes stand or fall together, savepoints included, on every database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text, update

from lms import create_app
from lms.access import public
from lms.auth import services as auth_services
from lms.auth.models import UserSession
from lms.auth.services import AuthError
from lms.db import commit_only, db, utcnow
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


# A request that only read ends with COMMIT (lms.db.end_reading_transaction) ------------------
#
# The shared test app keeps one app context open around its requests; an app of its own gives
# each request its own context, ended as in production. PostgreSQL only: SQLite's driver loses
# nothing at a rollback, so a request there ends as any other.


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

    @own.get("/test-connection-lost/<how>")
    @public
    def connection_lost(how: str):
        # As a page that catches a database error and still answers (the footer does), or
        # whose connection goes without SQLAlchemy knowing (the server restarted).
        db.session.scalar(select(func.count(Unit.id)))
        if how == "invalidated":
            db.session.connection().invalidate()
        else:
            db.session.connection().connection.driver_connection.close()
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


def test_a_request_that_only_read_ends_with_commit_on_postgresql(app, own_app, endings):
    unit_id = make_unit("READ", "Đơn vị chỉ đọc").id
    db.session.commit()
    client = own_app.test_client()
    assert client.get(f"/test-write/{unit_id}/an UPDATE").status_code == 200
    assert client.get(f"/test-read/{unit_id}").get_data(as_text=True) == "READ"
    # The write's mark goes with its transaction: the next request on the connection only read.
    assert endings == ["rollback", "commit" if _on_postgresql() else "rollback"]


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


@pytest.mark.parametrize("how", ["invalidated", "closed"])
def test_a_lost_connection_at_the_end_of_a_request_leaves_nothing_behind(app, own_app, caplog, how):
    if how == "closed" and not _on_postgresql():
        pytest.skip("a SQLite database does not go away under its connection")
    client = own_app.test_client()
    # The end of the request neither raises nor skips the session's removal after it.
    assert client.get(f"/test-connection-lost/{how}").get_data(as_text=True) == "answered"
    assert client.get("/test-read/1").status_code == 200
    # A connection closed behind SQLAlchemy's back fails only at the COMMIT: said in the log.
    noted = "a read-only transaction did not commit" in caplog.text
    assert noted is (how == "closed")


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
        with own.app_context():  # the pool's one connection, the requests' own
            prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements"))
            assert any("FROM unit" in statement for statement in prepared) is (setting is None)
            db.session.remove()
    finally:
        with own.app_context():
            db.engine.dispose()
