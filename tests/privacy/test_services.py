"""record_view: who is logged, when nothing is, and that only a successful response saves."""

from __future__ import annotations

from datetime import date

from flask import Response
from flask_login import login_user, logout_user

from lms.audit.access_log import period_scope, record_view
from lms.audit.models import AccessLogEntry
from lms.db import db
from tests.factories import make_person
from tests.privacy.conftest import log_rows


def _request(app, user, action, status=200):
    """Run action inside a request by user, then finish the response with status."""
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.7"}):
        if user is not None:
            login_user(user)
        action()
        app.process_response(Response(status=status))
        if user is not None:
            logout_user()


def test_a_view_of_another_person_is_saved_with_viewer_and_address(app):
    viewer, other = make_person(), make_person()
    db.session.commit()
    _request(app, viewer, lambda: record_view("plans.show", person_id=other.id))
    assert log_rows() == [(viewer.id, other.id, "plans.show", None)]
    assert db.session.query(AccessLogEntry).one().address == "10.0.0.7"


def test_a_list_view_is_one_row_with_its_scope(app):
    viewer = make_person()
    db.session.commit()
    scope = "Danh sách tổng hợp: PDT, 01/01/2024–31/12/2025"
    _request(app, viewer, lambda: record_view("reports.roster", scope=scope))
    assert log_rows() == [(viewer.id, None, "reports.roster", scope)]


def test_looking_at_oneself_is_not_logged(app):
    person = make_person()
    _request(app, person, lambda: record_view("plans.show", person_id=person.id))
    assert log_rows() == []


def test_an_anonymous_visitor_or_no_request_logs_nothing(app):
    other = make_person()
    _request(app, None, lambda: record_view("learning.verify", person_id=other.id))
    record_view("cli", person_id=other.id)  # outside any request
    assert log_rows() == []


def test_a_failed_response_logs_nothing(app):
    viewer, other = make_person(), make_person()
    for status in (403, 404, 500):
        _request(app, viewer, lambda: record_view("plans.show", person_id=other.id), status)
    assert log_rows() == []


def test_the_period_scope_reads_in_vietnamese_dates():
    text = period_scope("Danh sách tổng hợp", "PDT", date(2024, 1, 1), date(2025, 12, 31))
    assert text == "Danh sách tổng hợp: PDT, 01/01/2024–31/12/2025"


def test_the_log_never_commits_what_a_view_left_uncommitted(app):
    viewer, other = make_person(), make_person()
    db.session.commit()

    def careless_view():
        other.full_name = "Đổi mà không lưu"
        record_view("accounts.person", person_id=other.id)

    with app.test_request_context("/"):
        login_user(viewer)
        careless_view()
        app.process_response(Response(status=200))
        db.session.rollback()  # what the end of the request does with uncommitted work
        assert db.session.get(type(other), other.id).full_name != "Đổi mà không lưu"
        assert db.session.query(AccessLogEntry).count() == 0


def test_the_log_is_one_insert_ending_the_request_and_what_was_read_stays_read(app, sql_statements):
    """The entries were objects flushed by the unit of work, and their commit expired all the
    request had loaded: a page streamed after it (a roster download) read those again."""
    from sqlalchemy import event, select

    from lms.accounts.models import Person

    viewer, other = make_person(), make_person(full_name="Lò Thị Xem")
    db.session.commit()
    viewer_id, other_id = viewer.id, other.id
    after_the_log: list[str] = []

    def request() -> None:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.7"}):
            login_user(db.session.get(Person, viewer_id))
            shown = db.session.scalar(select(Person).where(Person.id == other_id))
            record_view("accounts.person", person_id=other_id)
            record_view("reports.roster", scope="Danh sách tổng hợp: PDT")
            app.process_response(Response(status=200))

            def listen(_conn, _cursor, statement, *_args) -> None:
                after_the_log.append(statement)

            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                assert shown.full_name == "Lò Thị Xem"
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
            logout_user()

    statements = sql_statements(request)
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT INTO access_log")
    assert after_the_log == []
    assert log_rows() == [
        (viewer_id, other_id, "accounts.person", None),
        (viewer_id, None, "reports.roster", "Danh sách tổng hợp: PDT"),
    ]
